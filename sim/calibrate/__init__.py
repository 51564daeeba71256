"""``ccsim calibrate LOG`` and ``ccsim validate [LOG]``: a scenario from real call logs, and
the proof that it looks like the centre that produced them.

Readers of logs are adapters (``sim.calibrate.schema``); the method is in
``sim.calibrate.calibration``; the comparison in ``sim.calibrate.validate``. Bad input
(missing file, unknown format or day type, missing column) is one line on stderr and
exit code 2; rows the adapter cannot use are counted in the data-quality table.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from sim.errors import OneLineParser

FIT_ON = ("mean-day", "day-mix")  # --fit-on
EXIT_TARGET_MISSED = 1  # ccsim validate: some acceptance target missed (for CI)
SHIPPED_LOG = Path(__file__).resolve().parent.parent / "data" / \
    "anonymous_bank_january1999.txt.gz"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", default="auto", help="log format: auto (sniff the header), "
                   "generic (the documented CSV schema) or anonymous_bank")
    p.add_argument("--day-type", default="weekday", help="day type to calibrate "
                   "(anonymous_bank: weekday = Sunday-Thursday, friday, saturday; generic: "
                   "weekday = Monday-Friday, saturday, sunday)")
    p.add_argument("--weekdays", default=None, help="comma-separated day names forming "
                   "the day type 'weekday' (others are their own day type), e.g. "
                   "Monday,Tuesday,Wednesday,Thursday,Friday")
    p.add_argument("--interval-s", type=int, default=None, help="interval length, "
                   "dividing an hour (default 1800; ccsim validate --scenario: the file's)")
    p.add_argument("--reserve", type=int, default=None, help="agents kept free for the "
                   "direct line (default 1; ccsim validate --scenario: the file's header)")
    p.add_argument("--reserve-from", default="auto", help="fewest agents on duty at "
                   "which the reserve applies: auto (default; read off the log: the "
                   "headcount from which the agents idle while ACD callers wait reach the "
                   "reserve, calibration.json -> direct_line_reserve; ccsim validate "
                   "--scenario: the file's header), scan (ccsim calibrate only: the "
                   "candidate whose calibration days, simulated in a row, wait as long "
                   "as the log's; minutes) or an integer >= 0 (0: at every headcount, "
                   "the model before the rule)")
    p.add_argument("--hold-freed", default=None, help="on (default; ccsim validate "
                   "--scenario: the file's header): an agent who frees himself while ACD "
                   "callers wait is held for the reserve like an idle one; off: he takes "
                   "the waiting caller, and the reserve keeps only idle agents from "
                   "arriving ACD callers (the log's first freed agent: FINDINGS item 30)")
    p.add_argument("--hidden-fill", default="auto", help="share of the agents' unlogged "
                   "time that is busy: auto (fit by simulation) or a number")
    p.add_argument("--hidden-fill-by", default="day",
                   help="day (default): one fill for the whole day; hour: one per hour of "
                        "the day, each fitted to that hour's share answered at once (hours "
                        "with fewer than 200 callers share one), and a prediction keeps "
                        "the hidden work's share of available time hour by hour")
    p.add_argument("--hidden-base", default="unlogged",
                   help="what the fill is a share of: unlogged (default), the agents' "
                        "time present and not talking; available, their time present "
                        "(capped by the unlogged time), so hidden work grows with "
                        "headcount, not with idle time (FINDINGS item 9)")
    p.add_argument("--fit-on", default="mean-day",
                   help="what the hidden-work fill's simulations run: mean-day (default), "
                        "one mean day of the day type; day-mix, the calibration days in a "
                        "row, each with its own volumes and staffing (as ccsim validate "
                        "--day-mix and a prediction of days from their volumes simulate "
                        "them; one run of all the days per step, slower)")
    p.add_argument("--seed", type=int, default=1, help="seed of the simulations (default 1)")
    p.add_argument("--answer-delay", default="auto",
                   help="answer delay of classes never answered at once: auto (estimated "
                        "from the log) or off")
    p.add_argument("--availability", default="auto",
                   help="agents' presence: auto (fractional, on-call agents where the log "
                        "answered calls), states (auto plus agents not ready after calls, "
                        "read off their gaps after hang-ups while callers waited; hidden "
                        "work keeps the rest) or off (rounded headcount)")
    p.add_argument("--not-ready", default="off",
                   help="on: agents not ready by the share measured in the log while "
                        "callers wait (an upper bound) instead of hidden work; off "
                        "(default): measured and reported only")
    p.add_argument("--last-agent-stays", default="on",
                   help="on (default): when presence falls to no agent, the last agent "
                        "serves the callers still waiting before logging out (the log: "
                        "few last agents leave a caller waiting); off: he leaves at once")
    p.add_argument("--reaction", default=None,
                   help="on (default; off with --availability off): agents in hidden work "
                        "come back for a caller who has waited a reaction time read off the "
                        "log (waits at an empty queue of the classes without an answer "
                        "delay); hidden tasks then read off the agents' unlogged stretches; "
                        "needs --availability auto or states. off: no such rule, hidden "
                        "tasks by the method of moments (the model before it)")
    p.add_argument("--direct-reaction", default="off",
                   help="at-once: an agent in hidden work takes a direct-line caller at once "
                        "when no agent is idle (the direct line's own reaction time, 0; the "
                        "log: direct-line callers answered at once while ACD callers "
                        "waited), a rule that protects the direct line without keeping an "
                        "agent idle (use with --reserve 0; needs --reaction on); off "
                        "(default): the direct line waits the group's reaction time")
    p.add_argument("--holidays", default="auto",
                   help="holiday table: auto (the bank's israel_1999 for anonymous_bank "
                        "logs, none for generic ones), none, a name in sim/data/holidays or "
                        "a .yaml file; a holiday is calibrated as the day type of the "
                        "weekday it behaves like, a special day without one is left out")
    p.add_argument("--days", default="all",
                   help="which days of the day type to calibrate on: all, first-half, "
                        "second-half, odd, even (days of the month)")


def _interval_s(args) -> int:
    """--interval-s, else a --scenario file's own (its predicted and day-mix days are
    read off the log at the file's intervals), else 1800."""
    if getattr(args, "scenario", None) is None:
        return 1800 if args.interval_s is None else args.interval_s
    from sim.calibrate import scenario as scn_io

    own = (scn_io.read(args.scenario).get("horizon") or {}).get("interval_s", 1800)
    if args.interval_s is not None and args.interval_s != own:
        raise ValueError(f"--interval-s {args.interval_s}: allowed: the scenario file's "
                         f"own, {own} (--scenario {args.scenario}), or leave it out")
    return int(own)


def _options(args, name: str):
    from sim.calibrate.calibration import Options

    fill = None
    if args.hidden_fill != "auto":
        try:
            fill = float(args.hidden_fill)
        except ValueError:
            raise ValueError(f"--hidden-fill {args.hidden_fill!r}: allowed: auto or a "
                             "number >= 0") from None
        if not 0 <= fill < math.inf:
            raise ValueError(f"--hidden-fill {args.hidden_fill}: allowed: auto or a finite "
                             f"number >= 0")
    args.interval_s = _interval_s(args)
    if not (60 <= args.interval_s <= 86400 and 86400 % args.interval_s == 0):
        raise ValueError(f"--interval-s {args.interval_s}: allowed: a divisor of 86400 "
                         f"between 60 and 86400 (e.g. 900, 1800, 3600)")
    if args.answer_delay not in ("auto", "off"):
        raise ValueError(f"--answer-delay {args.answer_delay!r}: allowed: auto, off")
    if args.availability not in ("auto", "states", "off"):
        raise ValueError(f"--availability {args.availability!r}: allowed: auto, states, off")
    reaction = args.reaction  # default: on, off without availability (a key of it)
    if reaction is None:
        reaction = "off" if args.availability == "off" else "on"
    for option, value in (("--not-ready", args.not_ready),
                          ("--last-agent-stays", args.last_agent_stays),
                          ("--reaction", reaction)):
        if value not in ("on", "off"):
            raise ValueError(f"{option} {value!r}: allowed: on, off")
    if args.hidden_fill_by not in ("day", "hour"):
        raise ValueError(f"--hidden-fill-by {args.hidden_fill_by!r}: allowed: day, hour")
    from sim.calibrate.hidden import BASES

    if args.hidden_base not in BASES:
        raise ValueError(f"--hidden-base {args.hidden_base!r}: allowed: {', '.join(BASES)}")
    if args.hidden_base != "unlogged" and args.hidden_fill_by != "day":
        raise ValueError(f"--hidden-base {args.hidden_base}: needs --hidden-fill-by day "
                         "(one fill per hour is one share of each hour's unlogged time); "
                         "allowed: --hidden-base unlogged")
    if args.fit_on not in FIT_ON:
        raise ValueError(f"--fit-on {args.fit_on!r}: allowed: {', '.join(FIT_ON)}")
    if args.direct_reaction not in ("at-once", "off"):
        raise ValueError(f"--direct-reaction {args.direct_reaction!r}: allowed: at-once, off")
    if args.direct_reaction == "at-once" and reaction == "off":
        raise ValueError("--direct-reaction at-once: needs --reaction on (the direct line's "
                         "own reaction time); allowed: --direct-reaction off")
    if reaction == "on" and args.availability == "off":
        raise ValueError("--reaction on: needs --availability auto or states (the rule is "
                         "a key of the agents' availability); allowed: --reaction off")
    from sim.calibrate.calibration import DAY_SELECTIONS

    if args.days not in DAY_SELECTIONS:
        raise ValueError(f"--days {args.days!r}: allowed: {', '.join(DAY_SELECTIONS)}")
    reserve = 1 if args.reserve is None else args.reserve
    if reserve < 0:
        raise ValueError(f"--reserve {reserve}: allowed: an integer >= 0")
    reserve_from = None if args.reserve_from in ("auto", "scan") else _count(args.reserve_from)
    if args.hold_freed not in (None, "on", "off"):
        raise ValueError(f"--hold-freed {args.hold_freed!r}: allowed: on, off")
    if args.holidays != "auto":  # a bad table before the (slower) log
        from sim.forecast.holidays import table

        table(args.holidays, False)
    day_types = None
    if args.weekdays:
        names = [d.strip().capitalize() for d in args.weekdays.split(",") if d.strip()]
        week = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        bad = [d for d in names if d not in week]
        if bad:
            raise ValueError(f"--weekdays {bad[0]!r}: unknown day; allowed: {', '.join(week)}")
        day_types = {d: ("weekday" if d in names else d.lower()) for d in week}
    return Options(day_type=args.day_type, day_types=day_types, interval_s=args.interval_s,
                   reserve=reserve, reserve_from=reserve_from, hidden_fill=fill,
                   name=name, seed=args.seed,
                   answer_delay=args.answer_delay == "auto",
                   availability=args.availability != "off",
                   states=args.availability == "states", days=args.days,
                   not_ready=args.not_ready == "on",
                   last_agent_stays=args.last_agent_stays == "on",
                   reaction=reaction == "on", holidays=args.holidays,
                   direct_reaction=args.direct_reaction == "at-once",
                   fill_by=args.hidden_fill_by, hidden_base=args.hidden_base,
                   fit_on=args.fit_on, hold_freed=args.hold_freed != "off")


def _count(text: str) -> int:
    """``--reserve-from``'s integer, or the one-line error naming what is allowed."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"--reserve-from {text!r}: allowed: auto, scan (ccsim calibrate) "
                         f"or an integer >= 0")
    return value


def _perfect_model_note(waits: dict) -> str:
    """What a model right in distribution would show (``validate.long_waits``)."""
    from sim.calibrate.validate import FLAG_ALPHA

    if "perfect_model_passes" not in waits:
        return ""
    unit = "days" if waits["sim_units"] == waits["sim_days"] else "runs of the days"
    return (f"; {waits['sim_units_beyond']} of {waits['sim_units']} simulated {unit} "
            f"beyond it, which a model right in distribution shows with chance "
            f"{waits['p_value']:.3g} (a missed target under {FLAG_ALPHA:g}; it has "
            f"{waits['perfect_model_longer_per_day']:.2f} callers a day beyond the log's "
            f"longest, and none with chance {waits['perfect_model_passes']:.2f} against "
            f"the log's {waits['log_days']} days)")


def _run(body, args) -> int:
    """Run a command body; bad input becomes one line and exit 2."""
    from sim.errors import one_line

    return one_line(lambda: body(args), "ccsim", str(args.log),
                    "a complete plain or gzip call log, a writable --out")


def _load_and_calibrate(args, name: str, tune: bool = True):
    from sim.calibrate.calibration import calibrate
    from sim.calibrate.schema import read_log, sniff
    from sim.calibrate.summary import calendar_lines

    opts = _options(args, name)  # option errors before the (slower) log
    path = Path(args.log)
    _step(f"reading {path} ...")
    df, dq = read_log(path, args.format)
    fmt = sniff(path) if args.format == "auto" else args.format
    print(dq.table())
    if not tune and opts.hidden_fill is None:
        opts.hidden_fill = 1.0  # a scenario file is simulated: its own fill applies
    _step("fitting arrivals, handle times, patience and staffing"
          + (", then tuning hidden work by simulation" if tune else "") + " ...")
    in_a_row = _days_in_a_row(args) if opts.fit_on == "day-mix" else None
    cal = calibrate(df, dq, opts, fmt, in_a_row)
    for line in calendar_lines(cal.report["calendar"]):
        print(line)
    return cal, dq


def _step(text: str) -> None:
    """A progress line (stdout, so stderr keeps its one line for bad input): long steps
    are never silent, CI logs included."""
    print(text, flush=True)


def _writable(option: str, path: Path) -> None:
    """Fail before the calibration, not after it, when an output cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        with open(path, "a"):
            pass
        if not existed:
            path.unlink()
    except OSError as exc:
        raise ValueError(f"{option} {path}: cannot write ({exc.strerror or exc}); allowed: "
                         f"a path in a writable directory") from None


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, default=_plain, allow_nan=True) + "\n")


def _plain(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o).__name__)


def main(argv: list[str]) -> int:
    """``ccsim calibrate LOGFILE``: write a calibrated scenario and its evidence."""
    p = _calibrate_parser()
    args = p.parse_args(argv)
    if args.scan_reps < 2:
        p.error(f"--scan-reps {args.scan_reps}: allowed: an integer >= 2")
    if args.reserve_from == "scan" and args.reserve == 0:
        p.error("--reserve-from scan: needs a reserve to place; allowed: --reserve >= 1")
    args.command_line = "ccsim calibrate " + " ".join(argv)
    return _run(_calibrate_cmd, args)


def _calibrate_parser(cls: type[OneLineParser] = OneLineParser) -> OneLineParser:
    p = cls(prog="ccsim calibrate", description=(
        "Calibrate a scenario from a call log: arrivals per interval, day type and class, "
        "IVR, handle and patience laws (goodness of fit reported), staffing, priority "
        "rule. Writes the scenario YAML and, in --report-dir, calibration.json, "
        "arrival_rates.csv and data_quality.json."))
    p.add_argument("log", metavar="LOGFILE", help="call log (.gz allowed)")
    p.add_argument("--out", type=Path, default=None,
                   help="scenario file to write (default outputs/calibrate/NAME.yaml)")
    p.add_argument("--name", default="calibrated", help="scenario name (default calibrated)")
    p.add_argument("--report-dir", type=Path, default=Path("outputs/calibrate"),
                   help="where the evidence goes (default outputs/calibrate)")
    p.add_argument("--scan-reps", type=int, default=5, help="--reserve-from scan: runs "
                   "of the calibration days per candidate (default 5)")
    _common(p)
    return p


def _calibrate_cmd(args) -> int:
    from sim.calibrate import scenario as scn_io
    from sim.calibrate.summary import summary_text
    from sim.schema.trust import check_name

    check_name("--name", args.name)
    out = args.out or Path("outputs/calibrate") / f"{args.name}.yaml"
    _writable("--out", out)
    _writable("--report-dir", args.report_dir / "calibration.json")
    cal, dq = _load_and_calibrate(args, args.name)
    if args.reserve_from == "scan":
        cal = _scan_reserve(args, cal)
    scn_io.write(cal, out, args.command_line)
    rd = args.report_dir
    rd.mkdir(parents=True, exist_ok=True)
    _write_json(rd / "calibration.json", cal.report)
    _write_json(rd / "data_quality.json", dq.to_dict())
    cal.arrivals.to_csv(rd / "arrival_rates.csv", index=False, float_format="%.4f")
    print(summary_text(cal))
    print(f"scenario: {out}\nevidence: {rd}/calibration.json, {rd}/arrival_rates.csv, "
          f"{rd}/data_quality.json")
    return 0


def _scan_reserve(args, first):
    """``--reserve-from scan``: the calibration at the candidate whose days, simulated in
    a row, wait as long as the log's (``sim.calibrate.reserve_scan``), from ``first``
    (the idle-agent table's value) on."""
    import copy
    import math

    from sim.calibrate.reserve_scan import day_mix_wait_error, method, search

    start = first.report["direct_line_reserve"]["used"]
    top = math.ceil(max(first.report["staffing"]["pool"]) - 1e-9) + 1  # above: never held
    cals = {min(start, top): first}

    def at(n: int):
        a = copy.copy(args)
        a.reserve_from, a.predict = str(n), None  # in sample: the calibration's days
        return a

    def error(n: int) -> float:
        if n not in cals:
            _step(f"--reserve-from scan: calibrating with --reserve-from {n} ...")
            cals[n] = _load_and_calibrate(at(n), args.name)[0]
        _step(f"--reserve-from scan: {n}: the calibration days in a row ...")
        cal = cals[n]
        days = _day_mix(at(n), cal.scenario, cal.report, cal.log)
        got = day_mix_wait_error(cal, days, args.scan_reps, args.seed)
        _step(f"--reserve-from scan: {n}: mean wait {got:+.1%} against the log")
        return got

    chosen, tried = search(error, start, top)
    cal = cals[chosen]
    cal.report["direct_line_reserve"]["scan"] = {
        "table_value": start, "chosen": chosen, "mean_wait_relative_error": tried,
        "method": method(args.scan_reps, args.seed)}
    return cal


def validate_main(argv: list[str]) -> int:
    """``ccsim validate [LOGFILE]``: simulate the calibrated scenario, compare with the log."""
    p = validate_parser()
    args = p.parse_args(argv)
    if args.n_reps < 2:
        p.error(f"--n-reps {args.n_reps}: allowed: an integer >= 2 (CIs need two)")
    if args.reserve_from == "scan":
        p.error("--reserve-from scan: a calibration's option (ccsim calibrate); allowed: "
                "auto or an integer >= 0")

    def body(a) -> int:  # the header read under _run: a bad file is one line, exit 2
        if a.scenario is not None:
            header_options(p, argv, a)
        return _validate_cmd(a)

    return _run(body, args)


def validate_parser() -> OneLineParser:
    p = OneLineParser(prog="ccsim validate", description=(
        "Simulate the calibrated scenario (replications, seeded) and compare it with the "
        "log overall and hour by hour: abandonment, share served at once, mean wait of "
        "served callers, service level, answered volume, each with the log's own noise "
        "(log sd: a log of these days as the model makes it) and z, the difference in "
        "standard deviations. Writes validation.csv, "
        "validation_hourly.csv, validation_by_class.csv, data_quality.json, "
        "calibration.json and the run outputs (summary.json ...) to --out. Exit code 0 "
        "when every target is met, 1 when any is missed (named on the last lines), 2 for "
        "bad input."))
    p.add_argument("log", metavar="LOGFILE", nargs="?", default=str(SHIPPED_LOG),
                   help="call log (default: the shipped Anonymous Bank January 1999 log)")
    p.add_argument("--scenario", type=Path, default=None, help="simulate this calibrated "
                   "scenario file instead of calibrating afresh (classes must match)")
    p.add_argument("--n-reps", type=int, default=20, help="replications (default 20)")
    p.add_argument("--predict", default=None, metavar="DAY_TYPE[:DAYS]",
                   help="keep the calibration's behaviour and predict other days given only "
                        "their volumes and staffing, e.g. friday, saturday, "
                        "weekday:second-half; compared with those days of --predict-log "
                        "against the out-of-sample targets")
    p.add_argument("--predict-log", default=None, metavar="LOGFILE",
                   help="log of the predicted days (default: LOGFILE)")
    p.add_argument("--day-mix", action="store_true",
                   help="simulate the compared days one after another, each with its own "
                        "volumes and staffing, instead of their mean day; adds each day's "
                        "figures against the log (validation_by_day.csv) and r over the days")
    p.add_argument("--out", type=Path, default=Path("outputs/validate"),
                   help="output directory (default outputs/validate)")
    _common(p)
    return p


# the calibration options that make the model (not where its outputs go, nor its fill,
# which is in the file, nor the policy, which its header names): ``validate --scenario``
# takes them from the file's header unless given
CARRIED = ("day_type", "weekdays", "days", "holidays", "answer_delay", "availability",
           "not_ready", "last_agent_stays", "reaction", "direct_reaction", "hidden_fill_by",
           "hidden_base")


class _HeaderParser(OneLineParser):
    def error(self, message: str):
        raise ValueError(message)


def header_options(parser, argv: list[str], args) -> list[str]:
    """Validate a --scenario file as the model it was calibrated as: each option of
    ``CARRIED`` not given on the command line takes the value its header's ``ccsim
    calibrate`` command gave (a prediction rebuilds presence, the not-ready share and
    the hidden work from these options, so a file calibrated with ``--not-ready on`` was
    predicted without it); one given and different overrides it aloud. Returns the
    notes printed."""
    from sim.calibrate import scenario as scn_io

    recorded = scn_io.header_command(Path(args.scenario))
    if recorded is None:
        return []
    try:
        header = _calibrate_parser(_HeaderParser).parse_args(recorded)
    except (ValueError, SystemExit):
        return _say([f"note: the calibration command in the header of {args.scenario} "
                     "is unreadable; its options are not carried"])
    unset = object()
    probe = argparse.Namespace(**dict.fromkeys(CARRIED, unset))
    parser.parse_args(argv, namespace=probe)  # what was given: defaults do not overwrite
    notes, taken = [], []
    for dest in CARRIED:
        mine, theirs, flag = getattr(args, dest), getattr(header, dest), _flag(dest)
        if mine == theirs:
            continue
        if getattr(probe, dest) is unset:
            setattr(args, dest, theirs)
            taken.append(f"{flag} {theirs}")
        else:
            notes.append(f"note: {flag} {mine} overrides {flag} {theirs} of the scenario "
                         f"file's calibration (its header)")
    if taken:
        notes.insert(0, "note: calibrated with " + " ".join(taken) + " (the scenario "
                        "file's header): validated as such")
    return _say(notes)


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _say(notes: list[str]) -> list[str]:
    for n in notes:
        print(n)
    return notes


def _validate_cmd(args) -> int:
    import pandas as pd

    from sim.calibrate import scenario as scn_io
    from sim.calibrate import validate as val
    from sim.calibrate.calibration import DIRECT_QUEUE

    cal, dq = _load_and_calibrate(args, "validation", tune=args.scenario is None)
    scenario, policy = cal.scenario, cal.policy
    if args.scenario is not None:
        scenario = scn_io.read(args.scenario)
        policy, reserve = _scenario_policy(args, scenario, cal.report)
        # the predicted or day-mix days' presence (its on-call agent) under that reserve
        args.reserve, args.reserve_from = reserve["reserve"], str(reserve["reserve_from"])
        cal.report["scenario_file"] = str(args.scenario)
        cal.report["hidden_work"]["fill"] = "as in the scenario file (its header)"
        unknown = sorted(set(scenario["classes"]) - set(cal.scenario["classes"]))
        if unknown:
            raise ValueError(f"--scenario {args.scenario}: class {unknown[0]!r} is not a "
                             f"class of this log; allowed: "
                             f"{', '.join(sorted(cal.scenario['classes']))} (for a scenario "
                             f"of other days: --predict DAY_TYPE --predict-log LOG)")
    if _fitted_on_days(args, cal.report) and not args.day_mix:
        print("note: its hidden work was fitted on the calibration days in a row "
              "(--fit-on day-mix); --day-mix validates it as it was fitted")
    log, targets, min_r, what = cal.log, None, None, f"{args.day_type} days"
    behaviour, days = scenario, 1
    if args.predict is not None:
        scenario, log, dq, what = _prediction(args, scenario, cal)
        targets, min_r = val.PREDICT_TARGETS, val.PREDICT_MIN_R
    if args.day_mix:
        scenario = _day_mix(args, behaviour, cal.report, log)
        days = scenario["horizon"]["days"]
        what += f", each simulated with its own volumes and staffing ({days} days a run)"
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    res = val.simulate_scenario(scenario, policy, args.n_reps, args.seed, out)
    result = val.compare(log, res.intervals, float(scenario.get("service_level_s", 20)),
                         res.summary.get("confidence", 0.95), targets, min_r, days)
    waits = val.long_waits(log, res.extra_frames.get("wait_histogram"), days)
    direct = [c for c, v in scenario["classes"].items() if v.get("queue") == DIRECT_QUEUE]
    lost = val.lost_direct(res.intervals, log, days, direct)  # of the compared days
    extra = [val.long_wait_row(waits), val.lost_direct_row(lost),
             val.tail_row(log, res.extra_frames.get("wait_histogram"))]
    if args.day_mix:
        from sim.calibrate import day_mix

        daily = day_mix.by_day(log, res.intervals, sorted(log["date"].unique()))
        day_mix.long_table(daily).to_csv(out / "validation_by_day.csv", index=False,
                                         float_format="%.6g")
        extra += day_mix.day_rows(daily)
    result["overall"] = pd.concat([result["overall"], pd.DataFrame(extra)],
                                  ignore_index=True)
    if waits["sim_max_s"] > waits["log_max_s"]:
        print(f"warning: simulated waits up to {waits['sim_max_s']:.0f} s, longer than "
              f"anything in the log ({waits['log_max_s']:.0f} s): "
              f"{waits['sim_longer_per_day']:.2f} callers a day"
              + _perfect_model_note(waits))
    val.write_tables(result, out)
    _write_json(out / "data_quality.json", dq.to_dict())
    _write_json(out / "calibration.json", {**cal.report, "lost_on_direct_line": lost,
                                           "long_waits": waits})
    print(f"validation on {result['n_days']} {what} of the log, "
          f"{result['n_reps']} replications (seed {args.seed}), policy {policy['name']}"
          + "".join(f" {k}={v}" for k, v in policy.get("params", {}).items()) + ":")
    print(val.format_table(result["overall"]))
    _report(out)
    print(f"outputs: {out}")
    missed = val.missed_targets(result["overall"])
    if missed:
        print(f"targets missed ({len(missed)}): {', '.join(missed)}")
        return EXIT_TARGET_MISSED
    print("every target met")
    return 0


def _fitted_on_days(args, report: dict) -> bool:
    """The validated behaviour's hidden work was fitted on the days in a row: its
    scenario file's header says so, or this run calibrated it with --fit-on day-mix."""
    if args.scenario is not None:
        from sim.calibrate.scenario import FIT_ON_DAYS_LINE

        return FIT_ON_DAYS_LINE in Path(args.scenario).read_text()
    return ((report.get("hidden_work") or {}).get("fit") or {}).get("on") == "day-mix"


def _scenario_policy(args, scenario: dict, report: dict) -> tuple[dict, dict]:
    """The policy a --scenario file is validated under, and its reserve and reserve_from:
    its header's (what it was calibrated with), an option given on the command line
    overriding it aloud; without such a header, the options and this log's evidence."""
    from sim.calibrate import scenario as scn_io
    from sim.calibrate.calibration import policy_for

    written = scn_io.header_policy(args.scenario)
    params = (written or {}).get("params", {})
    given = {"reserve": args.reserve, "reserve_from": None if args.reserve_from == "auto"
             else _count(args.reserve_from),
             "hold_freed": None if args.hold_freed is None else args.hold_freed == "on"}
    if written is None:
        used, source = report["direct_line_reserve"]["used"], "this log's evidence"
    else:
        used, source = int(params.get("reserve_from", 0)), f"the header of {args.scenario}"
    value = {"reserve": int(params.get("reserve", 1)),
             "reserve_from": used, "hold_freed": params.get("hold_freed", True) is not False}
    for key, option in given.items():
        if option is not None and option != value[key] and written is not None:
            shown = ("on" if option else "off") if isinstance(option, bool) else option
            print(f"note: --{key.replace('_', '-')} {shown} overrides {key}={value[key]} "
                  f"of the scenario file's header")
        value[key] = value[key] if option is None else option
    policy = policy_for(scenario, value["reserve"], value["reserve_from"],
                        value["hold_freed"])
    report["validated_policy"] = {**policy, "from": source if all(
        v is None for v in given.values()) else f"{source}, command-line options"}
    return policy, value


def _prediction(args, scenario: dict, cal):
    """The behaviour of ``scenario`` with the volumes and staffing of the --predict days."""
    from sim.calibrate.predict import predict_scenario

    target_args = _target_args(args)
    day_type, days = target_args.day_type, target_args.days
    _step(f"predicting {day_type} ({days} days): their volumes and staffing, this "
          f"calibration's behaviour ...")
    target, dq = _load_and_calibrate(target_args, "prediction", tune=False)
    scn, info = predict_scenario(scenario, cal.report, target)
    cal.report["prediction"] = info
    for cls, what in info["classes_moved"].items():  # never silent (calibration.json too)
        print(f"{'warning: ' if what.startswith('dropped') else ''}predicted days' class "
              f"{cls}: {what}")
    return scn, target.log, dq, f"{day_type} ({days}) days predicted"


def _target_args(args):
    """The options that read the --predict days: their day type, days and log; no
    tuning (only volumes and presence are used)."""
    import copy

    from sim.calibrate.predict import parse_target

    target_args = copy.copy(args)
    target_args.day_type, target_args.days = parse_target(args.predict)
    target_args.log = args.predict_log or args.log
    target_args.hidden_fill = "1"
    return target_args


def _day_mix(args, behaviour: dict, report: dict, log) -> dict:
    """The behaviour over the compared days of ``log``, each with its own volumes and
    presence, in a row (``sim.calibrate.day_mix``)."""
    return _in_a_row(behaviour, report, _own_days(args, log), "--day-mix")


def _own_days(args, log) -> list:
    """One calibration (volumes and presence) per day of ``log``, read from the log the
    options name (the ``--predict`` days' when predicting)."""
    from sim.calibrate.day_mix import day_calibrations
    from sim.calibrate.schema import read_log, sniff

    source = _target_args(args) if getattr(args, "predict", None) else args
    opts = _options(source, "day")
    path = Path(source.log)
    dates = sorted(log["date"].unique())
    _step(f"reading each of the {len(dates)} days' volumes and staffing ...")
    df, dq = read_log(path, source.format)
    fmt = sniff(path) if source.format == "auto" else source.format
    return day_calibrations(df, dq, opts, fmt, dates)


def _in_a_row(behaviour: dict, report: dict, days: list, option: str) -> dict:
    """``days_in_a_row``, saying what happened to each class that moved (never silent)."""
    from sim.calibrate.day_mix import days_in_a_row

    scn = days_in_a_row(behaviour, report, days)
    for cls, what in report["day_mix"]["classes_moved"].items():
        print(f"{'warning: ' if 'dropped' in what else ''}{option}: class {cls}: "
              + ", ".join(f"{w} on {n} of {len(days)} days" for w, n in what.items()))
    return scn


def _days_in_a_row(args):
    """``--fit-on day-mix``: what each step of the hidden-work fit simulates, the
    calibration at the step's fill over its own days in a row, each day read once and
    built as ``validate --day-mix`` builds it; its class notes are printed once."""
    import copy

    own = copy.copy(args)
    own.predict = None  # the calibration's own days, also under validate --predict
    days: list = []

    def simulated(cal) -> dict:
        if not days:
            days.extend(_own_days(own, cal.log))
            return _in_a_row(cal.scenario, cal.report, days, "--fit-on day-mix")
        from sim.calibrate.day_mix import days_in_a_row

        return days_in_a_row(cal.scenario, cal.report, days)
    return simulated


def _report(out: Path) -> None:
    """The run report with its calibration section, if the report module is there."""
    try:
        from sim.report import write_run_report
    except ImportError:
        return
    try:
        print(f"report: {write_run_report(out)}")
    except Exception as exc:  # the report is a bonus: never lose the validation over it
        print(f"warning: report not written ({type(exc).__name__}: {exc})", file=sys.stderr)
