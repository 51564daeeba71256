"""Strict tier priority (the source documents' rule).

A freed agent takes, among the queues its group serves, the waiting call with the
highest priority (smallest number: diamond before gold before silver ...); within a
priority level the one that has waited longest (FIFO); ties go to the group's preferred
queue. A new call goes to the first group in its queue's preference order with an idle
agent. This is the base policy's behaviour, named.
"""

from __future__ import annotations

from sim.policies.base import Policy


class StrictPriority(Policy):
    name = "strict_priority"
