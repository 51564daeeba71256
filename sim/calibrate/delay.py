"""Answer delay (``classes.NAME.answer_delay``): time a caller spends in the queue before
an agent may pick up, e.g. an announcement played to identified callers.

Why: in the Anonymous Bank log identified callers are never answered at once, and one who
finds nobody waiting ahead and agents present but not talking still waits 32-54 s, little
less with 6 such agents than with one; unidentified callers in the same situation are
mostly answered at once. Hidden work cannot produce that (its waits fall as 1/n).

Estimator: a class has a delay when (almost) none of its callers is answered at once
(share <= ``MAX_AT_ONCE``). Its law is fitted (``fit_complete``) to the waits of its
served callers who entered the queue when nobody waited ahead of them and at least one
agent was present (in a session, ``sim.calibrate.staffing.sessions``) and not talking.
Such a wait is the delay plus any wait for an agent busy with unlogged work, so the
estimate is an upper bound; the hidden-work fill is then re-fitted by simulation. A class
with fewer than ``MIN_OWN`` such calls takes the law pooled over all delay classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

METHOD = ("classes answered at once in at most 1 % of calls that asked for an agent; law "
          "fitted (AIC) to the waits of their served callers who entered the queue with "
          "nobody waiting ahead and >= 1 agent present (in a session) but not talking; "
          "own fit from 100 such calls, else pooled over the delay classes; an upper "
          "bound (includes waits for agents in unlogged work)")
MAX_AT_ONCE = 0.01  # a class answered at once more often than this has no delay
MIN_OWN = 100  # fewer evidence calls: the pooled law
MIN_POOLED = 30  # fewer evidence calls in all delay classes: no delay at all
MIN_IDLE = 1  # agents present but not talking at queue entry, for a call to be evidence


def empty_queue_arrivals(asked: pd.DataFrame, served: pd.DataFrame) -> pd.DataFrame:
    """Queued ACD callers with, at their queue entry, the number of queued callers still
    waiting ahead of them (``ahead``), of agents present (in a session, ``present``) and
    of those not talking (``idle``)."""
    import numpy as np
    import pandas as pd

    from sim.calibrate.staffing import sessions

    q = asked[asked["queued"] & (asked["desk"] == "acd")]
    named = served[served["server"] != ""]
    sess = sessions(served)
    out = []
    for date, day in q.groupby("date"):
        t0 = (day["t_arrival"] + day["ivr_s"]).to_numpy(float)
        t1 = t0 + day["wait_s"].to_numpy(float)
        ahead = ((t0[None, :] < t0[:, None]) & (t1[None, :] > t0[:, None])).sum(axis=1)
        s = sess[sess["date"] == date]
        c = named[named["date"] == date]
        start = c["t_answer"].to_numpy(float)
        end = start + np.maximum(c["service_s"].to_numpy(float), 1.0)
        present = _covering(s["t_answer"].to_numpy(float), s["end"].to_numpy(float), t0)
        idle = present - _covering(start, end, t0)
        out.append(day.assign(ahead=ahead, present=present, idle=idle))
    return pd.concat(out) if out else q.assign(ahead=0, present=0, idle=0)


def _covering(start: np.ndarray, end: np.ndarray, t: np.ndarray) -> np.ndarray:
    """How many of the intervals [start, end) contain each time in ``t``."""
    import numpy as np

    return (np.searchsorted(np.sort(start), t, side="right")
            - np.searchsorted(np.sort(end), t, side="right"))


def fit_answer_delays(asked: pd.DataFrame, served: pd.DataFrame, at_once: dict[str, float]
                      ) -> dict:
    """The answer-delay law of each class that has one, with its evidence."""
    import numpy as np

    from sim.calibrate.fit import fit_complete

    classes = sorted(c for c, s in at_once.items() if s <= MAX_AT_ONCE)
    arr = empty_queue_arrivals(asked, served)
    free = arr[(arr["outcome"] == "served") & (arr["ahead"] == 0) & (arr["idle"] >= MIN_IDLE)]
    evidence = free[free["class"].isin(classes)]
    report: dict = {"method": METHOD, "classes": {},
              "wait_by_idle_agents": _by_idle(arr[(arr["outcome"] == "served")
                                                  & (arr["ahead"] == 0)], classes)}
    if len(evidence) < MIN_POOLED:
        return report
    pooled = fit_complete(evidence["wait_s"]).to_dict()
    for cls in classes:
        own = evidence.loc[evidence["class"] == cls, "wait_s"].to_numpy(float)
        fit = (fit_complete(own).to_dict() if len(own) >= MIN_OWN
               else {**pooled, "pooled_over": "all delay classes"})
        report["classes"][cls] = {**fit, "own_calls": int(len(own)),
                                  "at_once_share": float(at_once[cls]),
                                  "own_mean_s": float(np.mean(own)) if len(own) else None}
    return report


def _by_idle(arr: pd.DataFrame, classes: list[str]) -> dict:
    """Mean wait at an empty queue by agents idle, delay classes against the others."""
    out = {}
    for name, part in (("delay_classes", arr[arr["class"].isin(classes)]),
                       ("other_classes", arr[~arr["class"].isin(classes)])):
        k = part["idle"].clip(upper=6)
        out[name] = {int(i): {"calls": int(len(g)), "mean_wait_s": round(float(g.mean()), 1)}
                     for i, g in part["wait_s"].groupby(k) if i >= 0}
    return out
