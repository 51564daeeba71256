"""The lost-worker retry loop around a multirun: Ray retries a task whose worker died, the
other launchers do not (and joblib's pool fails outright), so ccsim runs the multirun again
for what never finished — replications done are skipped, every retry is recorded."""

from __future__ import annotations

import sys
from pathlib import Path

from sim import sweep
from sim.sweep_cluster import SETTINGS


def _starts() -> int:
    """Replication starts recorded so far in the running sweep (attempt lines)."""
    from sim.sweep_tasks import REPS_DIR

    sweep_dir = Path(SETTINGS["sweep_dir"]) if SETTINGS else None
    if sweep_dir is None or not sweep_dir.is_dir():
        return 0
    return sum(len(p.read_bytes().splitlines())
               for p in sweep_dir.rglob(f"{REPS_DIR}/rep_*.attempts"))


def run_multirun(app) -> None:
    """Run the multirun; while replications were lost (a worker or node died, the
    launcher failed), run it again for them, at most ``sweep.retries`` more times."""
    SETTINGS.clear()
    sweep.FAILED.clear()
    sweep.INCOMPLETE.clear()
    rounds = 0
    while True:
        error = None
        started = _starts()
        try:
            app()
        except SystemExit:
            raise
        except Exception as exc:  # a launcher that fails outright (a worker killed)
            if not SETTINGS:
                raise
            error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]
            if _starts() == started:  # it failed before any task started: not a lost worker
                break
        if not (error or sweep.INCOMPLETE) or rounds >= int(SETTINGS.get("retries", 0)):
            break
        rounds += 1
        what = (f"the launcher failed ({error})" if error else
                f"{len(sweep.INCOMPLETE)} point(s) have replications that never finished")
        print(f"ccsim: {what}; running the sweep again for them (retry {rounds} of "
              f"{SETTINGS['retries']}; replications done are skipped)", file=sys.stderr,
              flush=True)
    if error:  # collect what there is, say what is missing
        from sim.sweep_compose import remove_shared

        remove_shared(Path(SETTINGS["sweep_dir"]))  # the multirun never reached its end
        sweep.collect_and_report(SETTINGS["config"])
        sweep.FAILED.append("launcher")
        print(f"ccsim: error: the launcher failed ({error})"
              + (f" after {rounds} retries" if rounds else "")
              + "; fix it and rerun the same command to resume", file=sys.stderr)
    elif sweep.INCOMPLETE:
        print(f"ccsim: error: {len(sweep.INCOMPLETE)} point(s) still incomplete after "
              f"{rounds} retries; rerun the same command to resume them", file=sys.stderr)
