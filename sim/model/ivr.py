"""The IVR menu tree, as configuration: nodes, their times and branch rules.

Node types:
- ``menu``: a choice; the next node by the caller's reason (``by_reason``, with ``default``)
  or by probability (``branches``);
- ``self_service``: resolves the call with ``resolve_prob`` (containment), else ``next``;
- ``verification``: each attempt fails with ``fail_prob``; more than ``max_failures``
  failures go to ``on_fail`` (the 10000 rule: more than 3 failures, the system hangs up);
- ``transfer``: the caller asks for an agent in ``queue``;
- ``hangup``: the system ends the call.
Every node has a ``time`` distribution and may have ``abandon_prob`` (the caller hangs up
during it). The keys are validated by :mod:`sim.schema.ivr` (every reference exists,
branch shares sum to 1, every node can reach an exit); tiers without agent service cannot
reach a transfer (:func:`check_no_agent_path`, on the built tree).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.errors import ConfigError
from sim.model.distributions import Deterministic, Distribution


@dataclass(frozen=True)
class IvrNode:
    name: str
    index: int
    kind: str
    time: Distribution
    abandon_prob: float = 0.0
    by_reason: tuple[int, ...] | None = None  # next node by reason index
    branches: tuple[tuple[int, float], ...] = ()  # (next node, cumulative probability)
    resolve_prob: float = 0.0
    fail_prob: float = 0.0
    max_failures: int = 3
    next: int = -1
    on_fail: int = -1
    queue: int = -1


@dataclass(frozen=True)
class IvrSpec:
    nodes: tuple[IvrNode, ...]

    def index(self, name: str) -> int:
        return next(n.index for n in self.nodes if n.name == name)

    def successors(self, node: IvrNode) -> set[int]:
        out = {n for n, _ in node.branches} | set(node.by_reason or ())
        out |= {x for x in (node.next, node.on_fail) if x >= 0}
        return out

    def reachable(self, start: int) -> set[int]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in self.successors(self.nodes[todo.pop()]):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen


def parse_ivr(cfg: Any, reasons: list[str], queues: list[str]) -> IvrSpec:
    """The engine's tree from the validated ``scenario.ivr`` (:mod:`sim.schema.ivr`
    checked every key, reference, branch sum and exit); the time laws are parsed here."""
    from sim.schema.distribution import parse as parse_distribution

    names = list(cfg.nodes)
    nodes = []
    for i, (name, n) in enumerate(cfg.nodes.items()):
        key = f"scenario.ivr.nodes.{name}"
        time = parse_distribution(f"{key}.time", n.time, finite=True)
        fields: dict[str, Any] = {"abandon_prob": getattr(n, "abandon_prob", 0.0)}
        if n.type == "menu":
            fields.update(_menu(n, reasons, names))
        elif n.type == "self_service":
            fields.update(resolve_prob=n.resolve_prob, next=names.index(n.next))
        elif n.type == "verification":
            fields.update(fail_prob=n.fail_prob, max_failures=n.max_failures,
                          next=names.index(n.next), on_fail=names.index(n.on_fail))
        elif n.type == "transfer":
            fields["queue"] = queues.index(n.queue)
        nodes.append(IvrNode(name, i, n.type, time, **fields))
    return IvrSpec(tuple(nodes))


def _menu(n: Any, reasons: list[str], names: list[str]) -> dict:
    if n.branches is not None:
        cum, out = 0.0, []
        for target, p in n.branches.items():
            cum += p
            out.append((names.index(target), cum))
        return {"branches": tuple(out[:-1]) + ((out[-1][0], 1.0),)}
    br = n.by_reason
    return {"by_reason": tuple(names.index(br.get(r, br.get("default"))) for r in reasons)}


def check_no_agent_path(spec: IvrSpec, entry: int, key: str) -> None:
    """Tiers without agent service (blacklist) must never reach a transfer node."""
    hit = [spec.nodes[i].name for i in sorted(spec.reachable(entry))
           if spec.nodes[i].kind == "transfer"]
    if hit:
        raise ConfigError(key, f"this tier gets self-service only, but its IVR path reaches "
                               f"transfer node {hit[0]!r}")


DIRECT = IvrNode("direct", -1, "transfer", Deterministic(0.0))
