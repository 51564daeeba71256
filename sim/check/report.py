"""What the gate reports: a table on stdout, JUnit XML (one test case per check) and a
JSON summary."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from sim.check.decide import FAIL, PASS, WARN, Outcome

EXIT_OK, EXIT_MISSED = 0, 1


@dataclass
class Report:
    outcomes: list[Outcome]
    meta: dict = field(default_factory=dict)

    def ids(self, verdict: str) -> list[str]:
        return [o.check.id for o in self.outcomes if o.verdict == verdict]

    @property
    def passed(self) -> bool:
        return not self.ids(FAIL)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.passed else EXIT_MISSED

    def outcome(self, check_id: str) -> Outcome:
        return next(o for o in self.outcomes if o.check.id == check_id)

    def as_dict(self) -> dict:
        counts = {v: len(self.ids(v)) for v in (PASS, WARN, FAIL)}
        return {**self.meta, "status": "pass" if self.passed else "fail",
                "exit_code": self.exit_code, "counts": counts,
                "checks": [_finite(o.as_dict()) for o in self.outcomes]}

    def summary_line(self) -> str:
        n = {v: len(self.ids(v)) for v in (PASS, WARN, FAIL)}
        head = (f"RESULT: {'PASS' if self.passed else 'FAIL'} — {n[PASS]} passed, "
                f"{n[WARN]} warnings, {n[FAIL]} failed")
        return f"{head}; missed: {', '.join(self.ids(FAIL))}" if n[FAIL] else head

    def table(self) -> str:
        return format_table(self)


def _finite(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in d.items()}


def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


def format_table(report: Report) -> str:
    m = report.meta
    rows = [("check", "bound", "estimate", "CI", "n", "verdict", "decided by")]
    for o in report.outcomes:
        ci = "-" if o.low is None else f"[{_num(o.low)}, {_num(o.high)}]"
        rows.append((o.check.id, o.check.bound, _num(o.mean), ci, str(o.n), o.verdict.upper(),
                     o.rule))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [_header(m, report.outcomes), ""]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    notes = [f"  {o.verdict.upper()}: {o.message}" for o in report.outcomes if o.message]
    return "\n".join([*lines, "", *notes, report.summary_line()])


def _straddle_rule(warn: str | None, outcomes: list[Outcome]) -> str:
    """What happened to CIs still straddling a bound at the budget — only if one did."""
    if not any("straddles" in o.rule for o in outcomes):
        return "no CI straddled its bound at the budget"
    if warn == "fail":
        return "a CI still straddling its bound at the budget fails (decision.warn: fail)"
    return ("a CI still straddling its bound at the budget warns if the estimate meets the "
            "bound, else fails (decision.warn: pass)")


def _header(m: dict, outcomes: list[Outcome]) -> str:
    reps, dec = m.get("replications", {}), m.get("decision", {})
    level, conf = m.get("level", 0.95), m.get("confidence", 0.95)
    looks = len(reps.get("plan", [])) or 1
    how = ("point estimates" if dec.get("policy") == "mean" else
           f"{_pct(level)} CIs" + (f" ({_pct(conf)} split over {looks} possible looks)"
                                 if level != conf else ""))
    base = m.get("baseline")
    lines = [f"ccsim check: scenario {m.get('scenario')}, policy {m.get('policy')}, seed "
             f"{m.get('seed')}, SLA {m.get('sla')}",
             f"decided on {how}; {_straddle_rule(dec.get('warn'), outcomes)}",
             f"replications: {reps.get('used')} (looked at "
             f"{', '.join(map(str, reps.get('looks', [])))}; budget {reps.get('max')})"]
    if base:
        lines.append(f"baseline: {base['path']} (ccsim {base.get('ccsim_version')}, config "
                     f"{base.get('config_hash')}), paired by replication")
    return "\n".join(lines)


def write_json(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_dict(), indent=2, allow_nan=False) + "\n")


def junit_xml(report: Report) -> str:
    """JUnit XML: one ``<testcase>`` per check; ``<failure>`` for a missed one; a warning
    is a passing test case with a note in ``<system-out>``."""
    import xml.etree.ElementTree as ET

    m = report.meta
    n_fail = len(report.ids(FAIL))
    seconds = f"{m.get('seconds', 0.0):.3f}"
    counts = {"tests": str(len(report.outcomes)), "failures": str(n_fail), "errors": "0",
              "skipped": "0", "time": seconds}
    root = ET.Element("testsuites", {"name": "ccsim check", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": f"ccsim check {m.get('scenario')}",
                                              **counts})
    props = ET.SubElement(suite, "properties")
    for k in ("scenario", "policy", "seed", "config_hash", "sla", "ccsim_version"):
        ET.SubElement(props, "property", {"name": k, "value": str(m.get(k))})
    for o in report.outcomes:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"ccsim.{'baseline' if o.check.kind == 'baseline' else 'sla'}."
                         f"{m.get('scenario')}",
            "name": f"{o.check.id} {o.check.bound}", "time": "0"})
        if o.verdict == FAIL:
            fail = ET.SubElement(case, "failure", {"message": o.message, "type": "SLAMissed"})
            fail.text = _detail(o)
        out = ET.SubElement(case, "system-out")
        out.text = (f"WARNING: {o.message}\n" if o.verdict == WARN else "") + _detail(o)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _detail(o: Outcome) -> str:
    ci = "-" if o.low is None else f"[{_num(o.low)}, {_num(o.high)}]"
    return (f"{o.check.id}: estimate {_num(o.mean)}, CI {ci}, n {o.n}, bound "
            f"{o.check.bound}, verdict {o.verdict} ({o.rule})")


def write_junit(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit_xml(report))
