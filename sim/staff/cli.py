"""``ccsim staff [OVERRIDES] --sla SPEC [--shifts FILE] [--name NAME] [--out FILE]
[--report-dir DIR]``: exit 0 when the plan meets every target, 1 when targets cannot be
met within the maximum headcount (the best plan is still written, misses listed), 2 on
bad input (one line on stderr)."""

from __future__ import annotations

import argparse
import sys

from sim.errors import OneLineParser

EPILOG = """\
Overrides are those of ccsim (scenario=NAME, policy=NAME, experiment=NAME, seed=N, keys).
--sla takes the ccsim check spec (a name in sla/ or a YAML file). Writes the planned
scenario (--out, default outputs/staff/scenario/NAME.yaml: run it with
ccsim 'hydra.searchpath=[file://outputs/staff]' scenario=NAME), and in --report-dir
(default outputs/staff/NAME): staffing.csv, verification.json, plan.json, report.html,
and with --shifts roster.csv. See README.md, "Staffing plans".
Exit codes: 0 plan meets every target, 1 targets missed within the maximum headcount,
2 bad input."""


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="ccsim staff", epilog=EPILOG,
                      formatter_class=argparse.RawDescriptionHelpFormatter,
                      description="Plan the staffing per desk and interval (and with --shifts "
                                  "a roster) that\nmeets every target of an SLA spec at least "
                                  "cost, verified by simulation.")
    p.add_argument("--sla", metavar="NAME|PATH", required=True,
                   help="SLA spec (ccsim check format): a name in sla/ or a YAML file")
    p.add_argument("--shifts", metavar="FILE", help="shift templates (YAML); writes roster.csv")
    p.add_argument("--name", metavar="NAME", help="name of the plan (default SCENARIO_plan)")
    p.add_argument("--out", metavar="FILE", help="planned scenario YAML")
    p.add_argument("--report-dir", metavar="DIR", help="where the tables and report go")
    p.add_argument("--max-agents", metavar="N", type=int,
                   help="maximum headcount of any desk in any interval (default: no cap)")
    p.add_argument("--max-iterations", metavar="N", type=int, default=6,
                   help="simulated rescale iterations (default 6)")
    p.add_argument("--removal-trials", metavar="N", type=int, default=4,
                   help="single agent-intervals tried for removal at the end (default 4)")
    p.add_argument("--jobs", metavar="N", type=int, default=2,
                   help="worker processes for replications (default 2; same numbers)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="ccsim config overrides")
    return p


def fail_line(message: str) -> int:
    print(f"ccsim staff: error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def _check_options(args) -> None:
    from sim.staff.goals import StaffError

    if args.max_agents is not None and args.max_agents < 1:
        raise StaffError(f"--max-agents: the maximum headcount must be an integer >= 1, got "
                         f"{args.max_agents}")
    for opt, low in (("max_iterations", 1), ("removal_trials", 0), ("jobs", 1)):
        if getattr(args, opt) < low:
            raise StaffError(f"--{opt.replace('_', '-')}: must be an integer >= {low}")
    if args.name is not None and (not args.name or "/" in args.name or args.name.startswith(".")):
        raise StaffError(f"--name: must be a plain file name, got {args.name!r}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_intermixed_args(sys.argv[1:] if argv is None else argv)
    from sim.check.spec import SLAError
    from sim.staff.goals import StaffError

    try:
        _check_options(args)
        from sim.staff.plan import plan

        result = plan(args)
    except (StaffError, SLAError) as exc:
        return fail_line(str(exc))
    except OSError as exc:
        return fail_line(f"{exc.filename}: cannot write: {exc.strerror}")
    return result
