"""``ccsim check``: exit 0 when every SLA target is met, 1 when one is missed, 2 on bad
input (one line on stderr)."""

from __future__ import annotations

import argparse
import sys

EXIT_BAD_INPUT = 2
EPILOG = """\
Overrides are those of ccsim (scenario=NAME, policy=NAME, experiment=NAME, seed=N,
scenario.groups.general_desk.extra_agents=-2, ...); n_reps=N sets the first look,
confidence=X the confidence level. The SLA spec (sla/SCENARIO.yaml by default)
lists targets, the decision policy and the replication budget: see README.md.
Exit codes: 0 every target met, 1 a target missed, 2 bad input."""


class _BadArgs(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ccsim check", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="SLA regression gate: run seeded replications of a scenario and judge\n"
                    "every target of an SLA spec on its confidence interval.")
    p.add_argument("--sla", metavar="NAME|PATH",
                   help="SLA spec: a name in sla/ or a YAML file (default: the "
                        "scenario's name)")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML (one test case per check)")
    p.add_argument("--json", metavar="FILE", help="write a JSON summary")
    p.add_argument("--baseline", metavar="FILE",
                   help="also compare with a saved baseline, paired by replication")
    p.add_argument("--save-baseline", metavar="FILE",
                   help="save this run's per-replication KPIs (runs the whole budget)")
    p.add_argument("--max-reps", metavar="N", type=int,
                   help="replication budget (default: the spec's replications.max)")
    p.add_argument("--jobs", metavar="N", type=int, default=1,
                   help="worker processes for replications (default 1)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="ccsim config overrides")

    def error(message: str):
        raise _BadArgs(f"{message}; see ccsim check --help")

    p.error = error  # type: ignore[method-assign]
    return p


def fail_line(message: str) -> None:
    print(f"ccsim check: error: {' '.join(str(message).split())}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """``ccsim check [--sla NAME] [KEY=VALUE ...]``: the SLA gate (exit 0 met, 1 missed,
    2 bad input)."""
    try:
        args = _parser().parse_intermixed_args(sys.argv[1:] if argv is None else argv)
    except _BadArgs as exc:
        fail_line(str(exc))
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.jobs < 1:
        fail_line("--jobs: must be an integer >= 1")
        return EXIT_BAD_INPUT
    return _run(args)


def _run(args) -> int:
    from pathlib import Path

    from sim.check.gate import run_check
    from sim.check.report import write_json, write_junit
    from sim.check.spec import SLAError

    log = None if args.quiet else (lambda line: print(line, flush=True))
    try:
        report = run_check(args.overrides, args.sla, max_reps=args.max_reps,
                           baseline=args.baseline, save_baseline=args.save_baseline,
                           jobs=args.jobs, log=log)
        if args.junit:
            write_junit(report, Path(args.junit))
        if args.json:
            write_json(report, Path(args.json))
    except SLAError as exc:
        fail_line(str(exc))
        return EXIT_BAD_INPUT
    except OSError as exc:
        fail_line(f"{exc.filename}: cannot write: {exc.strerror}")
        return EXIT_BAD_INPUT
    print(report.table())
    return report.exit_code
