"""``ccsim validate --predict DAY_TYPE[:DAYS]``: keep a calibration's behaviour (patience,
handle times, answer delay, not-ready share, hidden-work share, routing) and take only the
volumes and staffing of other days (another period or day type, or another log).

The inputs taken from the predicted days are exactly what a planner would have: calls
per interval by class and agents present per interval. Nothing measured on how those
days were served (talk time, waits, abandonment) enters the prediction: the hidden work
is set from the calibration's share of available agent time that hidden tasks filled
(``hidden_share``), applied to the predicted days' available agent time net of the
talk and wrap-up their volumes imply (answered share and handle means of the
calibration). A routed class (``when_busy`` / ``when_free``) takes the volumes of the
classes it routes to (``_route``).
"""

from __future__ import annotations

import copy

from sim.calibrate.fit import law_mean
from sim.calibrate.hidden import HIDDEN


def _shares_by_interval(tasks: list, task_s: float, available: list,
                        interval_s: float) -> list[float]:
    """The hidden work's share of available agent time in each interval of the day (a
    calibration fitted by hour, ``--hidden-fill-by hour``: its behaviour by the clock)."""
    return [t * task_s / (a * interval_s) if a > 0 else 0.0
            for t, a in zip(tasks, available, strict=True)]


def parse_target(text: str) -> tuple[str, str]:
    """``friday`` or ``weekday:second-half`` -> (day type, days)."""
    from sim.calibrate.calibration import DAY_SELECTIONS

    day_type, _, days = text.partition(":")
    days = days or "all"
    if not day_type or days not in DAY_SELECTIONS:
        raise ValueError(f"--predict {text!r}: allowed: DAY_TYPE or DAY_TYPE:DAYS with DAYS "
                         f"one of {', '.join(DAY_SELECTIONS)} (e.g. friday, "
                         f"weekday:second-half)")
    return day_type, days


def _expected_work(scenario: dict, volumes: dict, answered_share: float, n: int) -> list:
    """Agent-seconds of talk, wrap-up and not ready after calls (if the behaviour has it)
    per interval the volumes imply."""
    out = [0.0] * n
    nr = ((scenario["groups"]["agents"].get("availability") or {}).get("not_ready")
          or {})
    not_ready = float(nr.get("prob", 0.0)) * law_mean(nr.get("duration"))
    for cls, vol in volumes.items():
        c = scenario["classes"].get(cls)
        if c is None:
            continue
        per_call = law_mean(c["handle_time"]) + law_mean(c.get("after_call_work")) + not_ready
        for k in range(n):
            out[k] += vol[k] * answered_share * per_call
    return out


def _route(scn: dict, volumes: dict, moved: dict) -> None:
    """Volumes of classes a routed class switches its callers to (``when_busy``,
    ``when_free``) moved onto it: the predicted days' split between them is how their
    callers were routed, which the routing reproduces; kept apart, their callers would
    be routed twice."""
    for cls, c in scn["classes"].items():
        targets = {**(c.get("when_busy") or {}), **(c.get("when_free") or {})}
        for dest in targets:
            if dest == cls or dest not in volumes or not any(volumes[dest]):
                continue
            moved[dest] = (f"routed into {cls} ({sum(volumes[dest]):.1f} calls a day arrive "
                           f"as {cls}, whose routing sends them on)")
            volumes[cls] = [a + b for a, b in zip(volumes[cls], volumes[dest], strict=True)]
            volumes[dest] = [0.0] * len(volumes[dest])


def predict_scenario(behaviour: dict, report: dict, target) -> tuple[dict, dict]:
    """The behaviour scenario with the target calibration's volumes and presence."""
    from sim.calibrate.availability import schedule

    scn = copy.deepcopy(behaviour)
    interval_s = scn["horizon"]["interval_s"]
    classes = [c for c in scn["classes"] if c != HIDDEN]
    n = len(next(iter(scn["classes"].values()))["calls_per_interval"])
    volumes = {c: [0.0] * n for c in classes}
    moved = {}
    for cls, c in target.scenario["classes"].items():
        if cls == HIDDEN:
            continue
        dest = cls if cls in volumes else f"{cls.split('_', 1)[0]}_other"
        per_day = f"({sum(c['calls_per_interval']):.1f} calls a day)"
        if dest not in volumes:
            moved[cls] = f"dropped: no class of that priority in the calibration {per_day}"
            continue
        if dest != cls:
            moved[cls] = f"pooled into {dest} {per_day}"
        volumes[dest] = [a + b for a, b in zip(volumes[dest], c["calls_per_interval"],
                                               strict=True)]
    _route(scn, volumes, moved)
    for cls in classes:
        scn["classes"][cls]["calls_per_interval"] = [round(v, 4) for v in volumes[cls]]
    av = report.get("availability")
    target_av = target.report.get("availability")
    present = (target_av["present"] if av and target_av
               else target.report["staffing"]["pool"])
    nr = av["not_ready"]["share"] if av else [0.0] * n
    staffing, shrink = schedule(present, nr)
    group = scn["groups"]["agents"]
    if av:
        group["staffing"] = staffing  # the behaviour's other availability keys are kept
        group["availability"] = {**(group.get("availability") or {}), "shrinkage": shrink}
    else:
        group["staffing"] = [int(p + 0.5) for p in present]
    available = [p * (1 - s) for p, s in zip(present, nr, strict=True)] if av else \
        [float(x) for x in group["staffing"]]
    hidden = behaviour["classes"].get(HIDDEN)
    task = law_mean(hidden["handle_time"]) if hidden else 1.0
    hidden_s = sum(hidden["calls_per_interval"]) * task if hidden else 0.0
    cal_avail = (av or {}).get("available") or report["staffing"]["pool"]
    share = hidden_s / max(sum(cal_avail) * interval_s, 1e-9)
    by_hour = bool(hidden) and (report.get("hidden_work") or {}).get("fill_by") == "hour"
    shares = (_shares_by_interval(hidden["calls_per_interval"], task, cal_avail, interval_s)
              if by_hour else [share] * n)
    answered = report.get("answered_share", 0.9)
    work = _expected_work(scn, volumes, answered, n)
    tasks = []
    for k in range(n):
        free = max(available[k] * interval_s - work[k], 0.0)
        tasks.append(round(min(shares[k] * available[k] * interval_s, free) / task, 4))
    if HIDDEN in scn["classes"]:
        scn["classes"][HIDDEN]["calls_per_interval"] = tasks
    info = {"predicted_days": target.report["days"], "day_type": target.report["day_type"],
            "classes_moved": moved, "hidden_share_of_available_time": round(share, 4),
            "hidden_share_by": "interval of the day" if by_hour else "day",
            "answered_share_assumed": answered,
            "kept_from_calibration": "patience, handle times, IVR times, answer delays, "
                                     "after-call work, not-ready share by hour, hidden-work "
                                     "share of available time and task length, priorities, "
                                     "routing",
            "taken_from_predicted_days": "calls per interval by class, agents present per "
                                         "interval"}
    return scn, info
