"""Simulate a staffing plan with common random numbers and reduce it to what the planner
needs: per (class, desk, interval) tallies of queued, answered-in-SL and handled calls, the
desks' busy time, and each replication's KPIs (those ``ccsim check`` judges).

Replication i of every plan draws the same callers (seed, i), so two plans are compared
pair-wise. Replications run through the runner's public ``replicate`` in worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


class CallTally:
    """A call sink for ``replicate``: folds call records into per (class, desk, interval)
    counts, which the interval tables do not give (they have no answering desk by class)."""

    def __init__(self, n_classes: int, n_groups: int, n_intervals: int, sl_s: float):
        self.n = n_intervals
        self.sl_s = sl_s
        self.queued = np.zeros((n_classes, n_intervals))
        self.in_sl = np.zeros((n_classes, n_intervals))
        self.answered = np.zeros((n_classes, n_groups, n_intervals))
        self.handle_s = np.zeros((n_classes, n_groups, n_intervals))

    def __call__(self, cols: dict) -> None:
        from sim.model.calls import Outcome

        cls, k = cols["class_idx"].astype(np.int64), cols["interval"].astype(np.int64)
        k = np.minimum(k, self.n - 1)
        queued = ~np.isnan(cols["t_queue"])
        answered = cols["outcome_code"] == Outcome.ANSWERED
        wait = np.where(queued, cols["t_left_queue"] - cols["t_queue"], 0.0)
        np.add.at(self.queued, (cls[queued], k[queued]), 1.0)
        ok = answered & queued & (wait <= self.sl_s)
        np.add.at(self.in_sl, (cls[ok], k[ok]), 1.0)
        g = cols["group_idx"].astype(np.int64)
        a = answered & (g >= 0)
        handle = (cols["t_end"] - cols["t_answer"]) + cols["acw_s"]
        np.add.at(self.answered, (cls[a], g[a], k[a]), 1.0)
        np.add.at(self.handle_s, (cls[a], g[a], k[a]), handle[a])


@dataclass
class RepData:
    """One replication of one plan, reduced."""

    kpis: dict
    queued: np.ndarray  # [class, interval]
    in_sl: np.ndarray  # [class, interval]
    answered: np.ndarray  # [class, desk, interval]
    handle_s: np.ndarray  # [class, desk, interval]
    busy: np.ndarray  # [desk, interval] mean busy agents (inbound and outbound work)
    # outbound calls the front line made, by interval (zeros without outbound)
    callbacks_made: np.ndarray
    callbacks_answered: np.ndarray
    campaign_calls: np.ndarray


def run_one(model, policy, seed: int, rep: int) -> RepData:
    """Replication ``rep`` of ``model`` (a top-level function: it runs in worker processes)."""
    from sim.runner import replicate

    tally = CallTally(len(model.classes), len(model.groups), model.n_intervals,
                      model.service_level_s)
    out = replicate(model, policy, seed, rep, frames=True, sink=tally)
    gi = out.frames["groups_intervals"]
    busy = np.zeros((len(model.groups), model.n_intervals))
    names = {g.name: g.index for g in model.groups}
    for name, k, b in zip(gi["group"], gi["interval"], gi["busy_agents"], strict=True):
        busy[names[name], int(k)] = b
    ob = out.frames.get("outbound_intervals")
    outbound = [np.zeros(model.n_intervals) if ob is None else
                ob.sort_values("interval")[c].to_numpy(dtype=float)
                for c in ("callbacks_made", "callbacks_answered", "campaign_calls")]
    return RepData(out.kpis, tally.queued, tally.in_sl, tally.answered, tally.handle_s, busy,
                   *outbound)


def with_staffing(model, plan: np.ndarray):
    """The model with desk g staffed ``plan[g]`` (one headcount per interval); a desk's
    agents present (availability) follow its new staffing."""
    from sim.schema.availability import restaffed

    groups = []
    for g in model.groups:
        staffing = tuple(int(x) for x in plan[g.index])
        av = g.availability
        groups.append(replace(g, staffing=staffing, availability=None if av is None
                              else restaffed(av, staffing, model.interval_s)))
    return replace(model, groups=tuple(groups))


def staffing_of(model) -> np.ndarray:
    return np.array([g.staffing for g in model.groups], dtype=np.int64)


class Simulator:
    """Runs replications of plans, in ``jobs`` processes kept open for the whole planning
    session (spawning a pool per plan costs seconds of imports)."""

    def __init__(self, model, policy, seed: int, jobs: int = 1):
        self.model, self.policy, self.seed, self.jobs = model, policy, seed, max(1, jobs)
        self.pool = None
        self.replications = 0
        self.seconds = 0.0

    def run(self, plan: np.ndarray, reps: range) -> list[RepData]:
        import time

        t0 = time.perf_counter()
        model = with_staffing(self.model, plan)
        n = len(reps)
        if self.jobs == 1 or n == 1:
            out = [run_one(model, self.policy, self.seed, r) for r in reps]
        else:
            out = list(self._pool().map(run_one, [model] * n, [self.policy] * n,
                                        [self.seed] * n, reps))
        self.replications += n
        self.seconds += time.perf_counter() - t0
        return out

    def _pool(self):
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(self.jobs,
                                            mp_context=multiprocessing.get_context("spawn"))
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


class PlanRuns:
    """The replications of one plan, run when first asked for (duck-types the gate's
    ``Replications.upto``, so ``ccsim check``'s sequential rule judges them as it is)."""

    def __init__(self, sim: Simulator, plan: np.ndarray):
        self.sim, self.plan = sim, plan
        self.data: list[RepData] = []

    def upto(self, n: int) -> list[dict]:
        if n > len(self.data):
            self.data += self.sim.run(self.plan, range(len(self.data), n))
        return [d.kpis for d in self.data[:n]]

    def mean(self, name: str) -> np.ndarray:
        return np.mean([getattr(d, name) for d in self.data], axis=0)
