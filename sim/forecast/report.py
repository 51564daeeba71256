"""The forecast's tables (CSV) and its report: history, forecast with bands, backtest errors
by horizon — one HTML file in the style of the run reports (``sim.report.page``)."""

from __future__ import annotations

from pathlib import Path

from sim.forecast.models import LEVELS, aggregate, interval_band

__all__ = ["aggregate", "write_tables", "write_report", "summary_text"]
LEVEL_NAMES = {"interval": "interval (history)", "scenario_interval": "interval (scenario)",
               "day": "day"}


def _interval_frame(hist, fc, factor: int, share: float, holidays):
    """Expected calls and bands per scenario interval of the target days."""
    import pandas as pd

    mean = aggregate(fc.mean, factor) * share
    k = fc.kappa if factor == 1 or fc.kappa_scenario is None else fc.kappa_scenario
    rows = []
    step = hist.interval_s * factor
    bands = {lv: interval_band(mean, fc.day_cv, k, lv) for lv in LEVELS}
    for d, day in enumerate(fc.dates):
        key = f"{day:%Y-%m-%d}"
        for i in range(mean.shape[1]):
            s = i * step
            rows.append({"date": key, "weekday": f"{day:%A}",
                         "holiday": holidays[key].name if key in holidays else "",
                         "interval": i, "start": f"{s // 3600:02d}:{s % 3600 // 60:02d}",
                         "expected_calls": mean[d, i],
                         "lo80": bands[0.8][0][d, i], "hi80": bands[0.8][1][d, i],
                         "lo95": bands[0.95][0][d, i], "hi95": bands[0.95][1][d, i]})
    return pd.DataFrame(rows)


def _day_frame(fc, share: float, holidays):
    import pandas as pd

    bands = {lv: fc.day_band(lv) for lv in LEVELS}
    rows = []
    for d, day in enumerate(fc.dates):
        key = f"{day:%Y-%m-%d}"
        rows.append({"date": key, "weekday": f"{day:%A}",
                     "holiday": holidays[key].name if key in holidays else "",
                     "like": fc.like[d] or "", "expected_calls": fc.day_mean[d] * share,
                     "lo80": bands[0.8][0][d] * share, "hi80": bands[0.8][1][d] * share,
                     "lo95": bands[0.95][0][d] * share, "hi95": bands[0.95][1][d] * share,
                     "day_cv": fc.day_cv[d]})
    return pd.DataFrame(rows)


def write_tables(rd: Path, hist, fc, factor: int, share: float, holidays, bt) -> list[Path]:
    """The CSV tables, each checked against its column spec (:mod:`sim.forecast.tables`)
    before it is written."""
    import pandas as pd

    from sim.forecast.tables import checked, columns

    frames = {"forecast_intervals": _interval_frame(hist, fc, factor, share, holidays),
              "forecast_days": _day_frame(fc, share, holidays)}
    if bt is not None:
        frames |= {name: pd.DataFrame(rows, columns=columns(name)) for name, rows in
                   (("backtest", bt.rows), ("backtest_by_day", bt.by_day))}
    paths = []
    for name, frame in frames.items():
        paths.append(rd / f"{name}.csv")
        checked(name, frame).to_csv(paths[-1], index=False, float_format="%.4f")
    return paths


def backtest_table(bt) -> tuple[list[str], list[list[str]]]:
    """Rows: level × horizon week; WAPE of each model, the main model's gain over seasonal
    naive, and its coverage of the 80 % and 95 % intervals."""
    by = {(r["model"], r["horizon_week"], r["level"]): r for r in bt.rows}
    header = ["level", "horizon", "WAPE ets", "WAPE historical avg", "WAPE seasonal naive",
              "ets vs naive", "cover 80 %", "cover 95 %"]
    rows = []
    for level in ("interval", "scenario_interval", "day"):
        for week in (1, 2):
            e, h, s = (by.get((m, week, level)) for m in
                       ("ets", "historical_average", "seasonal_naive"))
            if e is None:
                continue
            assert h is not None and s is not None  # the backtest scores every model alike
            rows.append([LEVEL_NAMES[level], f"week {week}", f"{e['wape']:.1%}",
                         f"{h['wape']:.1%}", f"{s['wape']:.1%}",
                         f"{e['wape'] / s['wape'] - 1:+.0%}", f"{e['cover80']:.1%}",
                         f"{e['cover95']:.1%}"])
    return header, rows


def summary_text(fc, day_cv: float, imputed: int, bt, share: float = 1.0) -> str:
    scaled = "" if share == 1 else f" (× agent share {share:g})"
    lines = [f"forecast ({fc.model}): {len(fc.dates)} days from {fc.dates[0]:%Y-%m-%d}, "
             f"{fc.day_mean.sum() * share:,.0f} calls expected{scaled}; day_volume_cv "
             f"{day_cv:.4f}; {imputed} history cells imputed"]
    for d, day in enumerate(fc.dates):
        lo, hi = (b[d] * share for b in fc.day_band(0.8))
        lines.append(f"  {day:%Y-%m-%d} {day:%a}  {fc.day_mean[d] * share:8,.0f}  80% "
                     f"[{lo:,.0f}, {hi:,.0f}]" + (f"  like a {fc.like[d]}" if fc.like[d]
                                                  else ""))
    if bt is not None and bt.rows:
        header, rows = backtest_table(bt)
        lines.append(f"backtest: {len(bt.origins)} origins ({bt.origins[0]:%Y-%m-%d} .. "
                     f"{bt.origins[-1]:%Y-%m-%d}), horizons 1 and 2 weeks; coverage where at "
                     "least 1 call is expected")
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
        for r in [header, *rows]:
            lines.append("  " + "  ".join(f"{c:>{w}}" for c, w in zip(r, widths, strict=True)))
    elif bt is not None:
        lines.append("backtest: history too short for one origin with two weeks to score")
    return "\n".join(lines)


def write_report(rd: Path, hist, fc, factor: int, share: float, holidays, bt,
                 command: str, day_cv: float) -> Path:
    from sim import __version__
    from sim.report.page import Page

    page = Page("Call-volume forecast", [
        f"{hist.quality.source}: {hist.dates[0]:%Y-%m-%d} .. {hist.dates[-1]:%Y-%m-%d}",
        f"Target: {fc.dates[0]:%Y-%m-%d} .. {fc.dates[-1]:%Y-%m-%d}, model {fc.model}; "
        f"ccsim {__version__}", f"Reproduce: {command}"])
    _quality(page, hist)
    _history(page, hist, holidays)
    _forecast(page, hist, fc, factor, share, holidays, day_cv)
    if bt is not None and bt.rows:
        _backtest(page, bt)
    path = rd / "report.html"
    path.write_text(page.render())
    return path


def _quality(page, hist) -> None:
    q = hist.quality
    page.heading("Data quality")
    rows = [["rows read", f"{q.rows_read:,}", ""], ["kept", f"{q.kept:,}", ""]]
    rows += [[f"dropped: {k}", f"{v:,}", q.notes.get(k, "")] for k, v in q.dropped.items()]
    rows += [[f"flagged: {k}", f"{v:,}", q.notes.get(k, "")] for k, v in q.flagged.items()]
    if q.gaps:
        rows.append(["gaps (cells without a row)", f"{q.gaps:,}", q.gap_note])
    page.table(["what", "count", "note"], rows)
    if not q.conserved:
        page.warnings(["rows not conserved: rows read ≠ kept + dropped"])


def _history(page, hist, holidays) -> None:
    import plotly.graph_objects as go

    page.heading("History")
    days = [f"{d:%Y-%m-%d}" for d in hist.dates]
    total = hist.total.sum(axis=1)
    fig = go.Figure(go.Scatter(x=days, y=total, mode="lines", name="calls per day"))
    hol = [i for i, d in enumerate(days) if d in holidays]
    if hol:
        fig.add_trace(go.Scatter(x=[days[i] for i in hol], y=[total[i] for i in hol],
                                 mode="markers", name="holiday table",
                                 text=[holidays[days[i]].name for i in hol]))
    fig.update_layout(title="Calls per day in the history", xaxis_title="date",
                      yaxis_title="calls per day")
    page.figure(fig, "Days with gaps show the calls seen (imputed cells are not added).")


def _forecast(page, hist, fc, factor, share, holidays, day_cv) -> None:
    import plotly.graph_objects as go

    page.heading("Forecast")
    frame = _interval_frame(hist, fc, factor, share, holidays)
    x = (frame["date"] + " " + frame["start"]).tolist()
    fig = go.Figure()
    for lv, colour in ((0.95, "rgba(18,53,91,0.15)"), (0.8, "rgba(18,53,91,0.3)")):
        pct = int(lv * 100)
        fig.add_trace(go.Scatter(x=x, y=frame[f"hi{pct}"], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=x, y=frame[f"lo{pct}"], mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor=colour, name=f"{pct} % interval"))
    fig.add_trace(go.Scatter(x=x, y=frame["expected_calls"], mode="lines",
                             line={"color": "#12355b"}, name="expected calls"))
    fig.update_layout(title=f"Expected calls per {hist.interval_s * factor // 60}-minute "
                      "interval, with prediction intervals", xaxis_title="interval start",
                      yaxis_title="calls per interval")
    page.figure(fig, "Bands: negative binomial around the expected calls, carrying the "
                "day's level uncertainty and the interval noise seen in the history.")
    days = _day_frame(fc, share, holidays)
    page.table(["date", "weekday", "holiday", "like", "expected calls", "80 %", "95 %",
                "day cv"],
               [[r.date, r.weekday, r.holiday, r.like, f"{r.expected_calls:,.0f}",
                 f"{r.lo80:,.0f} – {r.hi80:,.0f}", f"{r.lo95:,.0f} – {r.hi95:,.0f}",
                 f"{r.day_cv:.3f}"] for r in days.itertuples()])
    page.text(f"The scenario file carries arrivals.day_volume_cv = {day_cv:.4f}: each "
              "simulated day's volume is multiplied by a gamma variable of mean 1 and this "
              "cv, so simulated days vary as much as the forecast misses.", "note")


def _backtest(page, bt) -> None:
    import plotly.graph_objects as go

    page.heading("Backtest (rolling origin)")
    page.text(f"{len(bt.origins)} origins from {bt.origins[0]:%Y-%m-%d} to "
              f"{bt.origins[-1]:%Y-%m-%d}; at each, every model is refitted on the days "
              "before it and scored on the next two weeks. WAPE = Σ|actual − forecast| / "
              "Σ actual. Coverage: share of actual values inside the main model's "
              "prediction intervals, over intervals with at least one call expected.")
    header, rows = backtest_table(bt)
    page.table(header, rows, left=2)
    fig = go.Figure()
    names = {"ets": "ets (main)", "historical_average": "historical average",
             "seasonal_naive": "seasonal naive"}
    for level, key, dash in (("interval", "wape_interval", "solid"),
                             ("day", "wape_day", "dot")):
        for model, name in names.items():
            pts = [r for r in bt.by_day if r["model"] == model]
            fig.add_trace(go.Scatter(x=[r["horizon_day"] for r in pts],
                                     y=[100 * r[key] for r in pts], mode="lines+markers",
                                     line={"dash": dash}, name=f"{name}, {level}"))
    fig.update_layout(title="Backtest error by horizon", xaxis_title="days after the origin",
                      yaxis_title="WAPE (%)")
    page.figure(fig, "Solid: per interval (history resolution); dotted: per day.")
    if bt.skipped_cells:
        page.text(f"{bt.skipped_cells:,} target cells without data were left out of the "
                  "scores.", "note")
