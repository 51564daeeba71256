"""pytest plugin: SLA assertions written as tests.

Installed with ccsim (entry point ``pytest11``, named ``sim.pytest_plugin`` after this
module so that also naming it in ``-p`` or ``pytest_plugins`` is harmless: pytest then
finds it registered already), it provides the fixture ``sla_check`` and the helper
``assert_sla``::

    def test_hotline_meets_its_sla(sla_check):
        sla_check.assert_met("scenario=hotline_small")  # SLA sla/hotline_small.yaml

    def test_one_agent_fewer_keeps_asa_low(sla_check):
        report = sla_check("scenario=hotline_small",
                           "scenario.groups.general_desk.extra_agents=-1",
                           targets=[{"kpi": "asa_s", "max": 10}])
        assert report.passed, report.table()

Replications are seeded as in ``ccsim`` (the same overrides give the same numbers) and
shared within the test session: checks of the same configuration run it once.
``--ccsim-max-reps N`` caps every check's replication budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest


def _overrides(overrides: tuple) -> list[str]:
    if len(overrides) == 1 and not isinstance(overrides[0], str):
        return list(overrides[0])  # one list of overrides
    return list(overrides)


def _sla(sla: object, targets: Sequence[Mapping] | None, spec: Mapping | None) -> object:
    if targets is None:
        return sla
    if sla is not None:
        raise TypeError("give either sla or targets, not both")
    return {**(spec or {}), "targets": list(targets)}


def assert_sla(*overrides: str | Sequence[str], sla: object = None,
               targets: Sequence[Mapping] | None = None, spec: Mapping | None = None,
               cache: dict | None = None, **options):
    """Run ``ccsim check`` in-process and fail (AssertionError, with the table) when a
    target is missed. ``sla``: a name in sla/, a path, a dict or None (the
    scenario's own); or ``targets`` (a list of target dicts; ``spec`` adds the other spec
    keys). Options: ``max_reps``, ``baseline``, ``save_baseline``, ``jobs``. Returns the
    Report."""
    from sim.check.gate import run_check

    report = run_check(_overrides(overrides), _sla(sla, targets, spec), cache=cache,
                       **options)
    if not report.passed:
        raise AssertionError(f"{report.summary_line()}\n{report.table()}")
    return report


class SLAChecker:
    """The ``sla_check`` fixture: call it for a Report, or ``assert_met`` to assert."""

    def __init__(self, max_reps: int | None = None):
        self.cache: dict = {}
        self.max_reps = max_reps

    def _options(self, options: dict) -> dict:
        if self.max_reps is not None:
            options.setdefault("max_reps", self.max_reps)
        return options

    def __call__(self, *overrides: str | Sequence[str], sla: object = None,
                 targets: Sequence[Mapping] | None = None, spec: Mapping | None = None,
                 **options):
        from sim.check.gate import run_check

        return run_check(_overrides(overrides), _sla(sla, targets, spec), cache=self.cache,
                         **self._options(options))

    def assert_met(self, *overrides: str | Sequence[str], **kwargs):
        kwargs["cache"] = self.cache
        return assert_sla(*overrides, **self._options(kwargs))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ccsim", "ccsim SLA checks")
    group.addoption("--ccsim-max-reps", type=int, default=None, metavar="N",
                    help="cap the replication budget of every sla_check (default: the "
                         "SLA spec's)")


@pytest.fixture(scope="session")
def sla_check(request: pytest.FixtureRequest) -> SLAChecker:
    """Check SLA specs on seeded ccsim replications (shared within the session)."""
    cap = request.config.getoption("--ccsim-max-reps", default=None)
    return SLAChecker(int(cap) if cap is not None else None)
