"""``ccsim calibrate --reserve-from scan``: the search over candidates (exact traces on
made-up error curves, a property over all falling curves) and its command-line checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.calibrate.reserve_scan import search


def _calls(curve):
    seen = []

    def error(n):
        seen.append(n)
        return curve(n)

    return error, seen


def test_search_steps_up_then_bisects_as_the_january_scan_did():
    """The errors of the research record's weekday scan (item 12): from the table's 4,
    steps of 2 and 4 bracket the sign change (6, 8), bisection tries 7, and 7 is kept."""
    january = {4: 0.215, 5: 0.173, 6: 0.099, 7: 0.030, 8: -0.050, 9: -0.076}
    error, seen = _calls(lambda n: january.get(n, -0.1 if n > 9 else 0.3))
    chosen, tried = search(error, 4, 14)
    assert seen == [4, 6, 8, 7]  # each candidate simulated once
    assert chosen == 7
    assert tried == {n: january[n] for n in (4, 6, 7, 8)}


def test_search_steps_down_when_waits_are_too_short():
    error, seen = _calls(lambda n: 1.5 - n)  # 1: +0.5, 2: -0.5 -> tie, the lower wins
    chosen, _ = search(error, 6, 10)
    assert seen == [6, 4, 2, 0, 1]
    assert chosen == 1


def test_search_stops_at_the_edges():
    """Waits too long whatever the headcount: the reserve never held (top); too short
    even held at every headcount: 0."""
    assert search(lambda n: 2 - n / 10, 3, 9)[0] == 9
    assert search(lambda n: -1 - n / 10, 3, 9)[0] == 0
    # the table's "never" (no headcount held the reserve) starts from the top
    assert list(search(lambda n: -1 - n / 10, 100000, 9)[1]) == [0, 1, 5, 7, 9]


@given(st.lists(st.floats(-1, 1, allow_nan=False), min_size=2, max_size=30, unique=True),
       st.data())
def test_search_finds_the_nearest_of_any_falling_curve(values, data):
    """Whatever the start, on a curve falling with the candidate the search keeps the
    candidate nearest zero over all of ``0..top``, trying no candidate twice."""
    curve = sorted(values, reverse=True)
    top = len(curve) - 1
    start = data.draw(st.integers(0, top))
    error, seen = _calls(lambda n: curve[n])
    chosen, tried = search(error, start, top)
    best = min(range(top + 1), key=lambda n: (abs(curve[n]), n))
    assert abs(curve[chosen]) == abs(curve[best])
    assert len(seen) == len(set(seen)) == len(tried)


@pytest.mark.parametrize("argv, says", [
    (["--reserve-from", "scan", "--scan-reps", "1"], "--scan-reps 1"),
    (["--reserve-from", "scan", "--reserve", "0"], "--reserve-from scan: needs a reserve"),
    (["--reserve-from", "later"], "--reserve-from 'later'"),
])
def test_calibrate_rejects_bad_scan_options(tmp_path, capsys, argv, says):
    from sim.calibrate import SHIPPED_LOG, main

    with pytest.raises(SystemExit) if "scan" in argv else _nothing():
        code = main([str(SHIPPED_LOG), *argv, "--out", str(tmp_path / "x.yaml"),
                     "--report-dir", str(tmp_path)])
        assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) <= 2 and says in err[-1]
    assert not (tmp_path / "x.yaml").exists()


def test_validate_refuses_the_scan():
    from sim.calibrate import validate_main

    with pytest.raises(SystemExit) as exc:
        validate_main(["--reserve-from", "scan"])
    assert exc.value.code == 2


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_scan_on_the_first_half_of_january_keeps_8(tmp_path):
    """Seeded golden value (research record item 12, the first half: 4 +20.5 %, 6 +9.8 %,
    7 +4.4 %, 8 -1.8 %): the scan starts at the idle-agent table's 4, brackets the sign
    change and keeps 8; the file's header says so and its policy carries it."""
    import json

    from sim.calibrate import SHIPPED_LOG, main
    from sim.calibrate.scenario import header_policy

    out = tmp_path / "first_half.yaml"
    assert main([str(SHIPPED_LOG), "--days", "first-half", "--reserve-from", "scan",
                 "--out", str(out), "--report-dir", str(tmp_path)]) == 0
    scan = json.loads((tmp_path / "calibration.json").read_text())[
        "direct_line_reserve"]["scan"]
    tried = {int(n): e for n, e in scan["mean_wait_relative_error"].items()}
    assert (scan["table_value"], scan["chosen"], sorted(tried)) == (4, 8, [4, 6, 7, 8])
    assert tried[4] > tried[6] > tried[7] > 0 > tried[8]  # falling, as the search assumes
    assert abs(tried[8]) < abs(tried[7])  # nearer the log than 7, the other side
    assert [round(tried[n], 3) for n in (4, 6, 7, 8)] == [0.205, 0.098, 0.044, -0.018]
    assert header_policy(out)["params"]["reserve_from"] == 8
    assert "reserve_from 8 by --reserve-from scan" in out.read_text()
