"""The KPI registry: every KPI a run reports, with its unit, display format, which way is
better and the scopes it appears in. The terminal summary, the sweep table, the reports
and the SLA gate all read it, so a KPI is described once.

``fmt`` is how a value is shown: ``pct`` (a share, shown in %), ``s`` (seconds), ``money``
(cost units) or ``count``. ``better`` says which way is an improvement: ``high``, ``low``
or ``neutral`` (neither in itself: not ranked, and a baseline tolerance on it needs a
target that gives the direction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Better = Literal["high", "low", "neutral"]
Fmt = Literal["pct", "s", "money", "count"]
CALL_SCOPES = ("overall", "class", "tier", "reason")  # the per-call KPIs (sim.kpi.call_kpis)
GROUP = ("overall", "group")
OVERALL = ("overall",)
SITE, REGION = "site", "region"  # scenario.sites: by seat site, by caller region
WORK = "work"  # by class of the agents' own work (classes.NAME.kind: work)
# readable titles and short terminal heads where the name alone does not read well
TITLES = {"answer_rate": "answer rate", "service_level": "service level",
          "abandon_rate": "abandon rate", "asa_s": "ASA: wait of answered (s)",
          "aht_s": "AHT: talk + wrap-up (s)", "fcr": "first-contact resolution",
          "cost_per_call": "cost per answered call", "queue_abandoned": "abandoned in queue",
          "mean_wait_s": "mean wait of all who asked (s)",
          "short_abandons": "short abandons (hung up within short_abandon_s)",
          "service_level_excl_short": "service level without short abandons",
          "abandon_rate_excl_short": "abandon rate without short abandons"}
SHORT = {"answer_rate": "answer%", "service_level": "SL%", "abandon_rate": "abandon%",
         "asa_s": "ASA s", "aht_s": "AHT s", "fcr": "FCR%", "occupancy": "occup%",
         "cost_per_call": "cost/call"}
TERMINAL = {"pct": "{:.1%}", "s": "{:.1f}", "money": "{:.1f}", "count": "{:.0f}"}


@dataclass(frozen=True)
class KpiSpec:
    name: str
    unit: str
    fmt: Fmt
    better: Better
    scopes: tuple[str, ...]

    @property
    def title(self) -> str:
        """A reader's name for the KPI (report headings, table columns)."""
        return TITLES.get(self.name, self.name.replace("_", " "))

    @property
    def short(self) -> str:
        """A column head for the terminal's narrow comparison table."""
        return SHORT.get(self.name, self.name)

    @property
    def terminal(self) -> str:
        """The format string of the terminal summary."""
        return TERMINAL[self.fmt]


def _k(name: str, unit: str, fmt: Fmt, better: Better,
       scopes: tuple[str, ...] = CALL_SCOPES) -> KpiSpec:
    return KpiSpec(name, unit, fmt, better, scopes)


_ALL = (
    # per call (overall, class, tier, reason)
    _k("offered", "calls", "count", "neutral"),
    _k("asked", "calls", "count", "neutral", (*CALL_SCOPES, REGION)),
    _k("answered", "calls", "count", "neutral", (*CALL_SCOPES, "group", SITE, REGION)),
    _k("abandoned", "calls", "count", "low"),
    _k("queue_abandoned", "calls", "count", "low"),
    _k("disconnected", "calls", "count", "low"),
    _k("self_served", "calls", "count", "neutral"),
    _k("blocked", "calls", "count", "low"),
    _k("answer_rate", "share", "pct", "high"),
    _k("abandon_rate", "share", "pct", "low"),
    _k("disconnect_rate", "share", "pct", "low"),
    _k("service_level", "share", "pct", "high", (*CALL_SCOPES, REGION)),
    _k("short_abandons", "calls", "count", "neutral"),
    _k("service_level_excl_short", "share", "pct", "high"),
    _k("abandon_rate_excl_short", "share", "pct", "low"),
    _k("p_wait", "share", "pct", "low"),
    _k("asa_s", "s", "s", "low"),
    _k("mean_wait_s", "s", "s", "low"),
    _k("aht_s", "s", "s", "neutral", (*CALL_SCOPES, "group")),
    _k("talk_s", "s", "s", "neutral"),
    _k("containment", "share", "pct", "high"),
    _k("ivr_abandoned", "calls", "count", "low"),
    _k("ivr_hangups", "calls", "count", "low"),
    _k("forced_disconnects", "calls", "count", "low"),
    _k("press2_self_served", "calls", "count", "neutral"),
    _k("outage_informed", "calls", "count", "neutral"),
    _k("resolution_rate", "share", "pct", "high"),
    _k("fcr", "share", "pct", "high"),
    _k("repeat_rate", "share", "pct", "low"),
    _k("redials", "calls", "count", "low"),
    _k("work_orders", "orders", "count", "neutral"),
    _k("announcements", "announcements", "count", "neutral"),
    _k("virtual_holds", "calls", "count", "neutral"),
    # tiers (hotline scenarios)
    _k("sl_target", "share", "pct", "neutral", ("tier",)),
    _k("sl_met", "share", "pct", "high", ("tier",)),
    # agents and cost
    _k("occupancy", "share", "pct", "neutral", (*GROUP, SITE)),
    _k("staffed_hours", "h", "count", "neutral", (*GROUP, SITE)),
    _k("busy_hours", "h", "count", "neutral", ("group",)),
    _k("cost", "cost units", "money", "low", (*GROUP, SITE)),
    # agent states (groups.NAME.availability)
    _k("not_ready_share", "share", "pct", "low", GROUP),
    _k("available_hours", "h", "count", "neutral", GROUP),
    _k("idle_hours", "h", "count", "neutral", GROUP),
    _k("occupancy_available", "share", "pct", "neutral", GROUP),
    _k("scheduled_hours", "h", "count", "neutral", GROUP),
    _k("shrinkage", "share", "pct", "neutral", GROUP),
    _k("cost_per_call", "cost units", "money", "low", (*OVERALL, SITE)),
    # the agents' own work (classes of kind: work), overall and by work class
    _k("work_tasks", "tasks", "count", "neutral", (*OVERALL, WORK)),
    _k("work_hours", "h", "count", "neutral", (*OVERALL, WORK)),
    _k("work_share", "share", "pct", "neutral", (*OVERALL, WORK)),
    # seat sites and dialects (scenario.sites)
    _k("groups", "groups", "count", "neutral", (SITE,)),
    _k("answered_in_sl_share", "share", "pct", "high", (SITE,)),
    _k("dialect_asked", "calls", "count", "neutral", (*OVERALL, REGION)),
    _k("dialect_answered", "calls", "count", "neutral", (SITE,)),
    _k("dialect_in_dialect", "calls", "count", "high", (*OVERALL, SITE, REGION)),
    _k("dialect_in_mandarin", "calls", "count", "low", (*OVERALL, SITE, REGION)),
    _k("dialect_in_dialect_share", "share", "pct", "high", (*OVERALL, REGION)),
    _k("mean_queue_length", "calls", "count", "low", OVERALL),
    _k("tiers_meeting_target", "tiers", "count", "high", OVERALL),
    # second line and outbound
    _k("work_orders_opened", "orders", "count", "neutral", OVERALL),
    _k("work_orders_closed", "orders", "count", "neutral", OVERALL),
    _k("mean_time_to_close_h", "h", "count", "low", OVERALL),
    _k("backlog_end", "orders", "count", "low", OVERALL),
    _k("backlog_max", "orders", "count", "low", OVERALL),
    _k("second_line_cost", "cost units", "money", "low", OVERALL),
    _k("callbacks_made", "calls", "count", "neutral", OVERALL),
    _k("callbacks_answered", "calls", "count", "neutral", OVERALL),
    _k("campaign_calls", "calls", "count", "neutral", OVERALL),
    _k("customers_unreachable", "orders", "count", "low", OVERALL),
    _k("callbacks_pending_end", "orders", "count", "low", OVERALL),
    _k("satisfaction_callbacks", "calls", "count", "neutral", OVERALL),
    _k("satisfaction_reached", "calls", "count", "high", OVERALL),
    _k("outage_ticket_open_s", "s", "s", "neutral", OVERALL),
    _k("key_customer_calls", "calls", "count", "neutral", OVERALL),
    # complaints (operations.complaints)
    _k("complaints", "calls", "count", "low", OVERALL),
    _k("complaint_rate", "share", "pct", "low", OVERALL),
    _k("complaints_resolved_at_once", "share", "pct", "high", OVERALL),
    _k("complaint_orders", "orders", "count", "low", OVERALL),
    _k("complaint_escalations", "escalations", "count", "low", OVERALL),
    _k("complaints_overdue", "orders", "count", "low", OVERALL),
    _k("complaints_in_time", "share", "pct", "high", OVERALL),
    # customer value
    _k("episodes_silent_unhappy", "share", "pct", "low", OVERALL),
    _k("episodes_complained_unresolved", "share", "pct", "low", OVERALL),
    _k("episodes_resolved", "share", "pct", "neutral", OVERALL),
    _k("episodes_resolved_quickly", "share", "pct", "high", OVERALL),
    _k("episodes", "needs", "count", "neutral", OVERALL),
    _k("retained_value", "cost units", "money", "high", OVERALL),
    _k("value_at_risk", "cost units", "money", "low", OVERALL),
    _k("lost_customer_rate", "share", "pct", "low", OVERALL),
    _k("system_availability", "share", "pct", "high", OVERALL),
)
KPIS: dict[str, KpiSpec] = {k.name: k for k in _ALL}

# the sweep's comparison table (terminal and report): the headline KPIs, in this order
TABLE_KPIS = ("answer_rate", "service_level", "abandon_rate", "asa_s", "aht_s", "fcr",
              "occupancy", "cost_per_call")


# 10000 tracks 23 daily indicators in four classes (002 names the classes, not the 23):
# the run's KPIs in those classes, in report order. A ``None`` KPI is an indicator of the
# documents (002, 003, 004) the model does not compute, with the reason.
INDICATOR_CLASSES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "service level": (
        ("answer rate", "answer_rate"), ("service level (20 s)", "service_level"),
        ("service level without short abandons", "service_level_excl_short"),
        ("average speed of answer", "asa_s"), ("abandon rate", "abandon_rate"),
        ("abandon rate without short abandons", "abandon_rate_excl_short"),
        ("tiers meeting their target", "tiers_meeting_target"),
        ("first-contact resolution", "fcr"), ("complaint rate", "complaint_rate"),
        ("customer satisfaction: satisfaction callbacks reached", "satisfaction_reached"),
        ("answer accuracy — not modelled (quality checks)", None)),
    "service efficiency": (
        ("average handle time", "aht_s"), ("occupancy", "occupancy"),
        ("staffed hours", "staffed_hours"), ("cost per call", "cost_per_call"),
        ("IVR containment", "containment"),
        ("work-order time to close (h)", "mean_time_to_close_h"),
        ("agent not-ready share (not ready or on break / logged in)", "not_ready_share"),
        ("shifts — planned by ccsim staff --shifts, not by a run", None)),
    "marketing": (
        ("marketing contacts (campaign calls)", "campaign_calls"),
        ("callbacks answered", "callbacks_answered"),
        ("lost-customer rate (retention, 001)", "lost_customer_rate"),
        ("retained customer value", "retained_value")),
    "key support": (
        ("system availability (not blocked)", "system_availability"),
        ("blocked calls (lines)", "blocked"), ("forced disconnects", "forced_disconnects"),
        ("emergency response: outage ticket opened at (s)", "outage_ticket_open_s"),
        ("complaints closed in time", "complaints_in_time"),
        ("key-customer calls", "key_customer_calls"),
        ("customers unreachable by callback", "customers_unreachable"),
        ("work-order backlog at the end", "backlog_end")),
}


def title(name: str) -> str:
    """A reader's name for a KPI (a name outside the registry: its words)."""
    spec = KPIS.get(name)
    return spec.title if spec is not None else name.replace("_", " ")


def short(name: str) -> str:
    spec = KPIS.get(name)
    return spec.short if spec is not None else name


def kpi_fmt(name: str) -> Fmt:
    """How a KPI is shown; a name outside the registry (a user's column) by its suffix."""
    spec = KPIS.get(name)
    if spec is not None:
        return spec.fmt
    if name.endswith("_s"):
        return "s"
    if "cost" in name or "value" in name:
        return "money"
    return "count"


def better(name: str) -> Better:
    spec = KPIS.get(name)
    return spec.better if spec is not None else "neutral"


def names(better_: Better | None = None, fmt: Fmt | None = None) -> frozenset[str]:
    """The registered KPI names, optionally only those better ``better_`` / shown as ``fmt``."""
    return frozenset(k.name for k in _ALL if (better_ is None or k.better == better_)
                     and (fmt is None or k.fmt == fmt))
