"""Agents away who come back for a waiting caller (``--reaction on``;
``groups.NAME.availability.reaction_time`` with ``away_work: [hidden_work]``).

Why: callers of the classes without an answer delay who queue at an empty queue while
agents are present and not talking wait about as long with 6 such agents as with 1
(``answer_delay.wait_by_idle_agents.other_classes``). Agents away on their own clocks
would give waits falling as 1/k; agents who come back once a caller has waited a
reaction time R give waits that do not depend on k.

**R** is read off exactly those waits: queued callers of the classes without an answer
delay, nobody waiting ahead, at least one agent present (in a session) and not talking
at queue entry. A wait is an observed R when the agent who answered was such an agent
(his previous call of the session ended before the queue entry); it is censored at the
wait when an agent freed from a call (or joining) answered first, or when the caller
abandoned. Censored maximum likelihood (``sim.calibrate.fit.fit_censored``, scipy
``CensoredData``), law by AIC.

**The hidden task length T** can no longer be read as wait x agents (that assumes the
1/n the rule removes). With the rule a task ends on its own or is cut by a caller, so T
is read off the agents' unlogged stretches between two calls of a session (less the mean
after-call work): a stretch ending with a caller answered at once is complete (the agent
was back already), one ending with a caller who had queued is censored (cut by him);
exponential censored MLE (total stretch time / complete stretches), the law the scenario
uses. Stretches include idle time, so T is an upper bound of the task length; the
hidden-work fill is then re-fitted by simulation as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.calibrate.staffing import SESSION_GAP_S

if TYPE_CHECKING:
    import pandas as pd

METHOD = ("queued callers of the classes without an answer delay, nobody waiting ahead, "
          ">= 1 agent present (in a session) and not talking at queue entry: the wait is "
          "an observed reaction time when the agent who answered had ended his previous "
          "call of the session before that queue entry; censored at the wait when another "
          "agent (freed from a call, or joining) answered or the caller abandoned; "
          "censored MLE, law by AIC")
TASK_METHOD = ("agents' unlogged stretches between two calls of a session, less the mean "
               "after-call work: complete when the next call was answered at once, censored "
               "when it had queued (the stretch cut by that caller); exponential censored "
               "MLE; includes idle time: an upper bound")


def _previous_end(served: pd.DataFrame) -> pd.Series:
    """End of each named served call's agent's previous call of the same session (NaN for
    the first call of a session or an unnamed agent), indexed like ``served``."""
    import numpy as np

    s = served[served["server"] != ""].sort_values(["date", "server", "t_answer"])
    end = s["t_answer"] + np.maximum(s["service_s"], 1.0)
    prev = end.groupby([s["date"], s["server"]]).shift()
    return prev.where(s["t_answer"] - prev <= SESSION_GAP_S)


def idle_answered(asked: pd.DataFrame, served: pd.DataFrame, classes: list[str],
                  exclude: bool = False) -> tuple[pd.DataFrame, pd.Series]:
    """Queued callers of ``classes`` (all but them with ``exclude``) who found nobody
    waiting ahead and >= 1 agent present and not talking, and whether the agent who
    answered was one of those (his previous call of the session ended before the queue
    entry): the evidence of how soon agents not talking answer, censored by the others."""
    from sim.calibrate.delay import MIN_IDLE, empty_queue_arrivals

    arr = empty_queue_arrivals(asked, served)
    ev = arr[(arr["ahead"] == 0) & (arr["idle"] >= MIN_IDLE)
             & (arr["class"].isin(classes) != exclude)]
    t0 = ev["t_arrival"] + ev["ivr_s"]
    prev = _previous_end(served).reindex(ev.index)
    return ev, (ev["outcome"] == "served") & (prev <= t0)


def fit_reaction(asked: pd.DataFrame, served: pd.DataFrame, delay_classes: list[str]
                 ) -> dict:
    """The reaction time's law, with its evidence (``calibration.json`` ->
    ``availability.reaction``)."""
    import numpy as np

    from sim.calibrate.fit import fit_censored

    ev, came_back = idle_answered(asked, served, delay_classes, exclude=True)
    wait = ev["wait_s"].to_numpy(float)
    fit = fit_censored(wait, came_back.to_numpy(bool)).to_dict()
    for key in ("abandoned", "censored", "naive_mean_of_abandon_times"):
        fit.pop(key, None)  # the patience fit's names; the counts follow under ours
    k = ev["idle"].clip(upper=6)
    by_k = {int(i): {"calls": int(len(g)), "observed": int(came_back[g.index].sum()),
                     "mean_wait_s": round(float(g.mean()), 1)}
            for i, g in ev["wait_s"].groupby(k)}
    return {**fit, "method": METHOD, "calls": int(len(ev)),
            "observed_came_back": int(came_back.sum()),
            "censored_abandoned": int((ev["outcome"] != "served").sum()),
            "censored_other_agent": int(((ev["outcome"] == "served") & ~came_back).sum()),
            "mean_observed_s": float(np.mean(wait[came_back.to_numpy(bool)]))
            if came_back.any() else None,
            "wait_by_idle_agents": by_k}


def away_task_length(served: pd.DataFrame, acw_mean: float) -> dict:
    """The hidden task's mean length with the rule on (module docstring)."""
    s = served[served["server"] != ""]
    prev = _previous_end(s)
    stretch = (s["t_answer"] - prev - acw_mean).dropna()
    stretch = stretch[stretch > 0]
    complete = ~s.loc[stretch.index, "queued"].to_numpy(bool)
    n = int(complete.sum())
    mean = float(stretch.sum() / n) if n else float("nan")
    return {"task_mean_s": mean, "method": TASK_METHOD, "stretches": int(len(stretch)),
            "complete": n, "censored": int(len(stretch) - n),
            "mean_stretch_s": float(stretch.mean()) if len(stretch) else None}
