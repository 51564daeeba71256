"""The Dash app and the ``ccsim serve`` command: options, start-up line, shutdown.

Why Dash: it is plotly's own framework, so the comparison report's figures
(sim.report.compare_report) render in the page unchanged; its callbacks are plain Python
over the project's own config, runner and sweep tables, with no JavaScript to keep."""

from __future__ import annotations

import sys
from pathlib import Path

HOST = "127.0.0.1"  # local only: the app has no authentication
DEFAULT_PORT = 8050
DEFAULT_SCENARIO = "hotline_small"


def parser():
    from sim.errors import OneLineParser

    p = OneLineParser(prog="ccsim serve", description=(
        "A what-if web page on 127.0.0.1: pick a scenario, change agents, volume, tier mix, "
        "patience, waiting rules, routing policy or opening hours, run it against the "
        "unchanged scenario with common random numbers, see paired differences, save the "
        "scenario, export the comparison report, plan the staffing."))
    p.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                   help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    p.add_argument("--out", type=Path, default=Path("outputs/serve"), metavar="DIR",
                   help="the app's own folder: jobs, saved scenarios, reports "
                        "(default outputs/serve)")
    p.add_argument("--workers", type=int, default=2, metavar="N",
                   help="worker processes running simulations (default 2)")
    p.add_argument("--scenario", default=DEFAULT_SCENARIO, metavar="NAME",
                   help=f"scenario shown first (default {DEFAULT_SCENARIO})")
    return p


def create_app(out_dir: Path, runner, scenario: str = DEFAULT_SCENARIO):
    """The Dash app over ``runner`` (a sim.serve.jobs.Runner) writing under ``out_dir``."""
    import dash

    from sim.serve import callbacks, layout, scenarios

    choices = scenarios.choices(out_dir)
    default = f"shipped:{scenario}"
    app = dash.Dash(__name__, title="ccsim what-if", suppress_callback_exceptions=True,
                    update_title="")
    app.layout = layout.page(choices, default, str(out_dir))
    callbacks.register(app, runner, out_dir)
    return app


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    from sim.serve.scenarios import shipped

    if not 1 <= args.port <= 65535:
        return _fail(f"--port: must be 1..65535, got {args.port}")
    if args.workers < 1:
        return _fail(f"--workers: must be >= 1, got {args.workers}")
    if args.scenario not in shipped():
        return _fail(f"--scenario: unknown scenario {args.scenario!r}; allowed: "
                     f"{', '.join(shipped())}")
    out_dir = args.out.resolve()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"--out: cannot write {args.out}: {exc.strerror}")
    import logging
    import signal

    from sim.serve.jobs import Runner

    def stop(_sig, _frame):  # SIGTERM: leave through finally, so the workers stop too
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    runner = Runner(out_dir, args.workers)
    try:
        app = create_app(out_dir, runner, args.scenario)
        print(f"ccsim serve: http://{HOST}:{args.port}/ (this machine only; writes under "
              f"{out_dir}; Ctrl-C stops)", flush=True)
        app.run(host=HOST, port=args.port, debug=False)
    except OSError as exc:
        return _fail(f"--port: cannot listen on {HOST}:{args.port}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        pass
    finally:
        runner.close()
    return 0


def _fail(message: str) -> int:
    print(f"ccsim serve: error: {message}", file=sys.stderr)
    return 2
