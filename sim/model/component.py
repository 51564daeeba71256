"""Feature components of the centre and the call-flow core they hook into.

The core (:class:`sim.model.center.Center`) moves a call through admission, the IVR,
waiting and service; a feature (customers and episodes, outage, redials, second line,
outbound) is a :class:`Component` whose hooks the core calls at fixed points of a call's
life, in a fixed order (the order of ``Center.components``), so SimPy's event order, and
with it every result, is the same on every run. A component owns its counters and hands
them to the replication's record in :meth:`Component.finish`. Components talk to the core
only through :class:`Core`, and to each other through public methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sim.model.agents import AgentGroup
    from sim.model.calls import Call, Ending, Outcome
    from sim.model.queues import CallQueue
    from sim.model.second_line import WorkOrder
    from sim.model.spec import ModelSpec
    from sim.policies.base import Policy
    from sim.records import Recorder


class Core(Protocol):
    """What a feature may use of the call-flow core."""

    spec: ModelSpec
    seed: int
    rep: int
    rec: Recorder
    policy: Policy
    groups: list[AgentGroup]
    queues: list[CallQueue]

    @property
    def now(self) -> float: ...
    def at(self, delay: float, callback: Callable[[Any], None], value: Any) -> None: ...
    def interval_of(self, t: float) -> int: ...
    def admit(self, call: Call, now: float) -> None: ...
    def ask_agent(self, call: Call, now: float) -> None: ...
    def offer_again(self, call: Call, now: float) -> None: ...
    def leave(self, call: Call, outcome: Outcome, ending: Ending, now: float) -> None: ...
    def agent_free(self, group: AgentGroup, agent: int, now: float,
                   key: int | None = None) -> None: ...
    def fill(self, group: AgentGroup, now: float) -> None: ...
    def recall(self, group: AgentGroup, agent: int, call: Call, now: float) -> None: ...
    def free_line(self) -> None: ...
    def reoffer(self, group: AgentGroup, now: float) -> None: ...
    def order_opened(self, call: Call, wo: WorkOrder, now: float) -> None: ...
    def order_done(self, wo: WorkOrder, now: float) -> None: ...
    def callback_reached(self, wo: WorkOrder, now: float) -> None: ...


class Component:
    """A feature hooked into calls' lifecycle; every hook is optional (the core calls only
    those a component overrides)."""

    HOOKS = ("on_day", "on_admit", "on_ask", "on_answer", "on_end", "claim_agent",
             "offer_agent",
             "on_agents_idle", "on_order_opened", "on_order_done", "on_callback_reached",
             "on_interval_start",
             "on_interval_end")

    def on_day(self, day: int, now: float) -> None:
        """A new day's arrivals were drawn."""

    def on_admit(self, call: Call, now: float) -> None:
        """A call attempt reaches the centre (hotline scenarios: caller-ID known)."""

    def on_ask(self, call: Call, now: float) -> None:
        """The call asks for an agent."""

    def on_answer(self, call: Call, now: float) -> None:
        """An agent answered the call (``call.group``, ``call.t_end`` set)."""

    def on_end(self, call: Call, now: float) -> None:
        """The call ended without an agent (outcome and ending set, already recorded)."""

    def claim_agent(self, group: AgentGroup, agent: int, now: float) -> bool:
        """An agent of ``group`` is free, before any waiting call is offered to it: True
        if this feature took it for its own work (reserved capacity)."""
        return False

    def offer_agent(self, group: AgentGroup, agent: int, now: float) -> bool:
        """An agent of ``group`` is free and no waiting call wants it: True if this
        feature gave it work."""
        return False

    def on_agents_idle(self, now: float) -> None:
        """Agents became idle with no inbound call for them."""

    def on_order_opened(self, call: Call, wo: WorkOrder, now: float) -> None:
        """The unresolved ``call`` opened work order ``wo``."""

    def on_order_done(self, wo: WorkOrder, now: float) -> None:
        """Work order ``wo`` was completed."""

    def on_callback_reached(self, wo: WorkOrder, now: float) -> None:
        """The callback after work order ``wo`` reached the customer (closed loop)."""

    def on_interval_start(self, k: int, now: float) -> None:
        """Interval ``k`` starts (staffing changes)."""

    def on_interval_end(self, k: int, now: float) -> None:
        """Interval ``k`` ended (interval statistics)."""

    def finish(self, rec: Recorder) -> None:
        """The run is over: hand this feature's counters to the replication's record."""


def hooks(components: list[Component], name: str) -> tuple[Callable[..., Any], ...]:
    """The bound ``name`` hooks of the components that override it, in order."""
    base = getattr(Component, name)
    return tuple(getattr(c, name) for c in components
                 if getattr(type(c), name) is not base)
