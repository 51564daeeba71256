"""A calibrated bank scenario rewritten with the routing the log shows (issue 16; FINDINGS
item 14): one arrival stream per type, routed at the IVR exit by the queue it finds.

PS and NE callers all arrive as the unidentified class (``p0_PS``, ``p0_NE``: the direct
line), at the three priorities' summed rates; a caller who finds an ACD caller waiting
or no agent free for him becomes identified (``p1_*`` or ``p2_*``, ``classes.NAME.
when_busy``) with the log's probabilities, read off the weekdays with two or more ACD
callers waiting (``queue_response.unidentified_share``) and the identified callers' mix
of priorities at such moments. A caller who finds an agent free and nobody waiting is
identified all the same (``when_free``) with the share the log shows at an empty queue
with ``FREE_MANY`` or more agents not talking (one of them surely available: the share
falls with their number and levels off there), in the same mix. Everything else is the
calibration's, except, with ``--no-answer-delay``, the identified classes' answer delay
(fitted to the time until an agent came, which the routing now produces) and the
hidden-work volume, scaled by ``--fill-scale`` (the fill was fitted to the at-once share
under the old routing).

    python experiments/out_of_sample/routed.py SCENARIO OUT.yaml [--log LOG]
        [--fill-scale F] [--no-answer-delay] [--when-free SHARE] [--task-s S]
        [--acw-empirical] [--not-ready P MEAN_S [--yields]]
        [--away-when-idle AFTER_S MEAN_S [--away-min-present K]] [--not-ready-prob P]

The last ones are the variants of FINDINGS items 15–17: hidden tasks of S seconds at the
same agent-hours; the after-call work as the empirical law of its own sample
(``wrap_up_gaps`` in (0, 60] s, 200 quantiles); not ready after a share P of calls for an
exponential MEAN_S (with ``--yields``: only when nobody waits, ended by the next caller
who may be answered, ``availability.not_ready.yields``); agents idle for an exponential
AFTER_S stepping away for an exponential MEAN_S, called back by a caller who may be
answered (``availability.away_when_idle``), with ``--away-min-present`` only while K or
more agents are logged in (item 21).
    ccsim validate --scenario OUT.yaml --n-reps 10 --seed 1    # fast engine (auto)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
import yaml
from free_agents import log_days  # run by path: a neighbour script
from queue_response import log_timelines, state_at, unidentified_share

from sim.calibrate.fit import law_mean

TYPES = ("PS", "NE")
FREE_MANY = 6  # agents not talking from which the identified share at an empty queue levels


def identified_mix(log, days: list, types: tuple[str, ...] = TYPES
                   ) -> dict[str, dict[str, float]]:
    """For each type, the probability that a caller finding two or more ACD callers
    waiting arrives as each identified priority (the rest arrive unidentified; ``days``:
    ``log_timelines(log)``)."""
    q = unidentified_share(log, days, types)
    busy = q[q["queue"] == "2+"]
    identified = 1 - float((busy["unidentified"] * busy["callers"]).sum()
                           / busy["callers"].sum())
    out = {}
    for ty in types:
        prio = []
        for (tl, _), (_, day) in zip(days, log.groupby("date"), strict=True):
            d = day[(day["type"] == ty) & (day["priority"].astype(str) != "0")]
            st = state_at(tl, d["t_arrival"].to_numpy(float))
            prio.append(d["priority"].astype(str).to_numpy()[st["queue"].to_numpy() >= 2])
        p = pd.Series(np.concatenate(prio)).value_counts(normalize=True)
        out[ty] = {f"p{k}_{ty}": round(identified * float(p.get(k, 0.0)), 4)
                   for k in ("1", "2")}
    return out


def identified_when_free(log, days: list, types: tuple[str, ...] = TYPES) -> float:
    """The share of the types' callers who arrive identified though nobody waits and
    ``FREE_MANY`` or more agents are not talking (``days``: ``log_timelines(log)``)."""
    q = unidentified_share(log, days, types, free=(0, FREE_MANY, 1000))
    row = q[(q["queue"] == "0") & (q["free"] == f"{FREE_MANY}+")]
    return round(1 - float(row["unidentified"].iloc[0]), 4)


def free_mix(mix: dict[str, dict[str, float]], share: float) -> dict[str, dict[str, float]]:
    """``mix``'s priorities rescaled to sum to ``share``: the switch when an agent is free."""
    return {ty: {name: round(share * p / sum(switch.values()), 4) for name, p in switch.items()}
            for ty, switch in mix.items()}


def routed(scn: dict, mix: dict[str, dict[str, float]], fill_scale: float,
           answer_delay: bool, when_free: dict[str, dict[str, float]] | None = None) -> dict:
    """``scn`` with the identified classes' volumes moved onto the unidentified one."""
    classes = scn["classes"]
    for ty, switch in mix.items():
        p0 = classes[f"p0_{ty}"]
        total = np.asarray(p0["calls_per_interval"], float)
        for name in switch:
            total = total + np.asarray(classes[name]["calls_per_interval"], float)
            classes[name]["calls_per_interval"] = [0.0] * len(total)
            if not answer_delay:
                classes[name].pop("answer_delay", None)
        p0["calls_per_interval"] = [round(float(x), 6) for x in total]
        p0["when_busy"] = switch
        if when_free and any(when_free[ty].values()):
            p0["when_free"] = when_free[ty]
    hidden = classes["hidden_work"]
    hidden["calls_per_interval"] = [round(float(x) * fill_scale, 6)
                                    for x in hidden["calls_per_interval"]]
    return scn


def variants(scn: dict, log, task_s: float | None = None, acw_empirical: bool = False,
             not_ready: tuple[float, float] | None = None, yields: bool = False,
             away_when_idle: tuple[float, float] | None = None,
             away_min_present: int = 0, not_ready_prob: float | None = None) -> dict:
    """``scn`` with items 15–17's variants applied (each off when None / False);
    ``not_ready_prob`` sets the probability of the scenario's own not-ready law."""
    if task_s is not None:
        hidden = scn["classes"]["hidden_work"]
        k = law_mean(hidden["handle_time"]) / task_s  # the same agent-hours
        hidden["handle_time"] = {"dist": "exponential", "mean": task_s}
        hidden["calls_per_interval"] = [round(x * k, 6) for x in hidden["calls_per_interval"]]
    if acw_empirical:
        from sim.calibrate.staffing import wrap_up_gaps

        g = np.asarray(wrap_up_gaps(log[log["outcome"] == "served"]), float)
        g = g[(g > 0) & (g <= 60)]
        law = {"dist": "empirical", "values": [
            round(float(v), 1) for v in np.quantile(g, (np.arange(200) + 0.5) / 200)]}
        for c in scn["classes"].values():
            if c.get("after_call_work") is not None:
                c["after_call_work"] = law
    if not_ready is not None:
        for g in scn["groups"].values():
            g.setdefault("availability", {})["not_ready"] = {
                "prob": not_ready[0], "duration": {"dist": "exponential", "mean": not_ready[1]},
                "yields": yields}
    if not_ready_prob is not None:
        for g in scn["groups"].values():
            nr = (g.get("availability") or {}).get("not_ready")
            if nr is not None:
                nr["prob"] = not_ready_prob
    if away_when_idle is not None:
        for g in scn["groups"].values():
            g.setdefault("availability", {})["away_when_idle"] = {
                "after": {"dist": "exponential", "mean": away_when_idle[0]},
                "duration": {"dist": "exponential", "mean": away_when_idle[1]},
                "min_present": away_min_present}
    return scn


def main(argv: list[str] | None = None) -> None:
    from sim.calibrate import SHIPPED_LOG

    p = script_cli.parser(__doc__)
    p.add_argument("scenario", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--log", type=Path, default=SHIPPED_LOG)
    p.add_argument("--fill-scale", type=float, default=1.0)
    p.add_argument("--no-answer-delay", action="store_true")
    p.add_argument("--when-free", type=float, default=None,
                   help="share identified when an agent is free (default: the log's)")
    p.add_argument("--task-s", type=float, default=None)
    p.add_argument("--acw-empirical", action="store_true")
    p.add_argument("--not-ready", type=float, nargs=2, default=None, metavar=("P", "MEAN_S"))
    p.add_argument("--yields", action="store_true",
                   help="the not-ready spell is a wrap-up that yields to a caller")
    p.add_argument("--away-when-idle", type=float, nargs=2, default=None,
                   metavar=("AFTER_S", "MEAN_S"))
    p.add_argument("--away-min-present", type=int, default=0, metavar="K",
                   help="agents step away only while K or more are logged in")
    p.add_argument("--not-ready-prob", type=float, default=None, metavar="P",
                   help="the probability of the scenario's own not-ready law")
    a = p.parse_args(argv)
    text = a.scenario.read_text()
    log = log_days(a.log, "weekday")
    days = log_timelines(log)
    mix = identified_mix(log, days)
    share = identified_when_free(log, days) if a.when_free is None else a.when_free
    free = free_mix(mix, share)
    scn = routed(yaml.safe_load(text), mix, a.fill_scale, not a.no_answer_delay, free)
    scn = variants(scn, log, a.task_s, a.acw_empirical, a.not_ready, a.yields,
                   a.away_when_idle, a.away_min_present, a.not_ready_prob)
    header = "".join(line for line in text.splitlines(True) if line.startswith("#"))
    note = (f"# routed (experiments/out_of_sample/routed.py): when_busy {mix}, when_free "
            f"{free}, hidden work "
            f"x{a.fill_scale:g}, answer delay {'kept' if not a.no_answer_delay else 'off'}, "
            f"tasks {a.task_s}, empirical after-call work {a.acw_empirical}, "
            f"not ready {a.not_ready}{' yielding' if a.yields else ''}, away when idle "
            f"{a.away_when_idle} from {a.away_min_present} agents logged in, not-ready "
            f"probability {a.not_ready_prob}\n")
    a.out.write_text(header + note + yaml.safe_dump(scn, sort_keys=False, width=100))
    print(f"{a.out}: when_busy {mix}, when_free {free}")


if __name__ == "__main__":
    script_cli.run(main)
