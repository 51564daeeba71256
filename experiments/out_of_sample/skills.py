"""Which agents serve which call types (issue 16): the log's evidence for skill groups.

The calibration simulates one pool of agents, every agent serving every class, ranked by
customer priority only. The per-class errors out of sample (docs/calibration.md, *What limits the
levels*, 7) point to routing by call type: TT callers are overtaken by PS callers of
the same priority, yet wait less; NW callers wait and abandon most. The agents' names
tell who served what:

- **served by agent and type**: the log's `server` over its served calls;
- **skill set** of an agent: the types that make at least ``MIN_SHARE`` of his calls
  and number at least ``MIN_CALLS`` (fewer is read as an occasional call, e.g. a call
  transferred or a type logged wrongly: the threshold is a choice, reported);
- **skill groups**: agents with the same skill set, with their share of each type's calls
  and of all agent time (talk), the size a calibration with skill groups would give each.

Two checks of what the sets would change (docs/calibration.md, *What limits the levels*, 8):

- **at once by agents free**: an unidentified ACD caller's chance of an agent at once,
  by his type and the agents present and not talking as he arrives
  (``free_agents.log_moments``). If skills routed the types apart, a type few agents
  serve would be answered at once less often with the same agents free;
- **queue bypass**: the share of callers answered at once while a caller of the same
  priority had already waited ``BYPASS_WAITED_S``: under one queue per priority an
  agent free for the newcomer would have taken the earlier caller, so a high share
  means the type does not go through that queue (the bank's own description of TT:
  customers who left a message to be called back).

Usage: python skills.py LOG [DAY_TYPE]   (default: the shipped log, weekday)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import script_cli

MIN_SHARE = 0.02  # of an agent's calls
MIN_CALLS = 5
FREE_CAP = 4  # agents not talking: 0, 1, 2, 3, 4 or more
MIN_CELL = 10  # callers in a cell of the at-once table
BYPASS_WAITED_S = 30.0


def served_by_agent(log) -> pd.DataFrame:
    """Served calls by agent (rows, busiest first) and call type (columns)."""
    s = log[(log["outcome"] == "served") & (log["server"] != "")]
    kind = s["class"].str.split("_", n=1).str[1]
    table = pd.crosstab(s["server"], kind)
    return table.loc[table.sum(axis=1).sort_values(ascending=False).index]


def skill_sets(table: pd.DataFrame, min_share: float = MIN_SHARE,
               min_calls: int = MIN_CALLS) -> pd.Series:
    """Each agent's skill set: the types he served often enough, as a sorted '+' string."""
    share = table.div(table.sum(axis=1), axis=0)
    often = (share >= min_share) & (table >= min_calls)
    sets = often.apply(lambda row: "+".join(t for t in table.columns if row[t]), axis=1)
    return sets.replace("", "none (few calls)")


def skill_groups(log, min_share: float = MIN_SHARE, min_calls: int = MIN_CALLS
                 ) -> pd.DataFrame:
    """Agents with the same skill set: how many, their share of each type's calls and of
    the talk time of all named agents."""
    table = served_by_agent(log)
    sets = skill_sets(table, min_share, min_calls)
    s = log[(log["outcome"] == "served") & (log["server"] != "")]
    talk = s.groupby("server")["service_s"].sum()
    by_set = table.groupby(sets).sum()
    out = by_set.div(table.sum(axis=0), axis=1).round(3)
    out.insert(0, "agents", sets.value_counts().reindex(out.index))
    out.insert(1, "talk_share", (talk.groupby(sets).sum() / talk.sum()).round(3))
    return out.sort_values("talk_share", ascending=False)


def _type(cls: pd.Series) -> pd.Series:
    return cls.str.split("_", n=1).str[1]


def at_once_by_free(moments: pd.DataFrame) -> pd.DataFrame:
    """Share answered at once by agents not talking (rows, capped at ``FREE_CAP``) and
    type (columns), from ``free_agents.log_moments`` rows with their class; cells of at
    least ``MIN_CELL`` callers."""
    m = moments[moments["present"] > 0]
    m = m.assign(type=_type(m["class"]),
                 not_talking=(m["present"] - m["talking"]).clip(0, FREE_CAP))
    table = m.pivot_table(index="not_talking", columns="type", values="at_once",
                          aggfunc=["mean", "size"])
    return table["mean"].where(table["size"] >= MIN_CELL).round(3)


def queue_bypass(log, at_once_s: float, waited_s: float = BYPASS_WAITED_S) -> pd.DataFrame:
    """Callers of the ACD queue answered within ``at_once_s``, by class: how many, and
    the share answered while a caller of the same priority had waited ``waited_s`` and
    still waited."""
    import numpy as np

    rows = []
    asked = log[(log["desk"] == "acd") & log["outcome"].isin(["served", "abandoned"])]
    for _, day in asked.groupby("date"):
        t0 = (day["t_arrival"] + day["ivr_s"]).to_numpy(float)
        t1 = t0 + day["wait_s"].to_numpy(float)
        prio = day["priority"].astype(str).to_numpy()
        fast = ((day["outcome"] == "served") & (day["wait_s"] <= at_once_s)).to_numpy()
        for i in np.flatnonzero(fast):
            waiting = (t0 < t0[i] - waited_s) & (t1 > t0[i]) & (prio == prio[i])
            rows.append((day["class"].iloc[i], bool(waiting.any())))
    r = pd.DataFrame(rows, columns=["class", "bypass"])
    return (r.groupby("class")["bypass"].agg(["size", "mean"])
            .rename(columns={"size": "at_once", "mean": "while_same_priority_waited"})
            .round(3))


def main(log_path: Path, day_type: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from free_agents import AT_ONCE_S, log_days, log_moments

    log = log_days(log_path, day_type)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(f"served calls by agent and type ({day_type}):")
        print(served_by_agent(log).to_string())
        print(f"\nskill groups (a type counts for an agent from {MIN_SHARE:.0%} of his "
              f"calls and {MIN_CALLS} calls; columns: share of the type's calls):")
        print(skill_groups(log).to_string())
        print("\nunidentified ACD callers answered at once, by agents present and not "
              f"talking (rows, {FREE_CAP} = {FREE_CAP} or more) and type:")
        print(at_once_by_free(log_moments(log)).to_string())
        print(f"\nanswered at once while a caller of the same priority had waited "
              f"{BYPASS_WAITED_S:g} s:")
        print(queue_bypass(log, AT_ONCE_S).to_string())


def cli(argv: list[str] | None = None) -> None:
    p = script_cli.parser(__doc__)
    p.add_argument("log", type=Path, nargs="?",
                   default=Path("sim/data/anonymous_bank_january1999.txt.gz"))
    p.add_argument("day_type", nargs="?", default="weekday")
    a = p.parse_args(argv)
    main(a.log, a.day_type)


if __name__ == "__main__":
    script_cli.run(cli)
