"""Agent skill groups: headcount by interval, each agent's state, idle agents longest-idle
first.

Every agent is in one state of a small machine (:class:`AgentState`); routing reads
availability from it (``idle``: agents in IDLE), and occupancy integrates the working
states. When headcount drops, idle agents log out at once and working ones finish their
current call (including after-call work) before logging out. A group may keep its last
agent while callers wait for it (``stay``: ``availability.last_agent_stays_for``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from enum import IntEnum
from typing import Generic, Protocol, TypeVar


class StaffSpec(Protocol):
    """What a group of agents needs of its spec (front-line group or second-line pool)."""

    @property
    def name(self) -> str: ...
    @property
    def index(self) -> int: ...
    @property
    def staffing(self) -> tuple[int, ...]: ...


S = TypeVar("S", bound=StaffSpec)


class AgentState(IntEnum):
    """What an agent is doing. After-call work follows the talk without an event of its
    own: a BUSY agent is in ACW from its talk end (:meth:`AgentGroup.state_of`)."""

    LOGGED_OUT = 0
    IDLE = 1  # available: routing may give it a call
    BUSY = 2  # on an inbound call (talk, then after-call work)
    ACW = 3  # after-call work (derived from BUSY and the talk end)
    NOT_READY = 4  # logged in, unavailable (e.g. training, admin)
    BREAK = 5
    OUTBOUND = 6  # an outbound call (callback or campaign)


WORKING = (AgentState.BUSY, AgentState.OUTBOUND)  # counted busy for occupancy
# the transitions the engine may make; anything else is a bug
ALLOWED = {
    AgentState.LOGGED_OUT: {AgentState.IDLE},
    AgentState.IDLE: {AgentState.BUSY, AgentState.OUTBOUND, AgentState.NOT_READY,
                      AgentState.BREAK, AgentState.LOGGED_OUT},
    AgentState.BUSY: {AgentState.BUSY, AgentState.OUTBOUND, AgentState.IDLE,
                      AgentState.NOT_READY, AgentState.BREAK, AgentState.LOGGED_OUT},
    AgentState.OUTBOUND: {AgentState.BUSY, AgentState.OUTBOUND, AgentState.IDLE,
                          AgentState.NOT_READY, AgentState.BREAK, AgentState.LOGGED_OUT},
    AgentState.NOT_READY: {AgentState.IDLE, AgentState.BREAK, AgentState.LOGGED_OUT},
    AgentState.BREAK: {AgentState.IDLE, AgentState.NOT_READY, AgentState.LOGGED_OUT},
    AgentState.ACW: set(),  # never stored: derived from BUSY
}
# the same as a matrix indexed by state numbers: the event loop checks it on every move
_OK = [[b in ALLOWED[a] for b in AgentState] for a in AgentState]
_IDLE, _BUSY, _OUTBOUND = int(AgentState.IDLE), int(AgentState.BUSY), int(AgentState.OUTBOUND)
_NOT_READY, _BREAK = int(AgentState.NOT_READY), int(AgentState.BREAK)


class AgentGroup(Generic[S]):
    """Agents of one skill group (or second-line pool), their states and the time
    integrals behind occupancy."""

    __slots__ = ("spec", "index", "free", "state", "talk_end", "count", "present", "to_leave",
                 "target", "next_id", "spare_ids", "busy_area", "staffed_area", "t_last",
                 "away_area", "stay")

    def __init__(self, spec: S):
        self.spec = spec
        self.index = spec.index
        self.free: deque[int] = deque()  # IDLE agent ids, longest idle first
        self.state: list[AgentState] = []  # by agent id
        self.talk_end: list[float] = []  # by agent id: when a BUSY agent's ACW starts
        self.count = [0] * len(AgentState)  # agents in each state
        self.present = 0  # agents logged in (idle + working, including those about to leave)
        self.to_leave = 0  # working agents who log out when their current call is done
        self.target = 0
        self.next_id = 0
        self.spare_ids: list[int] = []
        self.busy_area = 0.0  # agent-seconds working (talk + after-call work + outbound)
        self.staffed_area = 0.0  # agent-seconds logged in
        self.away_area = 0.0  # agent-seconds logged in but not ready or on break
        self.t_last = 0.0
        # callers wait whom the last agent stays for (None: he leaves as any other)
        self.stay: Callable[[], bool] | None = None

    @property
    def idle(self) -> int:
        """Agents available for a call now (an agent just freed is not counted yet)."""
        return self.count[_IDLE]

    @property
    def on_duty(self) -> int:
        """Agents who can take calls in this headcount: the target (logged in, leavers
        excluded) less those away (not ready, on break). What a reserve is measured
        against: it can hold back at most all but one of them."""
        count = self.count
        return max(self.target - count[_NOT_READY] - count[_BREAK], 0)

    @property
    def busy(self) -> int:
        count = self.count
        return count[_BUSY] + count[_OUTBOUND]

    def state_of(self, agent: int, now: float) -> AgentState:
        s = self.state[agent]
        if s == AgentState.BUSY and now >= self.talk_end[agent]:
            return AgentState.ACW
        return s

    def _move(self, agent: int, new: AgentState) -> None:
        old = self.state[agent]
        if not _OK[old][new]:
            raise RuntimeError(f"agent {agent} of group {self.spec.name}: "
                               f"{old.name} -> {new.name} is not a valid transition")
        self.count[old] -= 1
        self.count[new] += 1
        self.state[agent] = new

    def account(self, now: float) -> None:
        dt = now - self.t_last
        if dt:
            self.busy_area += self.busy * dt
            self.staffed_area += self.present * dt
            self.away_area += (self.count[_NOT_READY] + self.count[_BREAK]) * dt
            self.t_last = now

    def set_target(self, headcount: int, now: float) -> int:
        """Change headcount; returns how many agents joined (they are idle and may take calls)."""
        self.account(now)
        self.target = headcount
        surplus = self.present - self.to_leave - headcount
        if surplus > 0:
            idle_leaving = min(surplus, len(self.free))
            if idle_leaving == self.present and self.stay is not None and self.stay():
                idle_leaving -= 1  # the last agent stays, owed a log-out like a working one
            for _ in range(idle_leaving):
                agent = self.free.pop()  # the most recently idle leave first
                self._move(agent, AgentState.LOGGED_OUT)
                self.spare_ids.append(agent)
            self.present -= idle_leaving
            self.to_leave += surplus - idle_leaving
            return 0
        deficit = -surplus
        kept = min(deficit, self.to_leave)  # working agents asked to stay after all
        self.to_leave -= kept
        joined = deficit - kept
        for _ in range(joined):
            agent = self.spare_ids.pop() if self.spare_ids else self._new_id()
            self._move(agent, AgentState.IDLE)
            self.free.append(agent)
        self.present += joined
        return joined

    def _new_id(self) -> int:
        self.next_id += 1
        self.state.append(AgentState.LOGGED_OUT)
        self.talk_end.append(float("nan"))
        self.count[AgentState.LOGGED_OUT] += 1
        return self.next_id - 1

    def take(self, now: float, state: AgentState = AgentState.BUSY) -> int:
        """The longest-idle agent starts work (caller checked ``idle``)."""
        self.account(now)
        agent = self.free.popleft()
        self._move(agent, state)
        return agent

    def untake(self, agent: int) -> None:
        """The agent just taken (:meth:`take`) found no call: idle again, first in the
        longest-idle order as before."""
        self._move(agent, AgentState.IDLE)
        self.free.appendleft(agent)

    def keep_busy(self, agent: int, now: float, state: AgentState = AgentState.BUSY) -> None:
        """An agent who just finished (:meth:`release`) goes straight on to the next call."""
        self.account(now)
        self._move(agent, state)

    def talking_until(self, agent: int, t: float) -> None:
        """A BUSY agent's talk ends at ``t``; after-call work follows until released."""
        self.talk_end[agent] = t

    def release(self, agent: int, now: float) -> bool:
        """An agent finished a call; False if the agent logs out, True if available.

        An available agent keeps its working state until the caller offers it the next
        call (:meth:`keep_busy`) or makes it idle (:meth:`make_idle`).
        """
        self.account(now)
        return not self._log_out_if_owed(agent)

    def _log_out_if_owed(self, agent: int) -> bool:
        """Headcount fell while ``agent`` worked or was away: it logs out (True)."""
        if not self.to_leave or self._last_stays():
            return False
        self.to_leave -= 1
        self.present -= 1
        self._move(agent, AgentState.LOGGED_OUT)
        self.spare_ids.append(agent)
        return True

    def _last_stays(self) -> bool:
        """The group's last agent (caller checked he owes a log-out) stays: callers still
        wait for him."""
        return self.stay is not None and self.present == 1 and self.stay()

    def leave_if_unneeded(self, now: float) -> None:
        """The last agent, staying idle for callers in their answer delay, logs out once
        none waits (the last of them abandoned)."""
        if self.to_leave and self.free and self.present == 1 and not self._last_stays():
            self.account(now)
            self.present -= 1
            self.to_leave -= 1
            agent = self.free.pop()
            self._move(agent, AgentState.LOGGED_OUT)
            self.spare_ids.append(agent)

    def make_idle(self, agent: int) -> None:
        """A released agent found no work: idle, last in the longest-idle order."""
        self._move(agent, AgentState.IDLE)
        self.free.append(agent)

    def pause(self, agent: int, now: float, state: AgentState) -> None:
        """A logged-in agent becomes unavailable (NOT_READY or BREAK): an idle one leaves
        the longest-idle order; a released one goes straight from its work."""
        self.account(now)
        if self.state[agent] == AgentState.IDLE:
            self.free.remove(agent)
        self._move(agent, state)

    def idle_agents(self) -> list[int]:
        """Idle agents, most recently idle first (the first to go on break)."""
        return list(reversed(self.free))

    def resume(self, agent: int, now: float) -> bool:
        """An unavailable agent is back: idle (True), or logged out if headcount fell
        meanwhile (False)."""
        self.account(now)
        if self._log_out_if_owed(agent):
            return False
        self.make_idle(agent)
        return True
