"""The launching process's own CPU by phase of a multirun, for the sweep benchmark.

On N cores only the workers' replications run in parallel: whatever the launching process
does outside the launch (start-up, checking the points, collection) stays serial, and that
is what bounds a sweep's speed-up. Measured in the process's own CPU seconds
(``time.process_time``: not its workers', not bent by the machine's other load).

Off unless ``CCSIM_SWEEP_CPU_FILE`` names a file (sim.sweep_bench sets it): then the
process writes there, when it exits, its CPU seconds at each phase boundary (``mark``)
and the CPU seconds of the work it timed (``timed``). A leaf module: no sim imports.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

CPU_FILE_ENV = "CCSIM_SWEEP_CPU_FILE"
_MARKS: dict[str, float] = {}  # phase boundary -> this process's CPU seconds then
_TIMED: dict[str, list[float]] = {}  # work -> CPU seconds of each time it ran
_PID: list[int] = []  # the process that registered the writer (workers inherit nothing)


def enabled() -> bool:
    return bool(os.environ.get(CPU_FILE_ENV)) and [os.getpid()] == _PID


def start() -> None:
    """Called when a multirun starts in the launching process: write the figures at exit."""
    if not os.environ.get(CPU_FILE_ENV) or _PID:
        return
    import atexit

    _PID.append(os.getpid())
    atexit.register(_write)
    mark("multirun_start")


def mark(name: str) -> None:
    """This process's CPU seconds now, at phase boundary ``name`` (the last one kept)."""
    if enabled():
        _MARKS[name] = time.process_time()


@contextmanager
def timed(name: str) -> Iterator[None]:
    """The CPU seconds of the work inside, added to ``name``'s list."""
    if not enabled():
        yield
        return
    cpu0 = time.process_time()
    try:
        yield
    finally:
        _TIMED.setdefault(name, []).append(time.process_time() - cpu0)


def _write() -> None:
    path = os.environ.get(CPU_FILE_ENV)
    if not path or [os.getpid()] != _PID:
        return
    _MARKS["exit"] = time.process_time()
    data = {"pid": os.getpid(), "marks": _MARKS, "timed": _TIMED}
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
