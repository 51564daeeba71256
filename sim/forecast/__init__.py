"""``ccsim forecast``: call volumes per interval from arrival history, with backtests and the
uncertainty staffing must cover (see ``sim.forecast.cli``)."""


def main(argv: list[str]) -> int:
    """``ccsim forecast HISTORY``: next days' volumes from history, as a scenario.

    With prediction intervals, a rolling-origin backtest and a report."""
    from sim.forecast.cli import main as run

    return run(argv)
