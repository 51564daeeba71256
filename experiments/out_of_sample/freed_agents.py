"""What an agent does when he frees himself while an ACD caller waits, in the log and in
the model (issue 16; FINDINGS item 20).

The log's wait at an empty queue does not grow when every present agent is talking
(item 19); the model's does. Two tables name the mechanism, each the same for the log
and for a run (the run's calls read as the log is read: hidden work is no call, so it
shows as an agent not talking, as unlogged work does in the log):

- **The first agent freed** (``first_freed``): for each served ACD caller who queued
  with nobody ahead and every present agent talking, the agent whose call in progress
  ends first — did he answer this caller, another ACD caller, the direct line next, and
  after how long. An agent held idle for the direct line (the reserve) shows as a long
  gap before his next call.
- **Idle while callers wait** (``idle_spells``): each agent's idle spells between two of
  his calls (after the after-call slack, up to ``SESSION_GAP_S``), the seconds of each
  with an ACD caller waiting, split by whether a caller was already waiting when the
  spell began (he hung up and did not take him) or not (he was idle, or away, before
  the queue formed and did not come back for it).
- **Who takes the direct line** (``direct_answers``): each direct-line answer with the
  ACD callers then waiting and the agent's time since his last hang-up (item 30).
- **Pauses at a hang-up under load** (``hang_up_pauses``): of the hang-ups with
  ``BUSY`` or more ACD callers waiting, the share followed by a gap over ``PAUSE_S`` to
  the agent's next answer, by agents present, and those pauses' length: the not-ready
  after calls, hidden work and any reserve, seen as the log sees them.

``--delay-scenario IN.yaml OUT.yaml`` writes IN with its answer delays re-identified for
item 27's rule (callers in their delay taken by an agent who hangs up; only agents idle
at the caller's entry make him wait it out): ``idle_delay``.

    python experiments/out_of_sample/freed_agents.py [LOG] [RUN_DIR ...] [--day-type T]
    python experiments/out_of_sample/freed_agents.py [LOG] --delay-scenario IN.yaml OUT.yaml
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import script_cli
from free_agents import log_days, scheduled_presence  # run by path: neighbour scripts
from long_waits import days_per_rep, run_calls
from queue_response import (
    _queued,
    log_timelines,
    sim_queued,
    sim_timelines,
    state_at,
    waiting_clock,
)

from sim.calibrate.availability import ACW_SLACK_S
from sim.calibrate.staffing import SESSION_GAP_S

NEXT = ("this caller", "other ACD", "direct", "none")
BUSY = 2  # ACD callers waiting at a hang-up: under load (no lone caller in his answer delay)
PAUSE_S = 60.0  # a longer gap from a hang-up under load to the agent's next answer: a pause
PRESENT_BINS = (1, 3, 5, 7, 9, 1000)  # agents present, bins [lo, hi)
DEEP = 5  # ACD callers waiting: a deep queue


def first_freed(tl: pd.DataFrame, calls: pd.DataFrame, queued: pd.DataFrame
                ) -> pd.DataFrame:
    """One row per served ACD caller who queued (``queued``: t_queue, t_left, served,
    agent) at an empty queue with agents present and none free (timeline ``tl``): the
    first call in progress to end (``calls``: agent, t_answer, t_end, desk), what its
    agent did next and the gap from its end to his next answer."""
    st = state_at(tl, queued["t_queue"].to_numpy(float))
    ok = ((st["queue"] == 0) & (st["free"] == 0) & (st["present"] > 0)).to_numpy()
    ok = ok & queued["served"].to_numpy(bool)
    rows = []
    for _, me in queued[ok].iterrows():
        t = me["t_queue"]
        on = calls[(calls["t_answer"] <= t) & (calls["t_end"] > t)]
        if on.empty:
            continue
        f = on.loc[on["t_end"].idxmin()]
        mine = calls[(calls["agent"] == f["agent"]) & (calls["t_answer"] >= f["t_end"])]
        nxt = mine.loc[mine["t_answer"].idxmin()] if len(mine) else None
        took = me["agent"] == f["agent"]
        rows.append({"wait": me["t_left"] - t, "first_end": f["t_end"] - t,
                     "next": NEXT[0] if took else NEXT[3] if nxt is None
                     else NEXT[1] if nxt["desk"] == "acd" else NEXT[2],
                     "gap": np.nan if nxt is None else nxt["t_answer"] - f["t_end"]})
    return pd.DataFrame(rows, columns=["wait", "first_end", "next", "gap"])


def successive_calls(calls: pd.DataFrame) -> pd.DataFrame:
    """Each call of an agent that his next call follows: its hang-up (``t_end``), the
    next answer (``t_next``) and the next call's desk — what the gap tables read."""
    c = calls.sort_values(["agent", "t_answer"])
    agent = c["agent"].to_numpy()
    same = agent[1:] == agent[:-1]
    return pd.DataFrame({"t_end": c["t_end"].to_numpy(float)[:-1][same],
                         "t_next": c["t_answer"].to_numpy(float)[1:][same],
                         "next_desk": c["desk"].to_numpy()[1:][same]})


def idle_spells(tl: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """Each agent's idle spells between two of his calls (from the hang-up plus
    ``ACW_SLACK_S`` to his next answer, at most ``SESSION_GAP_S``) that overlap an ACD
    caller waiting: whether one waited at the hang-up, the spell's seconds, its seconds
    with a caller waiting (and with ``DEEP`` or more) and the desk of the next call."""
    t = tl["t"].to_numpy(float)
    on = tl["queue"].to_numpy() > 0
    waited, deep = waiting_clock(tl, 1), waiting_clock(tl, DEEP)

    p = successive_calls(calls)
    a, b = p["t_end"].to_numpy() + ACW_SLACK_S, p["t_next"].to_numpy()
    keep = (b - a >= 1.0) & (b - a <= SESSION_GAP_S)
    a, b, hang = a[keep], b[keep], p["t_end"].to_numpy()[keep]
    i = np.clip(np.searchsorted(t, hang, side="right") - 1, 0, None)
    s = pd.DataFrame({"waiting_at_hang_up": on[i], "seconds": b - a,
                      "waited_s": waited(b) - waited(a), "deep_s": deep(b) - deep(a),
                      "next_desk": p["next_desk"].to_numpy()[keep]})
    return s[s["waited_s"] > 0]


def hang_up_pauses(tl: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """One row per hang-up with ``BUSY`` or more ACD callers waiting (the state just
    before it) and a next call of the same agent within ``SESSION_GAP_S``: agents
    present, the gap to his next answer."""
    p = successive_calls(calls)
    gap = (p["t_next"] - p["t_end"]).to_numpy()
    st = state_at(tl, p["t_end"].to_numpy())
    ok = (gap < SESSION_GAP_S) & (st["queue"].to_numpy() >= BUSY)
    return pd.DataFrame({"present": st["present"].to_numpy()[ok], "gap": gap[ok]})


def direct_answers(tl: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """One row per direct-line call answered by an agent with an earlier call that day:
    ACD callers waiting at the answer, and the agent's time since his last hang-up
    (FINDINGS item 30: who takes the direct line while ACD callers wait)."""
    p = successive_calls(calls)
    p = p[p["next_desk"] == "direct"]
    waiting = state_at(tl, p["t_next"].to_numpy())["queue"].to_numpy()
    return pd.DataFrame({"waiting": waiting, "gap": (p["t_next"] - p["t_end"]).to_numpy()})


def direct_table(days: list, source: str, days_per_entry: int = 1) -> pd.DataFrame:
    """``direct_answers`` over the days by ACD callers waiting: answers per day, the
    agents' median time since their last hang-up and the share of it over ``PAUSE_S``."""
    d = pd.concat([direct_answers(tl, calls) for tl, calls, _ in days], ignore_index=True)
    d["acd_waiting"] = pd.cut(d["waiting"], [-1, 0, 1, 3, 10**6], labels=["0", "1", "2-3", "4+"])
    g = d.groupby("acd_waiting", observed=True)["gap"].agg(
        per_day="size", gap_median_s="median", over_pause=lambda x: (x > PAUSE_S).mean())
    g["per_day"] = g["per_day"] / (len(days) * days_per_entry)
    return g.assign(source=source).round(3).reset_index()


def pauses_table(days: list, source: str, days_per_entry: int = 1) -> pd.DataFrame:
    """``hang_up_pauses`` over the days: hang-ups under load and the share paused by
    agents present, and (row ``all``) pauses per day and their mean and median length
    (``days_per_entry``: days an entry of ``days`` holds, a ``--day-mix`` replication's)."""
    h = pd.concat([hang_up_pauses(tl, calls) for tl, calls, _ in days], ignore_index=True)
    h["paused"] = h["gap"] > PAUSE_S
    labels = [f"{lo}-{hi - 1}" if hi < 1000 else f"{lo}+"
              for lo, hi in zip(PRESENT_BINS, PRESENT_BINS[1:], strict=False)]
    h["agents"] = pd.cut(h["present"], list(PRESENT_BINS), right=False, labels=labels)
    g = h.groupby("agents", observed=True)["paused"].agg(hang_ups="size", share="mean")
    p = h.loc[h["paused"], "gap"]
    g.loc["all"] = [len(h), h["paused"].mean()]
    g["per_day"] = np.nan
    g.loc["all", "per_day"] = len(p) / (len(days) * days_per_entry)
    g["mean_s"], g["median_s"] = np.nan, np.nan
    g.loc["all", ["mean_s", "median_s"]] = [p.mean(), p.median()]
    return g.assign(source=source).round(3).reset_index()


def log_agent_days(log) -> list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Each log day: its timeline, named calls (agent, answer, hang-up, desk) and queued
    ACD callers (entry, exit, served, agent who answered)."""
    out = []
    for (tl, _), (_, day) in zip(log_timelines(log), log.groupby("date"), strict=True):
        s = day[(day["outcome"] == "served") & (day["server"] != "")]
        a = s["t_answer"].to_numpy(float)
        calls = pd.DataFrame({"agent": s["server"].to_numpy(), "t_answer": a,
                              "t_end": a + np.maximum(s["service_s"].to_numpy(float), 1.0),
                              "desk": s["desk"].to_numpy()})
        q = _queued(day)
        t0 = (q["t_arrival"] + q["ivr_s"]).to_numpy(float)
        out.append((tl, calls, pd.DataFrame({
            "t_queue": t0, "t_left": t0 + q["wait_s"].to_numpy(float),
            "served": (q["outcome"] == "served").to_numpy(),
            "agent": q["server"].where(q["outcome"] == "served", "").to_numpy()})))
    return out


def sim_agent_days(run: Path) -> list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """The same for each replication of a run (an agent: group and number)."""
    queue_of = {c: s.get("queue") for c, s in scheduled_presence(run)[0]["classes"].items()}
    out = []
    for (tl, _), (_, rep) in zip(sim_timelines(run), run_calls(run).groupby("rep"),
                                 strict=True):
        queue = rep["class"].map(queue_of)
        agent = rep["group"].astype(str) + "/" + rep["agent"].astype(str)
        real = rep["t_answer"].notna() & (queue != "hidden_work")
        calls = pd.DataFrame({"agent": agent[real], "t_answer": rep.loc[real, "t_answer"],
                              "t_end": rep.loc[real, "t_end"],
                              "desk": np.where(queue[real] == "acd", "acd", "direct")})
        q = rep[sim_queued(rep, queue == "acd")]
        served = (q["outcome"] == "answered").to_numpy()
        out.append((tl, calls.reset_index(drop=True), pd.DataFrame({
            "t_queue": q["t_queue"].to_numpy(float) - 1e-6,
            "t_left": q["t_left_queue"].to_numpy(float), "served": served,
            "agent": np.where(served, agent[q.index].to_numpy(), "")})))
    return out


def freed_table(days: list, source: str) -> pd.DataFrame:
    """``first_freed`` over the days: share of each next step, its median gap, and the
    callers' median wait and first end."""
    f = pd.concat([first_freed(*d) for d in days], ignore_index=True)
    g = f.groupby("next").agg(callers=("wait", "size"), gap_median_s=("gap", "median"))
    g["share"] = g["callers"] / len(f)
    g = g.reindex(list(NEXT)).dropna(how="all")
    return g.assign(source=source, wait_median_s=f["wait"].median(),
                    first_end_median_s=f["first_end"].median()).round(3).reset_index()


def spells_table(days: list, source: str, days_per_entry: int = 1) -> pd.DataFrame:
    """``idle_spells`` over the days: spells, their median length and the hours per day
    agents were idle while ACD callers waited (and while ``DEEP`` or more did), by
    whether one waited at the hang-up (``days_per_entry`` as in ``pauses_table``)."""
    s = pd.concat([idle_spells(tl, calls) for tl, calls, _ in days], ignore_index=True)
    g = s.groupby("waiting_at_hang_up").agg(spells=("seconds", "size"),
                                            median_s=("seconds", "median"),
                                            waited_h=("waited_s", "sum"),
                                            deep_h=("deep_s", "sum"))
    n_days = len(days) * days_per_entry
    g["waited_h_per_day"] = g.pop("waited_h") / 3600 / n_days
    g[f"waited_{DEEP}+_h_per_day"] = g.pop("deep_h") / 3600 / n_days
    return g.assign(source=source).round(2).reset_index()


Evidence = tuple[pd.DataFrame, pd.Series]  # callers at an empty queue, idle agent answered


def idle_evidence(log: pd.DataFrame, classes: list[str]) -> Evidence:
    """Item 27's evidence: the callers of ``classes`` at an empty queue with an agent not
    talking (``sim.calibrate.reaction.idle_answered``), and whether an agent idle at
    their entry answered them (else censored: one freed from a call, or joining,
    answered first, or they abandoned)."""
    from sim.calibrate.calibration import ASKED
    from sim.calibrate.reaction import idle_answered

    return idle_answered(log[log["outcome"].isin(ASKED)], log[log["outcome"] == "served"],
                         classes)


def idle_delay(ev: pd.DataFrame, idle: pd.Series) -> dict:
    """The answer delay as only agents idle at the caller's entry impose it: censored MLE
    on ``idle_evidence``, law by AIC, pooled over its classes."""
    from sim.calibrate.fit import fit_censored

    fit = fit_censored(ev["wait_s"].to_numpy(float), idle.to_numpy(bool)).to_dict()
    return {"law": fit["spec"], "calls": len(ev), "observed_idle_agent": int(idle.sum()),
            "censored_other_agent": int(((ev["outcome"] == "served") & ~idle).sum()),
            "censored_abandoned": int((ev["outcome"] != "served").sum())}


PRESENT_DELAY = (1, 4, 7, 1000)  # agents present at the caller's entry, bins [lo, hi)


def idle_delay_by_present(ev: pd.DataFrame, idle: pd.Series) -> pd.DataFrame:
    """``idle_delay`` by agents present at the caller's entry (the law's mean and sd, the
    callers and those observed): does the idle agents' delay depend on the headcount?"""
    rows = []
    for lo, hi in zip(PRESENT_DELAY, PRESENT_DELAY[1:], strict=False):
        m = (ev["present"] >= lo) & (ev["present"] < hi)
        if m.sum() < 2 or not idle[m].any():
            continue
        fit = idle_delay(ev[m], idle[m])
        rows.append({"present": f"{lo}+" if hi >= 1000 else f"{lo}-{hi - 1}",
                     "callers": fit["calls"], "observed": fit["observed_idle_agent"],
                     "mean_s": round(fit["law"]["mean"], 1),
                     "sd_s": round(fit["law"].get("sd", fit["law"]["mean"]), 1)})
    return pd.DataFrame(rows)


def delay_classes(scn: dict) -> list[str]:
    """The classes of a scenario with an answer delay."""
    return [c for c, spec in scn["classes"].items() if spec.get("answer_delay")]


def write_delay_scenario(src: Path, out: Path, law: dict) -> None:
    """``src`` with every answer delay replaced by ``law``, to ``out`` (its header kept:
    the policy ``ccsim validate`` runs it under)."""
    import yaml

    text = src.read_text()
    scn = yaml.safe_load(text)
    for c in delay_classes(scn):
        scn["classes"][c]["answer_delay"] = law
    head = "".join(line for line in text.splitlines(True) if line.startswith("#"))
    note = ("# freed_agents.py --delay-scenario: answer delays as agents idle at the "
            "caller's entry impose them (FINDINGS item 27); run it with\n#   "
            "freed_take_delayed.patch applied and CCSIM_PROTO_HELD=1\n")
    out.write_text(head + note + yaml.safe_dump(scn, sort_keys=False))


def main(argv: list[str] | None = None) -> None:
    p = script_cli.log_runs_parser(__doc__)
    p.add_argument("--delay-scenario", type=Path, nargs=2, metavar=("IN.yaml", "OUT.yaml"),
                   help="write IN with its answer delays re-identified for agents idle at "
                        "the caller's entry (item 27) to OUT, print the fit, stop")
    a = p.parse_args(argv)
    if a.delay_scenario:
        import yaml

        src, out = a.delay_scenario
        ev, idle = idle_evidence(log_days(a.log, a.day_type),
                                 delay_classes(yaml.safe_load(src.read_text())))
        fit = idle_delay(ev, idle)
        write_delay_scenario(src, out, fit["law"])
        print(f"{out}: answer delay {fit}")
        print("the same by agents present at the caller's entry:")
        print(idle_delay_by_present(ev, idle).to_string(index=False))
        return
    sources = [(log_agent_days(log_days(a.log, a.day_type)), f"log {a.day_type}", 1)]
    sources += [(sim_agent_days(run), f"sim {run.name}", days_per_rep(run))
                for run in a.runs]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("the first agent freed while a caller waits at an empty queue, every present "
              "agent talking: what he does next")
        print(pd.concat([freed_table(d, s) for d, s, _ in sources]).to_string(index=False))
        print("\nagents idle while ACD callers wait, by whether one waited at the hang-up")
        print(pd.concat([spells_table(d, s, n) for d, s, n in sources])
              .to_string(index=False))
        print(f"\nhang-ups with {BUSY}+ ACD callers waiting: share followed by a pause over "
              f"{PAUSE_S:.0f} s, by agents present; pauses per day and their length")
        t = pd.concat([pauses_table(d, s, n) for d, s, n in sources])
        print(t.pivot_table(index="source", columns="agents", values="share", sort=False)
              .to_string())
        print(t[t["agents"] == "all"][["source", "hang_ups", "per_day", "mean_s", "median_s"]]
              .to_string(index=False))
        print("\ndirect-line calls by ACD callers waiting at the answer: a day, and their "
              f"agents' time since their last hang-up (median; share over {PAUSE_S:.0f} s)")
        print(pd.concat([direct_table(d, s, n) for d, s, n in sources])
              .to_string(index=False))


if __name__ == "__main__":
    script_cli.run(main)
