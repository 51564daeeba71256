"""``ccsim forecast``: call volumes per interval from arrival history, with backtests and the
uncertainty staffing must cover (see ``sim.forecast.cli``)."""


def main(argv: list[str]) -> int:
    from sim.forecast.cli import main as run

    return run(argv)
