"""Numba's on-disk cache hits: a second process compiles nothing (the fast engine's loop
and the keyed-stream kernels load from the cache instead of costing a compilation)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SNIPPET = """
import json, sys
sys.path.insert(0, {tests!r})
from simhelpers import TINY, run_calls, scenario
from sim.fast import loop, rng
run_calls(scenario(TINY, arrivals={{"calls_per_interval": 3}},  # a law that draws
                   classes__b__handle_time={{"dist": "exponential", "mean": 50}}))
stats = {{}}
for mod in (loop, rng):
    for name, f in vars(mod).items():
        if hasattr(f, "stats") and f.signatures:
            stats[mod.__name__ + "." + name] = [sum(f.stats.cache_hits.values()),
                                                sum(f.stats.cache_misses.values())]
print(json.dumps(stats))
"""


def cache_stats() -> dict[str, list[int]]:
    from pathlib import Path

    tests = str(Path(__file__).resolve().parent)
    proc = subprocess.run([sys.executable, "-c", SNIPPET.format(tests=tests)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_second_process_loads_every_kernel_from_the_cache():
    cache_stats()  # compiles, or loads what an earlier process saved
    stats = cache_stats()
    assert "sim.fast.loop.run" in stats and "sim.fast.rng.uniforms" in stats
    misses = {name: s for name, s in stats.items() if s[1]}
    assert not misses, f"recompiled in a second process: {misses}"
    assert all(hits >= 1 for hits, _ in stats.values())


def test_a_change_to_any_compiled_source_drops_the_packages_cache(tmp_path):
    """Numba checks only a function's own file: the loop inlines ivr.py, customers.py and
    rng.py, so editing one of them alone must drop the cached loop too."""
    import shutil

    from sim.fast.cache import HERE, SOURCES, drop_stale

    pkg = tmp_path / "fast"
    pkg.mkdir()
    for name in SOURCES:
        shutil.copy(HERE / name, pkg / name)
    cache = pkg / "__pycache__"
    cache.mkdir()
    cached = [cache / "loop.run-1.py311.nbi", cache / "loop.run-1.py311.1.nbc"]
    for f in cached:
        f.write_bytes(b"old machine code")
    assert drop_stale(pkg)  # no stamp yet: dropped, stamped
    for f in cached:
        f.write_bytes(b"machine code of these sources")
    assert not drop_stale(pkg) and all(f.exists() for f in cached)  # unchanged: kept
    (pkg / "ivr.py").write_text((pkg / "ivr.py").read_text() + "\n# edited\n")
    assert drop_stale(pkg) and not any(f.exists() for f in cached)  # loop.py untouched


def test_a_cold_cache_is_announced_once_and_a_warm_one_is_not(tmp_path, capsys):
    """The first run after installing compiles for minutes: it says so, on stderr, once."""
    from sim.fast import cache

    pkg = tmp_path / "fast"
    (pkg / "__pycache__").mkdir(parents=True)
    assert cache.is_cold(pkg)
    (pkg / "__pycache__" / "loop.other-9.py311.nbi").write_bytes(b"")
    assert cache.is_cold(pkg)  # another function's code is not the loop's
    (pkg / "__pycache__" / "loop.run-2327.py311.nbi").write_bytes(b"")
    assert not cache.is_cold(pkg)
    (pkg / "__pycache__" / "loop.run-2327.py311.nbi").unlink()
    (pkg / "__pycache__").chmod(0o500)  # read-only install: Numba caches elsewhere
    try:
        assert not cache.is_cold(pkg) or os.geteuid() == 0
    finally:
        (pkg / "__pycache__").chmod(0o700)

    cache.notice_if_cold.cache_clear()
    try:
        assert cache.notice_if_cold(pkg) and cache.notice_if_cold(pkg)
        assert capsys.readouterr().err == cache.COLD_NOTICE + "\n"  # once per process
    finally:
        cache.notice_if_cold.cache_clear()


def test_a_fast_run_on_a_cold_cache_announces_itself(monkeypatch, capsys):
    """The fast engine asks before it runs: without the call a first run is silent."""
    from simhelpers import TINY, run_calls

    from sim.fast import cache

    monkeypatch.setattr(cache, "is_cold", lambda package=cache.HERE: True)
    cache.notice_if_cold.cache_clear()
    try:
        run_calls(TINY, engine="fast")
        assert cache.COLD_NOTICE in capsys.readouterr().err
    finally:
        cache.notice_if_cold.cache_clear()
