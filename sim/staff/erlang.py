"""Per interval and desk: the offered load (by the desk's home queue, with patience), and
the smallest headcount the Erlang C and Erlang A formulas give for a service-level target.

The load comes from the scenario itself where it is exact (no IVR, no redials, no second
line: calls per interval × mix go to their queue's first desk), otherwise from simulated
calls: each class's home desk is the desk that answers most of its calls, and the desk's
load is the calls of its home classes that asked for an agent. Work the formulas never see
(overflow from other desks, callbacks) is measured as busy time beyond the home calls'.

A reserved outbound share (``operations.outbound_reserved_share``) keeps ``int(share × n)``
of a blended desk's n agents on outbound work while there is any, inbound calls waiting
or not (:meth:`sim.model.outbound.Outbound.claim_agent`): those agents answer no inbound
call, so a desk that needs m agents on inbound calls is staffed with the smallest n whose
n − int(share × n) ≥ m, and the outbound work they do is not counted again as other work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class DeskLoad:
    """Offered load per desk g and interval k."""

    lam: np.ndarray  # [g, k] calls per second asking for an agent, home desk g
    aht: np.ndarray  # [g] mean handle time (talk + after-call work), s
    patience: np.ndarray  # [g] mean patience, s (inf: nobody abandons)
    extra: np.ndarray  # [g, k] Erlangs of other work the desk did (overflow, callbacks)
    home: np.ndarray  # [class] home desk (-1: never reaches a desk)
    reserve: np.ndarray | None = None  # [g] share of agents kept on outbound (0: none)

    def share(self, g: int) -> float:
        return 0.0 if self.reserve is None else float(self.reserve[g])

    def erlangs(self) -> np.ndarray:
        return self.lam * self.aht[:, None]


def _mean(dist) -> float:
    return 0.0 if dist is None else float(dist.mean)


def exact_load(model) -> DeskLoad | None:
    """The load read off the scenario, where no simulation is needed to know it."""
    if (model.ivr is not None or model.trace is not None or model.redial is not None
            or model.second_line is not None or model.outbound is not None
            or model.day_volume_cv > 0 or model.lines is not None):
        return None
    n_g, n_k = len(model.groups), model.n_intervals
    lam, work = np.zeros((n_g, n_k)), np.zeros(n_g)
    pat_w, calls = np.zeros(n_g), np.zeros(n_g)
    home = np.full(len(model.classes), -1)
    base = np.asarray(model.calls_per_interval, dtype=float)
    for c in model.classes:
        g = model.queues[c.queue].groups[0]
        home[c.index] = g
        vol = np.asarray(c.volume, dtype=float) if c.volume else base * c.mix
        lam[g] += vol / model.interval_s
        total = vol.sum()
        work[g] += total * (_mean(c.handle_time[g]) + _mean(c.after_call_work[g]))
        pat = c.patience.mean if c.patience is not None else math.inf
        pat_w[g] += total * (1.0 / pat if pat > 0 else 0.0)  # rates average: a mix of patiences
        calls[g] += total
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(calls > 0, work / calls, 0.0)
        patience = np.where(pat_w > 0, calls / pat_w, math.inf)
    return DeskLoad(lam, aht, patience, np.zeros((n_g, n_k)), home)


def reserve_shares(model) -> np.ndarray:
    """[g] the outbound reserve's share of desk g's agents (blended desks; else 0)."""
    out = np.zeros(len(model.groups))
    share = model.operations.outbound_reserved_share
    if model.outbound is not None and share:
        out[list(model.outbound.groups)] = share
    return out


def with_reserve(inbound: int, share: float) -> int:
    """The smallest headcount n that leaves ``inbound`` agents for inbound calls when the
    model reserves ``int(share * n)`` of them for outbound work (the same float product
    and truncation as :meth:`sim.model.outbound.Outbound.claim_agent`)."""
    n = inbound
    if n <= 0 or share <= 0:
        return n
    while n - int(share * n) < inbound:
        n += 1
    return n


def outbound_erlangs(model, runs) -> np.ndarray:
    """[g, k] outbound work measured in simulation (callbacks: talk if answered, else the
    ring; campaign calls), by the interval the call was made, shared evenly by the blended
    desks. Used where a reserve does this work: all of it is then the reserve's."""
    from sim.model.outbound import RING_S

    out = np.zeros((len(model.groups), model.n_intervals))
    ob = model.outbound
    if ob is None or not ob.groups:
        return out
    made, answered, campaign = (runs.mean(n) for n in
                                ("callbacks_made", "callbacks_answered", "campaign_calls"))
    sl = model.second_line
    talk = float(sl.callback_time.mean) if sl is not None else 0.0
    tasks = np.array([sum(c.tasks_per_interval) for c in ob.campaigns], dtype=float)
    means = np.array([c.handle_time.mean for c in ob.campaigns], dtype=float)
    campaign_s = float((tasks * means).sum() / tasks.sum()) if tasks.sum() > 0 else 0.0
    per_k = (answered * talk + (made - answered) * RING_S + campaign * campaign_s) \
        / model.interval_s
    for g in ob.groups:
        out[g] += per_k / len(ob.groups)
    return out


def measured_load(model, runs) -> DeskLoad:
    """The load seen in simulated replications (``runs``: a PlanRuns with data)."""
    queued, answered = runs.mean("queued"), runs.mean("answered")
    handle, busy = runs.mean("handle_s"), runs.mean("busy")
    n_g = len(model.groups)
    by_desk = answered.sum(axis=2)  # [class, desk]
    home = np.where(by_desk.sum(axis=1) > 0, by_desk.argmax(axis=1), -1)
    lam = np.zeros((n_g, model.n_intervals))
    aht, patience = np.zeros(n_g), np.full(n_g, math.inf)
    own = np.zeros((n_g, model.n_intervals))
    for g in range(n_g):
        mine = home == g
        if not mine.any():
            continue
        lam[g] = queued[mine].sum(axis=0) / model.interval_s
        n_ans = answered[mine, g].sum()
        aht[g] = handle[mine, g].sum() / n_ans if n_ans else 0.0
        own[g] = handle[mine, g].sum(axis=0) / model.interval_s
        w = queued[mine].sum(axis=1)
        rates = np.array([1.0 / c.patience.mean if c.patience is not None else 0.0
                          for c in model.classes])[mine]
        if w.sum() > 0 and (w * rates).sum() > 0:
            patience[g] = w.sum() / (w * rates).sum()
    reserve = reserve_shares(model)
    outbound = campaign_erlangs(model)
    if reserve.any():  # the reserved agents do the outbound work, callbacks included
        outbound = np.where(reserve[:, None] > 0, outbound_erlangs(model, runs), outbound)
    extra = np.maximum(0.0, busy - own - outbound)
    return DeskLoad(lam, aht, patience, extra, home, reserve)


def campaign_erlangs(model) -> np.ndarray:
    """Outbound campaign work per desk and interval: discretionary (blended agents take it
    only when no inbound call waits), so it is not load the plan must staff for."""
    out = np.zeros((len(model.groups), model.n_intervals))
    ob = model.outbound
    if ob is None or not ob.groups:
        return out
    per_k = sum(np.asarray(c.tasks_per_interval[:model.n_intervals], dtype=float)
                * c.handle_time.mean for c in ob.campaigns) / model.interval_s
    for g in ob.groups:
        out[g] += per_k / len(ob.groups)
    return out


def _smallest(sl, target: float, start: int) -> int:
    """The smallest n >= start with sl(n) >= target (sl increasing in n)."""
    lo, hi = start, max(start, 1)
    while sl(hi) < target:
        lo, hi = hi + 1, hi * 2
        if hi > 1_000_000:
            raise ValueError("no finite headcount meets the target")
    while lo < hi:
        mid = (lo + hi) // 2
        if sl(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return hi


def erlang_a_agents(lam: float, aht: float, patience: float, target: float,
                    sl_s: float) -> int:
    """Smallest n with Erlang A service level (answered within sl_s / all who asked)
    at least ``target``; 0 without calls."""
    from sim.theory import erlang_a

    if lam <= 0 or aht <= 0:
        return 0
    start = 1 if math.isfinite(patience) else int(math.floor(lam * aht)) + 1  # stable only
    return _smallest(lambda n: erlang_a(lam, aht, patience, n).service_level(sl_s), target,
                     start)


def erlang_c_agents(lam: float, aht: float, target: float, sl_s: float) -> int:
    """Smallest n with Erlang C service level at least ``target`` (nobody abandons)."""
    from sim.theory import erlang_c

    if lam <= 0 or aht <= 0:
        return 0
    a = lam * aht
    return _smallest(lambda n: erlang_c(lam, aht, n).service_level(sl_s), target,
                     int(math.floor(a)) + 1)


def formula_plan(load: DeskLoad, targets: np.ndarray, sl_s: float, open_: np.ndarray,
                 kind: str = "a") -> np.ndarray:
    """Headcount per desk and interval: the formula's minimum for ``targets[g, k]`` on the
    home load, plus the desk's other work rounded (``kind`` "a" only), plus the outbound
    reserve that headcount carries; 0 where closed."""
    plan = np.zeros(open_.shape, dtype=np.int64)
    for g, k in zip(*np.nonzero(open_), strict=True):
        lam, aht = float(load.lam[g, k]), float(load.aht[g])
        if kind == "c":
            n = erlang_c_agents(lam, aht, float(targets[g, k]), sl_s)
        else:
            n = erlang_a_agents(lam, aht, float(load.patience[g]), float(targets[g, k]), sl_s)
            n += int(round(load.extra[g, k]))
        plan[g, k] = with_reserve(n, load.share(g))
    return plan
