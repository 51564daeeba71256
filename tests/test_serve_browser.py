"""``ccsim serve`` in a real browser (Debian's Chromium through its chromedriver, Selenium):
open the page, take agents from the VIP desk, run, see the VIP tiers' service level fall;
bad input is marked next to its field and loses nothing; the saved scenario runs under
``ccsim`` with the same numbers; no JavaScript console error. Screenshots go to
tests/artifacts/ (CI keeps them)."""

from __future__ import annotations

import json
import os
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
         "--window-size=1400,1500"]

webdriver = pytest.importorskip("selenium.webdriver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(out: Path, scenario: str = "hotline_small"):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sim", "serve", "--port", str(port),
                             "--out", str(out), "--scenario", scenario], cwd=REPO,
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
