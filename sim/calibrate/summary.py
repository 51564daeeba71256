"""The calibration summary printed by ``ccsim calibrate`` (the full evidence is in
calibration.json)."""

from __future__ import annotations


def _fit_line(name: str, rep: dict) -> str:
    cands = "  ".join(f"{c['law']}: AIC {c['aic']:.0f}, {_gof(rep)} {c['gof']:.3f}"
                      for c in rep.get("candidates", []))
    spec = rep.get("spec") or {"dist": "none"}
    law = spec["dist"]
    if "mean" in spec:
        law += f"(mean {spec['mean']:.1f}" + (f", sd {spec['sd']:.1f}" if "sd" in spec
                                               else "") + ")"
    return f"  {name:<10} n={rep.get('n', 0):>6}  chosen {law:<34} {cands}"


def _gof(rep: dict) -> str:
    return "sup|S-KM|" if "km_median" in rep else "KS"


def summary_text(cal) -> str:
    r = cal.report
    fits = r["fits"]
    lines = [f"day type {r['day_type']}: {len(r['days'])} days; classes "
             f"{', '.join(r['classes'])}",
             f"direct line (answered at once or lost): "
             f"{', '.join(r['direct_line_classes']) or 'none'}; policy {r['policy']['name']} "
             f"{r['policy'].get('params', '')}",
             f"priority rule (first to last): {' > '.join(r['priority_rule']['order'])} "
             f"({r['priority_rule']['consistent']:.1%} of overtakes agree)",
             "handle time by type (AIC chooses; KS distance):"]
    lines += [_fit_line(t, f) for t, f in fits["handle_time"].items()]
    lines.append("patience by class (censored MLE, AIC chooses; sup|S_fit - S_KM|; "
                 "naive = mean wait of abandoners, biased low):")
    for c, f in fits["patience"].items():
        extra = (f"  KM median {f['km_median']}, naive {f['naive_mean_of_abandon_times']:.0f}"
                 f", pooled over {f['pooled_over']}") if "km_median" in f else ""
        lines.append(_fit_line(c, f) + extra)
    acw = fits["after_call_work"]
    lines.append(f"after-call work: {acw['spec']} (mean gap {acw['mean']:.1f} s)")
    lines.append(f"calls that ended in the IVR (counted, not modelled): "
                 f"{r['ivr_abandoned_not_modelled']}")
    delays = r.get("answer_delay", {}).get("classes", {})
    lines.append("answer delay (in the queue before an agent may pick up; classes never "
                 "answered at once):" + ("" if delays else " none"))
    lines += [_fit_line(c, f) + f"  own evidence {f['own_calls']} calls"
              for c, f in delays.items()]
    peak = max(r["staffing"]["pool"])
    hw = r["hidden_work"]
    after = (r.get("availability") or {}).get("after_call_not_ready")
    if after and after.get("spec"):
        lines.append(f"not ready after calls: prob {after['prob']}, duration "
                     f"{after['spec']} ({after['hang_ups']} hang-ups while callers waited)")
    rest = hw.get("remaining") or {}
    lines.append(f"staffing: peak {peak:.1f} agents present; hidden work: fill "
                 f"{hw['fill']}, tasks of {hw['task_mean_s']:.0f} s"
                 + (f", {rest['hidden_agent_hours']} of {rest['available_agent_hours']} "
                    f"available agent-hours a day" if rest else ""))
    lines += _fit_lines(hw.get("fit") or {})
    return "\n".join(lines)


def _fit_lines(fit: dict) -> list[str]:
    """How the fill was fitted, when not on the mean day, and a fit that ended at a bound
    of its range (the log's share at once not reached within it): said, never hidden."""
    out = []
    if fit.get("on") == "day-mix":
        out.append("hidden work fitted on the calibration days in a row (--fit-on day-mix): "
                   "validate it with --day-mix")
    if fit.get("at_bound"):
        out.append(f"warning: the hidden-work fit ended at a bound of its range "
                   f"{tuple(fit['range'])}: the log's share answered at once "
                   f"({fit['target_log_at_once']:.1%}) is not reached within it")
    return out


def calendar_lines(cal: dict) -> list[str]:
    """What the holiday table did to the log's days, and what it could not know (printed
    by ``ccsim calibrate`` and ``ccsim validate``; ``calibration.json`` -> calendar)."""
    lines = [f"holiday {h['date']} ({h['name']}, table {cal['holiday_table']}): "
             + (f"calibrated as {h['day_type']} (like a {h['like']})" if h["day_type"]
                else "left out of every day type")
             for h in cal["holidays_in_log"]]
    gaps = cal["dates_without_calls"]
    if gaps:
        lines.append(f"{len(gaps)} date(s) between the first and last without any call "
                     f"(not in the day averages): "
                     f"{', '.join(gaps[:5])}{' ...' if len(gaps) > 5 else ''}")
    if cal["years_not_in_table"]:
        lines.append(f"warning: holiday table {cal['holiday_table']} has no day in "
                     f"{', '.join(cal['years_not_in_table'])}: those dates are taken at "
                     f"their weekday (give --holidays FILE)")
    lines += [f"warning: {d['date']} has {d['calls']} calls, under half of its day type's "
              f"median day ({d['day_type']}, {d['median_of_day_type']:.0f}): an unlisted "
              f"holiday or a partial day? (kept; --holidays FILE to reclassify it)"
              for d in cal["low_volume_days"]]
    return lines
