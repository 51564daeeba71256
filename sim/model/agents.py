"""Agent skill groups: headcount by interval, free agents longest-idle first.

When headcount drops, idle agents leave at once and busy ones finish their current call
(including after-call work) before leaving.
"""

from __future__ import annotations

from collections import deque

from sim.model.spec import GroupSpec


class AgentGroup:
    """Agents of one skill group and the time integrals behind occupancy."""

    __slots__ = ("spec", "index", "free", "present", "busy", "to_leave", "target", "next_id",
                 "spare_ids", "busy_area", "staffed_area", "t_last")

    def __init__(self, spec: GroupSpec):
        self.spec = spec
        self.index = spec.index
        self.free: deque[int] = deque()  # idle agent ids, longest idle first
        self.present = 0  # agents logged in (idle + busy, including those about to leave)
        self.busy = 0
        self.to_leave = 0  # busy agents who leave when their current call is done
        self.target = 0
        self.next_id = 0
        self.spare_ids: list[int] = []
        self.busy_area = 0.0  # agent-seconds busy (talk + after-call work)
        self.staffed_area = 0.0  # agent-seconds logged in
        self.t_last = 0.0

    def account(self, now: float) -> None:
        dt = now - self.t_last
        if dt:
            self.busy_area += self.busy * dt
            self.staffed_area += self.present * dt
            self.t_last = now

    def set_target(self, headcount: int, now: float) -> int:
        """Change headcount; returns how many agents joined (they are idle and may take calls)."""
        self.account(now)
        self.target = headcount
        surplus = self.present - self.to_leave - headcount
        if surplus > 0:
            idle_leaving = min(surplus, len(self.free))
            for _ in range(idle_leaving):
                self.spare_ids.append(self.free.pop())  # the most recently idle leave first
            self.present -= idle_leaving
            self.to_leave += surplus - idle_leaving
            return 0
        deficit = -surplus
        kept = min(deficit, self.to_leave)  # busy agents asked to stay after all
        self.to_leave -= kept
        joined = deficit - kept
        for _ in range(joined):
            self.free.append(self.spare_ids.pop() if self.spare_ids else self._new_id())
        self.present += joined
        return joined

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def take(self, now: float) -> int:
        """An idle agent starts work (caller checked ``free``)."""
        self.account(now)
        self.busy += 1
        return self.free.popleft()

    def keep_busy(self, now: float) -> None:
        """An agent who just finished goes straight on to the next call."""
        self.account(now)
        self.busy += 1

    def release(self, agent: int, now: float) -> bool:
        """An agent finished a call; False if the agent logs off, True if available.

        An available agent is not yet in ``free``: the caller offers it the next call first.
        """
        self.account(now)
        self.busy -= 1
        if self.to_leave:
            self.to_leave -= 1
            self.present -= 1
            self.spare_ids.append(agent)
            return False
        return True
