"""A day's draws are each call's own: every variate is its class's keyed stream at the
call's index within the class, whatever order the day is drawn in; the arrivals come in
time order, ties by class; and the compiled fold of call records gives the sums of one
bincount per counter, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from simhelpers import TINY, scenario

from sim.config import build_model_spec
from sim.model.arrivals import generate_day
from sim.model.calls import Ending, Outcome
from sim.model.day import draw_day
from sim.records import CALL_FIELDS, WAIT_BINS, Recorder
from sim.sampling import call_keys, stream_key, uniforms

THREE = scenario(TINY, arrivals={"calls_per_interval": 25})
THREE["classes"]["a"].update(patience={"dist": "exponential", "mean": 30},
                             handle_time={"dist": "lognormal", "mean": 15, "sd": 10})
THREE["classes"]["b"].update(handle_time={"dist": "gamma", "mean": 12, "sd": 5},
                             ivr_time={"dist": "uniform", "low": 1, "high": 3})
THREE["classes"]["c"] = {"mix": 0.2, "priority": 0, "queue": "q", "handle_time": 40,
                         "patience": {"dist": "lognormal", "mean": 60, "sd": 30}}
THREE["classes"]["a"]["mix"], THREE["classes"]["b"]["mix"] = 0.5, 0.3
THREE["groups"]["h"] = {"staffing": 1}
THREE["queues"]["q"]["groups"] = ["g", "h"]


@pytest.mark.parametrize("seed,rep", [(3, 0), (3, 1), (8, 2)])
def test_each_call_draws_its_own_class_stream(seed, rep):
    spec = build_model_spec(THREE)
    day = generate_day(spec, seed, rep, 0)
    patience, ivr, service, acw, keys = draw_day(spec, seed, rep, day)
    assert len(set(day.cls.tolist())) == 3 and len(day.t) > 100
    for c in spec.classes:
        idx = np.flatnonzero(day.cls == c.index)
        seq = day.seq[idx]

        def own(purpose, c=c, seq=seq):
            return uniforms(stream_key(seed, rep, purpose, c.name, 0), seq)

        assert np.array_equal(patience[idx], c.patience.ppf(own("patience")))
        assert np.array_equal(ivr[idx], c.ivr_time.ppf(own("ivr_time")))
        for g, law in enumerate(c.handle_time):
            assert np.array_equal(service[idx, g], law.ppf(own("handle_time")))
            assert np.array_equal(acw[idx, g], c.after_call_work[g].ppf(own("after_call_work")))
        assert np.array_equal(keys[idx], call_keys(stream_key(seed, rep, "call", c.name, 0), seq))


def test_arrivals_in_time_order_ties_by_class():
    spec = build_model_spec(THREE)
    day = generate_day(spec, 5, 0, 0)
    assert np.array_equal(np.lexsort((day.cls, day.t)), np.arange(len(day.t)))
    for c in spec.classes:  # and each class's calls in the order of its own stream
        assert np.array_equal(day.seq[day.cls == c.index], np.arange((day.cls == c.index).sum()))


def _records(n: int, n_classes: int, n_intervals: int, n_groups: int) -> dict:
    rng = np.random.default_rng(17)
    t_arrival = np.sort(rng.random(n) * n_intervals * 100)
    outcome = rng.integers(0, len(Outcome), n)
    queued = (rng.random(n) < 0.8) | (outcome == Outcome.ABANDONED)
    t_queue = np.where(queued, t_arrival + rng.random(n), np.nan)
    # whole-second waits too: the bins' edges and the zero wait
    wait = np.where(rng.random(n) < 0.2, rng.integers(0, 3, n), rng.exponential(40, n))
    t_left = np.where(queued, t_queue + wait, np.nan)
    answered = outcome == Outcome.ANSWERED
    t_answer = np.where(answered, np.where(queued, t_left, t_arrival), np.nan)
    return {"call_id": np.arange(n), "class_idx": rng.integers(0, n_classes, n),
            "interval": np.minimum(t_arrival // 100, n_intervals - 1).astype(np.int64),
            "t_arrival": t_arrival, "t_queue": t_queue, "t_answer": t_answer,
            "t_end": t_answer + rng.exponential(200, n), "outcome_code": outcome,
            "group_idx": np.where(answered, rng.integers(0, n_groups, n), -1),
            "agent": rng.integers(0, 9, n), "acw_s": rng.random(n) * 30,
            "ending_code": rng.integers(0, len(Ending), n), "customer": rng.integers(0, 99, n),
            "attempt": rng.integers(1, 4, n), "repeat": rng.random(n) < 0.2,
            "resolved": rng.integers(0, 2, n), "t_left_queue": t_left}


def _bincount_fold(rec: Recorder, c: dict) -> None:
    """The fold's definition: one bincount per counter over the chunk, then added."""
    n_i, cells = rec.n_intervals, rec.n_classes * rec.n_intervals
    idx = c["class_idx"] * n_i + c["interval"]
    out, end = c["outcome_code"], c["ending_code"]
    answered, abandoned = out == Outcome.ANSWERED, out == Outcome.ABANDONED
    queued = ~np.isnan(c["t_queue"])
    wait = np.where(queued, c["t_left_queue"] - c["t_queue"], 0.0)
    talk = np.where(answered, c["t_end"] - c["t_answer"], 0.0)
    weights = [None, answered, abandoned, out == Outcome.DISCONNECTED,
               out == Outcome.SELF_SERVED, out == Outcome.BLOCKED, queued,
               answered & (wait <= 0), answered & (wait <= rec.sl), np.where(answered, wait, 0.0),
               np.where(answered, wait * wait, 0.0), talk, np.where(answered, c["acw_s"], 0.0),
               np.where(abandoned & queued, wait, 0.0), wait, end == Ending.IVR_ABANDON,
               end == Ending.IVR_HANGUP, end == Ending.FORCED_DISCONNECT, end == Ending.CLOSED,
               end == Ending.PRESS2_SELF_SERVICE, end == Ending.OUTAGE_NOTICE,
               c["resolved"] == 1, c["repeat"], c["attempt"] > 1,
               (end == Ending.QUEUE_ABANDON) & (wait < rec.short_s)]
    for f, w in zip(CALL_FIELDS, weights, strict=True):
        w = None if w is None else w.astype(np.float64)
        rec.calls[f] += np.bincount(idx, weights=w, minlength=cells).reshape(-1, n_i)
    keep = queued & (c["interval"] >= rec.first_interval)
    bins = np.minimum(wait[keep].astype(np.int64), WAIT_BINS - 1)
    flat = (c["class_idx"][keep] * 2 + answered[keep]) * WAIT_BINS + bins
    rec.wait_hist += np.bincount(flat, minlength=rec.wait_hist.size).reshape(rec.wait_hist.shape)
    gidx = (c["group_idx"] * n_i + c["interval"])[answered]
    size = rec.group_answered.size
    rec.group_answered += np.bincount(gidx, minlength=size).reshape(-1, n_i)
    rec.group_handle_s += np.bincount(gidx, weights=(talk + c["acw_s"])[answered],
                                      minlength=size).reshape(-1, n_i)


def test_compiled_fold_gives_the_bincount_sums_bit_for_bit():
    def recorder():
        return Recorder(3, 6, 2, 1, 20.0, first_interval=1, short_abandon_s=5.0)

    fast, ref = recorder(), recorder()
    for n in (5000, 1, 777):  # chunks: each one's sums are added as a whole
        chunk = _records(n, 3, 6, 2)
        fast._fold(chunk)
        _bincount_fold(ref, chunk)
    assert ref.calls["short_abandoned"].sum() > 0 and ref.wait_hist[:, :, 0].sum() > 0
    for f in CALL_FIELDS:
        assert fast.calls[f].tobytes() == ref.calls[f].tobytes(), f
    for name in ("wait_hist", "group_answered", "group_handle_s"):
        assert getattr(fast, name).tobytes() == getattr(ref, name).tobytes(), name


def test_the_compiled_fold_follows_the_recorders_counter_order(monkeypatch):
    """The kernel writes each counter at the row the recorder gives it (``rows``), never
    at its own position: reordering ``CALL_FIELDS`` changes no counter."""
    import sim.records as records

    chunk = _records(3000, 3, 6, 2)
    base = Recorder(3, 6, 2, 1, 20.0, first_interval=1, short_abandon_s=5.0)
    base._fold(chunk)
    monkeypatch.setattr(records, "CALL_FIELDS", tuple(reversed(CALL_FIELDS)))
    moved = Recorder(3, 6, 2, 1, 20.0, first_interval=1, short_abandon_s=5.0)
    moved._fold(chunk)
    assert base.calls["press2_self_served"].sum() > 0
    for f in CALL_FIELDS:
        assert moved.calls[f].tobytes() == base.calls[f].tobytes(), f
