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
during it). A tree is checked once at load: every reference exists, branch shares sum to
1, every node can reach an exit (no cycle without exit), and tiers without agent service
cannot reach a transfer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.errors import ConfigError
from sim.model.distributions import Deterministic, Distribution, parse_distribution

KINDS = ("menu", "self_service", "verification", "transfer", "hangup")
NODE_KEYS = {
    "menu": {"type", "time", "abandon_prob", "by_reason", "branches"},
    "self_service": {"type", "time", "abandon_prob", "resolve_prob", "next"},
    "verification": {"type", "time", "abandon_prob", "fail_prob", "max_failures", "next",
                     "on_fail"},
    "transfer": {"type", "time", "abandon_prob", "queue"},
    "hangup": {"type", "time"},
}


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


def _prob(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(key, f"must be a probability in [0, 1], got {value!r}")
    return float(value)


def parse_ivr(cfg: Any, reasons: list[str], queues: list[str]) -> IvrSpec:
    """Build and check the tree under ``scenario.ivr``."""
    root = "scenario.ivr"
    if not isinstance(cfg, Mapping) or set(cfg) - {"nodes"} or not isinstance(
            cfg.get("nodes"), Mapping) or not cfg["nodes"]:
        raise ConfigError(root, "must be a mapping with one key, nodes: {name: {type: ...}}")
    names = list(cfg["nodes"])

    def ref(key: str, value: Any) -> int:
        if value not in names:
            raise ConfigError(key, f"unknown IVR node {value!r} (dangling reference); "
                                   f"allowed: {', '.join(names)}")
        return names.index(value)

    nodes = []
    for i, name in enumerate(names):
        key = f"{root}.nodes.{name}"
        n = cfg["nodes"][name]
        if not isinstance(n, Mapping) or n.get("type") not in KINDS:
            raise ConfigError(f"{key}.type", f"must be one of: {', '.join(KINDS)}")
        kind = n["type"]
        for k in n:
            if k not in NODE_KEYS[kind]:
                raise ConfigError(f"{key}.{k}", f"not a key of a {kind} node; allowed: "
                                                f"{', '.join(sorted(NODE_KEYS[kind]))}")
        time = parse_distribution(f"{key}.time", n.get("time", 0))
        if time.mean == math.inf:
            raise ConfigError(f"{key}.time", "must be finite")
        fields: dict[str, Any] = {"abandon_prob": _prob(f"{key}.abandon_prob",
                                                        n.get("abandon_prob", 0.0))}
        if kind == "menu":
            fields.update(_menu(key, n, reasons, ref))
        elif kind == "self_service":
            fields.update(resolve_prob=_prob(f"{key}.resolve_prob", n.get("resolve_prob")),
                          next=ref(f"{key}.next", n.get("next")))
        elif kind == "verification":
            mf = n.get("max_failures", 3)
            if isinstance(mf, bool) or not isinstance(mf, int) or mf < 0:
                raise ConfigError(f"{key}.max_failures", f"must be an integer >= 0, got {mf!r}")
            fields.update(fail_prob=_prob(f"{key}.fail_prob", n.get("fail_prob")),
                          max_failures=mf, next=ref(f"{key}.next", n.get("next")),
                          on_fail=ref(f"{key}.on_fail", n.get("on_fail")))
        elif kind == "transfer":
            if n.get("queue") not in queues:
                raise ConfigError(f"{key}.queue", f"unknown queue {n.get('queue')!r}; allowed: "
                                                  f"{', '.join(queues)}")
            fields["queue"] = queues.index(n["queue"])
        nodes.append(IvrNode(name, i, kind, time, **fields))
    spec = IvrSpec(tuple(nodes))
    _check_exits(spec)
    return spec


def _menu(key: str, n: Mapping, reasons: list[str], ref) -> dict:
    if ("by_reason" in n) == ("branches" in n):
        raise ConfigError(key, "a menu needs exactly one of by_reason or branches")
    if "branches" in n:
        br = n["branches"]
        if not isinstance(br, Mapping) or not br:
            raise ConfigError(f"{key}.branches", "must map node names to probabilities")
        cum, out = 0.0, []
        for target, p in br.items():
            cum += _prob(f"{key}.branches.{target}", p)
            out.append((ref(f"{key}.branches.{target}", target), cum))
        if abs(cum - 1) > 1e-9:
            raise ConfigError(f"{key}.branches", f"probabilities must sum to 1, got {cum:.6g}")
        return {"branches": tuple(out[:-1]) + ((out[-1][0], 1.0),)}
    br = n["by_reason"]
    if not isinstance(br, Mapping):
        raise ConfigError(f"{key}.by_reason", "must map reasons to node names")
    for r in br:
        if r != "default" and r not in reasons:
            raise ConfigError(f"{key}.by_reason.{r}", f"unknown reason; allowed: "
                                                      f"{', '.join(reasons)}, default")
    out = []
    for r in reasons:
        if r not in br and "default" not in br:
            raise ConfigError(f"{key}.by_reason.{r}", "missing (or give a default)")
        target = br.get(r, br.get("default"))
        out.append(ref(f"{key}.by_reason.{r if r in br else 'default'}", target))
    return {"by_reason": tuple(out)}


def _check_exits(spec: IvrSpec) -> None:
    """Every node must be able to reach an exit: a cycle without one would trap callers."""
    exits = {n.index for n in spec.nodes if n.kind in ("transfer", "hangup")
             or (n.kind == "self_service" and n.resolve_prob > 0) or n.abandon_prob >= 1}
    for n in spec.nodes:
        if not spec.reachable(n.index) & exits:
            raise ConfigError(f"scenario.ivr.nodes.{n.name}",
                              "no exit reachable (a cycle without transfer, hangup or "
                              "self-service resolution)")


def check_no_agent_path(spec: IvrSpec, entry: int, key: str) -> None:
    """Tiers without agent service (blacklist) must never reach a transfer node."""
    hit = [spec.nodes[i].name for i in sorted(spec.reachable(entry))
           if spec.nodes[i].kind == "transfer"]
    if hit:
        raise ConfigError(key, f"this tier gets self-service only, but its IVR path reaches "
                               f"transfer node {hit[0]!r}")


DIRECT = IvrNode("direct", -1, "transfer", Deterministic(0.0))
