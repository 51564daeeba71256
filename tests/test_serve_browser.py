"""``ccsim serve`` in a real browser (Debian's Chromium through its chromedriver, Selenium):
open the page, take agents from the VIP desk, run, see the VIP tiers' service level fall;
bad input is marked next to its field and loses nothing; the saved scenario runs under
``ccsim`` with the same numbers; the staffing curve follows a drag and its field (both
ways); no JavaScript console error. Marked slow (they run simulations for minutes): a run
cancelled frees its worker and the next what-if reuses the baseline; two tabs run
different what-ifs at once, each seeing only its own. Screenshots go to tests/artifacts/
(CI keeps them)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("CCSIM_ARTIFACTS", REPO / "tests" / "artifacts"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1500",
         # a tab in the background keeps polling its job as a manager's would
         "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
         "--disable-backgrounding-occluded-windows"]

webdriver = pytest.importorskip("selenium.webdriver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(out: Path, scenario: str = "hotline_small", workers: int = 2):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sim", "serve", "--port", str(port),
                             "--out", str(out), "--scenario", scenario,
                             "--workers", str(workers)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first = proc.stdout.readline()  # the start-up line says where it listens
    assert f"http://127.0.0.1:{port}/" in first, first
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    return proc, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    out = tmp_path_factory.mktemp("serve")
    proc, url = _start(out)
    yield url, out
    proc.terminate()
    proc.wait(timeout=20)


@contextlib.contextmanager
def _served(out: Path, workers: int = 2):
    """A server of its own (its own worker pool and output folder) for one test."""
    proc, url = _start(out, workers=workers)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    driver_path = shutil.which("chromedriver")
    if driver_path is None:
        pytest.fail("chromedriver not found: run tests/install_browser.sh (the README's test "
                    "command installs Debian's chromium-driver)")
    opts = Options()
    for f in FLAGS:
        opts.add_argument(f)
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        opts.binary_location = exe
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _lever(driver, key: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'[id*=\'"key":"{key}"\']')


def _msg(driver, row: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'[id*=\'"row":"{row}"\']').text


def _set(driver, key: str, value) -> None:
    from selenium.webdriver.common.keys import Keys

    el = _lever(driver, key)
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.DELETE)
    el.send_keys(str(value))


def _wait(driver, cond, timeout: float, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.3).until(cond)
    except Exception:
        _shot(driver, f"serve_timeout_{what}")
        raise AssertionError(f"timed out waiting for {what}") from None


def _shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def _rows(driver) -> dict[str, list[str]]:
    from selenium.webdriver.common.by import By

    out = {}
    for tr in driver.find_elements(By.CSS_SELECTOR, "#results-table tbody tr"):
        cells = [td.text for td in tr.find_elements(By.CSS_SELECTOR, "td")]
        if cells:
            out[cells[0]] = cells
    return out


def _pct(text: str) -> float:
    return float(text.split("%")[0])


def _console_errors(driver) -> list:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _progress(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, "progress-text").text


def _job(driver) -> str:
    """The job id of the "done: job ID" line (if the line changed since the caller saw
    "done", the failure shows what it says now, with a screenshot: an intermittent
    failure here was seen once in the slow cancel test, cause not yet known)."""
    text = _progress(driver)
    if "done: job " not in text:
        _shot(driver, "serve_progress_changed")
        raise AssertionError(f"the progress line changed after 'done': {text!r}")
    return text.split("done: job ", 1)[1].split(" ")[0]


def _run_and_wait(driver, timeout: float, what: str) -> str:
    """Press Run and wait for this run's "done"; its job id."""
    from selenium.webdriver.common.by import By

    before = _progress(driver)
    driver.find_element(By.ID, "run").click()
    _wait(driver, lambda d: _progress(d).startswith("done: job") and _progress(d) != before,
          timeout, what)
    job = _job(driver)
    _wait(driver, lambda d: job in d.find_element(By.ID, "results").text, 60,
          f"{what}: its results")
    return job


CURVE = "document.querySelector('#curve-graph .js-plotly-plot')"


def _curve(driver) -> list[float]:
    """The bars the staffing curve draws."""
    return driver.execute_script(f"return {CURVE}.data[0].y")


def _field(driver, key: str) -> str:
    return _lever(driver, key).get_attribute("value")


def _drag_line(driver, k: int, agents: float) -> None:
    """Drag interval k's line by ``agents`` (up when positive) with the mouse."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    per_agent = driver.execute_script(
        f"const g = {CURVE}; const r = g.layout.yaxis.range;"
        "return g._fullLayout._size.h / (r[1] - r[0]);")  # the plot area's height in px
    # each shape is drawn twice: the visible line, then a wider one that takes the mouse
    handle = driver.find_elements(By.CSS_SELECTOR, "#curve-graph .shapelayer path")[2 * k + 1]
    ActionChains(driver).move_to_element(handle).click_and_hold().move_by_offset(
        0, -round(agents * per_agent)).release().perform()


def _numbers(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def test_whatif_in_the_browser(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    url, out = server
    d = browser
    d.get(url)
    _wait(d, lambda d: _lever(d, "groups.vip_desk.all_day"), 90, "the levers")
    _set(d, "groups.vip_desk.all_day", 2)  # hotline_small's VIP desk has 4 all day
    _set(d, "n_reps", 3)
    d.find_element(By.ID, "run").click()
    _wait(d, lambda d: "done" in d.find_element(By.ID, "progress-text").text, 400,
          "the what-if run")
    _wait(d, lambda d: "Service level by tier" in d.page_source, 60, "the figures")
    rows = _rows(d)
    silver = rows["service level · tier silver"]
    # columns: KPI, baseline, edited, difference, target
    assert _pct(silver[2]) < _pct(silver[1]), silver
    assert silver[3].startswith("-") and silver[4] == "80.0%", silver
    d.execute_script("window.scrollTo(0, 0); document.getElementById('left-panel')"
                     ".scrollTop = 0;")
    _shot(d, "serve_whatif")  # the README's picture (reports/serve_whatif.png)

    # bad input: marked next to its field, nothing runs, the results stay
    _set(d, "groups.vip_desk.all_day", -3)
    _set(d, "mix.gold", 0.5)
    d.find_element(By.ID, "run").click()
    _wait(d, lambda d: _msg(d, "groups.vip_desk"), 60, "the field message")
    assert ">= 0" in _msg(d, "groups.vip_desk")
    assert _rows(d)["service level · tier silver"] == silver  # nothing computed is lost
    _shot(d, "serve_bad_input")

    # back to the what-if that ran, save it, and run the saved file with ccsim
    _set(d, "groups.vip_desk.all_day", 2)
    _set(d, "mix.gold", 0.05)
    d.find_element(By.ID, "save-name").send_keys("vip8")
    d.find_element(By.ID, "save").click()
    _wait(d, lambda d: "run it:" in d.find_element(By.ID, "save-msg").text, 60, "the save")
    assert _msg(d, "groups.vip_desk") == ""
    command = d.find_element(By.ID, "save-msg").text.split("run it: ", 1)[1]
    args = shlex.split(command)[1:]
    run_dir = tmp_path / "cli_run"
    res = subprocess.run([sys.executable, "-m", "sim", *args, f"hydra.run.dir={run_dir}",
                          "output.report=false"], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    cli = json.loads((run_dir / "summary.json").read_text())
    app = json.loads(next(out.glob("sessions/*/*/1_edited/summary.json")).read_text())
    for scope in ("overall", "by_tier", "by_group"):
        assert cli[scope] == app[scope], scope  # the same numbers, to the last digit

    logs = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert not logs, logs


def test_staffing_curve_follows_drags_and_fields(server, browser):
    """Drag a line of the VIP desk's curve: that interval's agents change by whole
    agents in the desk's field (the others stay), below 0 is 0; typing in a field
    redraws the curve; another desk picked shows its own curve; the saved scenario
    carries the dragged staffing. No simulation runs here."""
    import yaml
    from selenium.webdriver.common.by import By

    url, out = server
    d = browser
    d.get(url)
    _wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#curve-graph .shapelayer path"),
          90, "the staffing curve")
    key = "groups.vip_desk.curve"
    n = len(_curve(d))  # hotline_small: 16 half-hour intervals
    before = _numbers(_field(d, key))  # 4 agents all day: one number
    before = before * n if len(before) == 1 else before
    assert _curve(d) == before and n == 16
    _drag_line(d, 2, 2)
    _wait(d, lambda d: _numbers(_field(d, key)) != before, 30, "the dragged value")
    after = _numbers(_field(d, key))
    assert after == before[:2] + [before[2] + 2] + before[3:], (before, after)
    _wait(d, lambda d: _curve(d) == after, 30, "the curve redrawn from the field")
    assert "last drag, vip_desk: 1-1.5 h:" in d.find_element(By.ID, "curve-msg").text
    _drag_line(d, 0, -before[0] - 5)  # far below the axis
    _wait(d, lambda d: _numbers(_field(d, key))[0] == 0, 30, "the value clamped at 0")
    assert _numbers(_field(d, key))[1:] == after[1:]
    ARTIFACTS.mkdir(exist_ok=True)  # the README's picture (reports/serve_curve.png)
    d.find_element(By.ID, "staffing-levers").screenshot(str(ARTIFACTS / "serve_curve.png"))

    # field -> curve: an all-day number draws a flat curve; a drag then writes the
    # per-interval list and clears the all-day number (it would override the curve)
    _set(d, "groups.vip_desk.all_day", 5)
    _wait(d, lambda d: _curve(d) == [5] * n, 30, "the all-day curve")
    _drag_line(d, n - 1, 1)
    _wait(d, lambda d: _field(d, "groups.vip_desk.all_day") == "", 30, "all day cleared")
    assert _numbers(_field(d, key)) == [5] * (n - 1) + [6]
    _set(d, key, ", ".join(["3"] * n))
    _wait(d, lambda d: _curve(d) == [3] * n, 30, "the typed curve")

    # another desk: its own curve, its own field
    d.find_element(By.ID, "curve-desk").click()
    _wait(d, lambda d: [o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
                        if o.text == "general_desk"], 10, "the desk list")[0].click()
    general = _numbers(_field(d, "groups.general_desk.curve"))
    _wait(d, lambda d: _curve(d) == general, 30, "the general desk's curve")
    _drag_line(d, 4, 3)
    _wait(d, lambda d: _numbers(_field(d, "groups.general_desk.curve"))[4] == general[4] + 3,
          30, "the general desk's drag")
    assert _numbers(_field(d, key)) == [3] * n  # the VIP desk's field untouched

    # what is dragged is what runs: the saved scenario holds it
    d.find_element(By.ID, "save-name").send_keys("dragged")
    d.find_element(By.ID, "save").click()
    _wait(d, lambda d: "run it:" in d.find_element(By.ID, "save-msg").text, 60, "the save")
    saved = yaml.safe_load((out / "scenario" / "dragged.yaml").read_text())
    assert saved["groups"]["vip_desk"]["staffing"] == [3] * n
    assert saved["groups"]["general_desk"]["staffing"] == [
        int(v) for v in general[:4] + [general[4] + 3] + general[5:]]
    assert not _console_errors(d)


@pytest.mark.slow
def test_cancel_frees_the_worker_and_the_baseline_is_reused(browser, tmp_path):
    """One worker: a long run (60 + 60 replications) is cancelled mid-baseline, the page
    says so and keeps no comparison; a new what-if then runs on that same worker and
    completes; running it again reuses the baseline from the cache (the page says so)."""
    from selenium.webdriver.common.by import By

    with _served(tmp_path, workers=1) as url:
        d = browser
        d.get(url)
        _wait(d, lambda d: _lever(d, "groups.vip_desk.all_day"), 90, "the levers")
        _set(d, "groups.vip_desk.all_day", 2)
        _set(d, "n_reps", 60)
        d.find_element(By.ID, "run").click()
        _wait(d, lambda d: re.search(r"baseline: replication [1-9][0-9]*/60", _progress(d)),
              300, "a replication done")
        d.find_element(By.ID, "cancel").click()
        _wait(d, lambda d: _progress(d).startswith("cancelled"), 120, "the cancelled state")
        assert "stopped at baseline replication" in _progress(d), _progress(d)
        _shot(d, "serve_cancelled")
        (job,) = tmp_path.glob("sessions/*/*")
        assert json.loads((job / "status.json").read_text())["state"] == "cancelled"
        assert not (job / "sweep.parquet").exists() and not _rows(d)
        assert not list((tmp_path / "cache").glob("*"))  # a cancelled baseline is not kept

        _set(d, "n_reps", 2)
        first = _run_and_wait(d, 300, "the run after the cancel")  # the one worker is free
        assert "reused" not in _progress(d)
        table = _rows(d)
        again = _run_and_wait(d, 300, "the same what-if again")
        assert again != first and "baseline reused from the cache" in _progress(d)
        assert "Baseline reused from the cache" in d.find_element(By.ID, "results").text
        assert _rows(d) == table  # the same numbers, the baseline not simulated again
        info = json.loads(next(tmp_path.glob(f"sessions/*/{again}/baseline.json")).read_text())
        assert info["reused"] and info["from_job"] == first
        _shot(d, "serve_baseline_reused")
        assert not _console_errors(d)


@pytest.mark.slow
def test_two_tabs_run_different_what_ifs_at_once(browser, tmp_path):
    """Two tabs of one browser, each its own session: the VIP desk cut to 2 in one, raised
    to 6 in the other, both running at once on two workers. Each tab shows its own job's
    numbers, from its own session's folder; the baselines agree, the edits do not."""
    from selenium.webdriver.common.by import By

    with _served(tmp_path, workers=2) as url:
        d = browser
        tabs = {}
        for agents in (2, 6):
            if tabs:
                d.switch_to.new_window("tab")
            d.get(url)
            _wait(d, lambda d: _lever(d, "groups.vip_desk.all_day"), 90, "the levers")
            _set(d, "groups.vip_desk.all_day", agents)
            _set(d, "n_reps", 3)
            tabs[agents] = d.current_window_handle
        for handle in tabs.values():  # both submitted before either finishes
            d.switch_to.window(handle)
            d.find_element(By.ID, "run").click()
            _wait(d, lambda d: _progress(d).startswith(("queued", "running")), 30, "a start")
        seen = {}
        for agents, handle in tabs.items():
            d.switch_to.window(handle)
            _wait(d, lambda d: _progress(d).startswith("done: job"), 600, f"tab {agents}")
            job = _job(d)
            _wait(d, lambda d, job=job: job in d.find_element(By.ID, "results").text, 60,
                  f"tab {agents}: its results")
            session = d.execute_script("return JSON.parse(sessionStorage.getItem('session'))")
            seen[agents] = (session, job, _rows(d))
            _shot(d, f"serve_tab_vip{agents}")
            assert not _console_errors(d)
        (s2, j2, rows2), (s6, j6, rows6) = seen[2], seen[6]
        assert s2 != s6 and j2 != j6
        silver = "service level · tier silver"
        for agents, (session, job, rows) in seen.items():
            folder = tmp_path / "sessions" / session / job
            assert json.loads((folder / "status.json").read_text())["state"] == "done"
            cfg = yaml_load(folder / "1_edited" / "resolved_config.yaml")
            assert cfg["scenario"]["groups"]["vip_desk"]["staffing"] == agents
            summary = json.loads((folder / "1_edited" / "summary.json").read_text())
            shown = _pct(rows[silver][2])
            assert shown == pytest.approx(100 * summary["by_tier"]["silver"]["service_level"]
                                          ["mean"], abs=0.051), (agents, shown)
        assert rows2[silver][1] == rows6[silver][1]  # the same baseline in both tabs
        assert _pct(rows2[silver][2]) < _pct(rows2[silver][1]) <= _pct(rows6[silver][2])
        for handle in list(tabs.values())[1:]:
            d.switch_to.window(handle)
            d.close()
        d.switch_to.window(tabs[2])


def yaml_load(path: Path):
    import yaml

    return yaml.safe_load(path.read_text())


@pytest.mark.slow
def test_plan_it_for_me_in_the_browser(browser, tmp_path):
    """"Plan it for me" on basic (sla/basic.yaml): the planner runs in the pool, its plan
    is drawn against the current staffing, "Apply plan" puts it into the desk fields."""
    from selenium.webdriver.common.by import By

    proc, url = _start(tmp_path, "basic")
    try:
        d = browser
        d.get(url)
        _wait(d, lambda d: _lever(d, "groups.vip_desk.curve"), 90, "the levers")
        before = _lever(d, "groups.vip_desk.curve").get_attribute("value")
        d.find_element(By.ID, "plan").click()
        _wait(d, lambda d: d.find_elements(By.ID, "apply-plan"), 1200, "the plan")
        _wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#plan-figure .main-svg"), 60,
              "the plan figure")
        assert "meets every target" in d.find_element(By.ID, "plan-view").text
        _shot(d, "serve_plan")
        d.find_element(By.ID, "apply-plan").click()
        _wait(d, lambda d: _lever(d, "groups.vip_desk.curve").get_attribute("value") != before,
              30, "the applied plan")
        plan = next(tmp_path.glob("sessions/*/plan-*/report/staffing.csv")).read_text()
        vip = [line.split(",") for line in plan.splitlines()[1:] if ",vip_desk," in line]
        applied = _lever(d, "groups.vip_desk.curve").get_attribute("value")
        assert applied == ", ".join(r[3] for r in sorted(vip, key=lambda r: int(r[0])))
        assert not [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
