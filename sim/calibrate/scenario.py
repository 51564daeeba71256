"""The calibrated scenario as a commented YAML file that ``ccsim scenario=NAME`` loads."""

from __future__ import annotations

from pathlib import Path

# the header line of a scenario whose hidden work was fitted on the days in a row
# (``ccsim validate --scenario`` reads it back)
FIT_ON_DAYS_LINE = ("  Fill fitted on the calibration days in a row (--fit-on day-mix): "
                    "validate with --day-mix.")


def header(cal, command: str) -> str:
    r = cal.report
    hw = r["hidden_work"]
    pol = cal.policy
    delayed = [c for c, v in cal.scenario["classes"].items() if "answer_delay" in v]
    params = ", ".join(f"{k}={v}" for k, v in pol.get("params", {}).items())
    lines = [
        f"Calibrated by ccsim calibrate from a call log ({r['data_quality']['source']}):",
        f"  {command}",
        f"Day type {r['day_type']!r}: {len(r['days'])} days ({r['days'][0]} .. "
        f"{r['days'][-1]}); intervals of {r['interval_s']} s.",
        "Evidence for every number (fits with goodness of fit, patience from censored "
        "waits,", "priority rule, staffing, hidden work, data quality): calibration.json "
        "in --report-dir", "(default outputs/calibrate) and in every `ccsim validate` "
        "output directory.",
        "Classes p<priority>_<type>; calls_per_interval = mean calls per interval that "
        "asked for an agent.",
        f"Direct-line classes (answered at once or lost): "
        f"{', '.join(r['direct_line_classes']) or 'none'}.",
        f"Routing policy: {pol['name']}" + (f" ({params})" if params else "") + ", e.g.",
        f"  ccsim scenario={cal.scenario['name']} policy={pol['name']}" + "".join(
            f" policy.params.{k}={v}" for k, v in pol.get("params", {}).items()),
        *_scan_lines(r["direct_line_reserve"].get("scan")),
        "answer_delay: time in the queue before an agent may pick up (classes never answered "
        "at once:", f"  {', '.join(delayed) or 'none'}); fitted to waits at an empty queue "
        "with an agent present, not talking.",
        "groups.agents.availability.shrinkage: scheduled = ceil(agents present), shrinkage "
        "keeps the", "  fractional presence (on-call agent where calls were answered) and "
        "any not-ready share;",
        "  last_agent_stays_for (if set): when presence falls to no agent, the last one "
        "serves the", "  callers still waiting before logging out (evidence: "
        "availability.last_agent in calibration.json).",
        "  not_ready (if set, --availability states): after a call an agent goes not "
        "ready with", "  prob for duration, read off his gaps after hang-ups while "
        "callers waited", "  (availability.after_call_not_ready in calibration.json).",
        f"hidden_work: the agents' time outside logged calls (fill {hw['fill']} of the "
        f"{hw.get('base', 'unlogged')} time, tasks of {hw['task_mean_s']:.0f} s); not a call.",
        *([FIT_ON_DAYS_LINE] if (hw.get("fit") or {}).get("on") == "day-mix" else []),
    ]
    return "".join(f"# {ln}\n" for ln in lines)


def _scan_lines(scan: dict | None) -> list[str]:
    """Where ``--reserve-from scan`` put the reserve, and each candidate's error."""
    if not scan:
        return []
    tried = ", ".join(f"{n}: {e:+.1%}" for n, e in scan["mean_wait_relative_error"].items())
    return [f"reserve_from {scan['chosen']} by --reserve-from scan (idle-agent table: "
            f"{scan['table_value']}): the calibration days", f"  simulated in a row, "
            f"mean wait against the log by candidate: {tried}."]


def to_yaml(cal, command: str) -> str:
    """YAML text: a comment header, then the scenario (lists in flow style)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):  # no &id001 anchors: every class reads alone
            return True

    body = yaml.dump(cal.scenario, Dumper=Dumper, sort_keys=False, default_flow_style=None,
                     width=96)
    return header(cal, command) + body


def write(cal, path: Path, command: str) -> None:
    """Write the scenario file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(cal, command))


def _header_value(text: str) -> int | bool | str:
    """A header parameter as the policy takes it: an integer, a flag, else the text."""
    return int(text) if text.isdigit() else {"True": True, "False": False}.get(text, text)


def header_command(path: Path) -> list[str] | None:
    """The arguments of the ``ccsim calibrate`` command a calibrated file's header
    records (``None``: no such header, or no such file)."""
    import shlex

    try:
        lines = path.read_text().splitlines()[:4]
    except (OSError, UnicodeDecodeError):  # read() reports a missing or binary file
        return None
    for line in lines:
        text = line.lstrip("#").strip()
        if text.startswith("ccsim calibrate "):
            try:
                return shlex.split(text)[2:]
            except ValueError:
                return text.split()[2:]
    return None


def header_policy(path: Path) -> dict | None:
    """The routing policy named by a calibrated file's header (``Routing policy: NAME
    (k=v, ...)``), so that validating the file runs it under the policy it was calibrated
    with; ``None`` when the header names none (a file written by hand)."""
    import re

    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            return None
        m = re.match(r"#\s*Routing policy: (\w+)(?: \(([^)]*)\))?", line)
        if m:
            pairs = [kv.split("=", 1) for kv in (m.group(2) or "").split(", ") if "=" in kv]
            return {"name": m.group(1),
                    "params": {k: _header_value(v) for k, v in pairs}}
    return None


def read(path: Path) -> dict:
    """A scenario file (the ``scenario`` mapping itself, as calibrate writes it)."""
    import yaml

    from sim.calibrate.schema import LogError

    if not path.is_file():
        raise LogError(f"--scenario {path}: no such file")
    try:
        scn = yaml.safe_load(path.read_text())
    except UnicodeDecodeError:
        raise LogError(f"--scenario {path}: not a text file; allowed: a scenario YAML "
                       "written by ccsim calibrate") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise LogError(f"--scenario {path}: invalid YAML{where}") from None
    if not isinstance(scn, dict) or "classes" not in scn:
        raise LogError(f"--scenario {path}: not a simple scenario (needs classes, queues, "
                       f"groups), as written by ccsim calibrate")
    return scn
