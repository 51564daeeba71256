"""experiments/out_of_sample/queue_order.py: who of two waiting ACD callers was served
first, by the later one's head start (FINDINGS item 26)."""

from __future__ import annotations

import pandas as pd
from simhelpers import experiment_script, log_call


def _queued(t_queue, wait_s, priority, ivr_s=5.0, server="A", **kw):
    return log_call(server, t_queue + wait_s, 60.0, t_arrival=t_queue - ivr_s, ivr_s=ivr_s,
                    wait_s=wait_s, queued=True, desk="acd", priority=priority, **kw)


def test_contested_pairs_worked_by_hand():
    """Served ACD callers (queued, answered, priority): j (0, 100, 1), n (10, 200, 1),
    i (30, 60, 2), m (95, 130, 2), k (150, 160, 2). Contested pairs — the later caller
    still waiting 20 s after he queued, the earlier one too: i after j (head start 30,
    i first), i after n (20, i first), m after n (85, m first), n after j (10, j first).
    Not contested: m after j (j answered at 100, before 95 + 20), k (answered within
    20 s), m after i (i gone). An abandoned caller is in no pair."""
    qo = experiment_script("queue_order")
    log = pd.DataFrame([
        _queued(0, 100, 1), _queued(10, 190, 1), _queued(30, 30, 2), _queued(95, 35, 2),
        _queued(150, 10, 2),
        {**_queued(20, 300, 0, outcome="abandoned", server=""), "t_answer": float("nan")},
    ])
    rows = qo.overtakes(qo.log_frames(log), pairs=(("2", "1"), ("1", "1"), ("2", "0")))
    got = sorted(map(tuple, rows.itertuples(index=False)))
    assert got == [("1>1", 10.0, False), ("2>1", 20.0, True), ("2>1", 30.0, True),
                   ("2>1", 85.0, True)]
    table = qo.order_table(rows)
    assert table.loc[pd.Interval(20, 40), ("share", "2>1")] == 1.0
    assert table.loc[pd.Interval(20, 40), ("pairs", "2>1")] == 1
    assert table.loc[pd.Interval(75, 90), ("pairs", "2>1")] == 1
    assert table.loc[pd.Interval(0, 10), ("share", "1>1")] == 0.0


def test_a_longer_contest_window_drops_the_pairs_decided_early():
    """With 40 s instead of 20 s, i (answered 30 s after he queued) contests nobody and
    m (35 s) neither: only n after j is left (j still waiting at 10 + 40)."""
    qo = experiment_script("queue_order")
    log = pd.DataFrame([_queued(0, 100, 1), _queued(10, 190, 1), _queued(30, 30, 2),
                        _queued(95, 35, 2)])
    rows = qo.overtakes(qo.log_frames(log), pairs=(("2", "1"), ("1", "1")),
                        contested_s=40.0)
    assert list(map(tuple, rows.itertuples(index=False))) == [("1>1", 10.0, False)]
