"""Keep Numba's on-disk cache honest across edits and upgrades.

Numba keys a cached function by its own source file's timestamp and size only. The
compiled loop (``loop.py``) inlines functions of ``ivr.py``, ``customers.py``,
``redial.py`` and ``rng.py``: after a change to one of those alone, the old machine code
would load as if it were current. A stamp of all the compiled sources, kept beside the
cache files, drops this package's cache whenever any of them changes, before anything is
loaded from it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = ("loop.py", "ivr.py", "customers.py", "rng.py", "redial.py")
STAMP = "ccsim_sources.sha256"
COLD_NOTICE = ("ccsim: compiling the fast engine once (the first run after installing or "
               "changing it: about 10-15 minutes on 2 cores; later runs load it from disk)")


def sources_digest(package: Path = HERE) -> str:
    h = hashlib.sha256()
    for name in SOURCES:
        path = package / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    return h.hexdigest()


def drop_stale(package: Path = HERE) -> bool:
    """Delete ``package``'s Numba cache files unless they were made from today's sources;
    True when it did. A read-only install is left alone (Numba then caches elsewhere)."""
    cache = package / "__pycache__"
    stamp = cache / STAMP
    digest = sources_digest(package)
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass
    try:
        for f in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            f.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:
        return False
    return True


@functools.cache
def ensure_fresh() -> bool:
    """``drop_stale`` once per process (the sources do not change while it runs)."""
    return drop_stale()


def is_cold(package: Path = HERE) -> bool:
    """True when the loop has no machine code in ``package``'s writable cache, so the next
    fast run compiles it. A read-only install says False: Numba then caches elsewhere and
    this cannot tell."""
    cache = package / "__pycache__"
    if not os.access(cache, os.W_OK):
        return False
    return not any(cache.glob("loop.run-*.nbi"))


@functools.cache
def notice_if_cold(package: Path = HERE) -> bool:
    """Tell the user once per process, on stderr, that the run is about to compile: the
    first run after installing is otherwise minutes of silence (README, Performance)."""
    cold = is_cold(package)
    if cold:
        print(COLD_NOTICE, file=sys.stderr, flush=True)
    return cold
