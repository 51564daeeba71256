"""``scenario.ivr``: the IVR menu tree, one model per node type.

A node's ``type`` picks its model (menu, self_service, verification, transfer, hangup);
each model allows only its own keys. Checked here, with the one-line ``key: what is
allowed`` errors: every reference names a node of the tree, a menu has exactly one of
``by_reason`` or ``branches`` and its branch shares sum to 1, every node can reach an exit
(no cycle without one); with the rest of the scenario: transfers name queues and
``by_reason`` covers the scenario's reasons. ``sim.model.ivr`` builds the engine's tree
from the validated model (tiers without agent service are checked there, on the tree).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, model_validator

from sim.errors import ConfigError
from sim.schema import limits
from sim.schema.common import Int, KeyedError, Law, Probability, Section
from sim.schema.queues import live
from sim.schema.scenario import register_section

KINDS = ("menu", "self_service", "verification", "transfer", "hangup")
EXIT_KINDS = ("transfer", "hangup")


class NodeBase(Section):
    """What every node has: its type and a time law."""

    type: str = Field(description=f"node type: {', '.join(KINDS)}")
    time: Law = Field(0, description="time spent in the node, s (finite)")

    @model_validator(mode="before")
    @classmethod
    def _own_keys(cls, v: Any) -> Any:
        """Only this type's keys (names the type in the error, unlike a bare unknown key)."""
        if isinstance(v, Mapping):
            allowed = sorted(cls.model_fields)
            for k in v:
                if k not in allowed:
                    raise KeyedError(str(k), f"not a key of a {v.get('type')} node; "
                                             f"allowed: {', '.join(allowed)}")
        return v

    def targets(self) -> list[tuple[str, Any]]:
        """(sub-key, node name) of every reference to another node."""
        return []


class Node(NodeBase):
    """A node the caller may hang up in."""

    abandon_prob: Probability = Field(0.0, description="probability the caller hangs up "
                                      "during the node")


class Menu(Node):
    type: Literal["menu"] = Field(description="a choice: by reason or by probability")
    by_reason: dict[str, str] | None = Field(
        None, description="next node by the caller's reason (a 'default' entry covers the "
                          "rest) [checked: reason, node]")
    branches: dict[str, Probability] | None = Field(
        None, description="next node by probability (shares sum to 1) [checked: node]")

    @model_validator(mode="after")
    def _one_rule(self) -> Menu:
        if (self.by_reason is None) == (self.branches is None):
            raise ValueError("a menu needs exactly one of by_reason or branches")
        if self.branches is not None:
            if not self.branches:
                raise KeyedError("branches", "must map node names to probabilities")
            total = sum(self.branches.values())
            if abs(total - 1) > 1e-9:
                raise KeyedError("branches", f"probabilities must sum to 1, got {total:.6g}")
        return self

    def targets(self) -> list[tuple[str, Any]]:
        if self.branches is not None:
            return [(f"branches.{t}", t) for t in self.branches]
        return [(f"by_reason.{r}", t) for r, t in (self.by_reason or {}).items()]


class SelfService(Node):
    type: Literal["self_service"] = Field(description="self-service: resolves or goes on")
    resolve_prob: Probability = Field(description="share of calls resolved here (containment)")
    next: str = Field(description="node for calls not resolved [checked: node]")

    def targets(self) -> list[tuple[str, Any]]:
        return [("next", self.next)]


class Verification(Node):
    type: Literal["verification"] = Field(description="identity check with retries")
    fail_prob: Probability = Field(description="probability each attempt fails")
    max_failures: Int = Field(3, ge=0, le=limits.MAX_REDIAL_ATTEMPTS,
                              description="more failures than this go to on_fail (attempts, "
                                          "bounded like redial attempts)")
    next: str = Field(description="node after a pass [checked: node]")
    on_fail: str = Field(description="node after too many failures [checked: node]")

    def targets(self) -> list[tuple[str, Any]]:
        return [("next", self.next), ("on_fail", self.on_fail)]


class Transfer(Node):
    type: Literal["transfer"] = Field(description="the caller asks for an agent")
    queue: str = Field(description="skill queue the caller joins [checked: queue]")


class Hangup(NodeBase):
    type: Literal["hangup"] = Field(description="the system ends the call")


MODELS: dict[str, type[NodeBase]] = {"menu": Menu, "self_service": SelfService,
                                 "verification": Verification, "transfer": Transfer,
                                 "hangup": Hangup}


def _known_type(v: Any) -> Any:
    if not isinstance(v, Mapping):
        raise KeyedError("type", f"must be one of: {', '.join(KINDS)} (a node is a mapping "
                                 f"with a type), got {v!r}")
    if v.get("type") not in KINDS:
        raise KeyedError("type", f"must be one of: {', '.join(KINDS)}, got {v.get('type')!r}")
    return v


def _tag(v: Any) -> str:
    # the tag appears in error locations: the "tagged-union[" prefix keeps it out of the
    # key named in the one-line error (sim.schema.errors)
    kind = v.get("type") if isinstance(v, Mapping) else getattr(v, "type", None)
    return f"tagged-union[{kind}]"


AnyNode = Annotated[
    Annotated[Menu, Tag("tagged-union[menu]")]
    | Annotated[SelfService, Tag("tagged-union[self_service]")]
    | Annotated[Verification, Tag("tagged-union[verification]")]
    | Annotated[Transfer, Tag("tagged-union[transfer]")]
    | Annotated[Hangup, Tag("tagged-union[hangup]")],
    Discriminator(_tag), BeforeValidator(_known_type)]


class Ivr(Section):
    """The tree: nodes by name (a tier's ``entry`` names where its callers start)."""

    nodes: dict[str, AnyNode] = Field(min_length=1, description="IVR nodes by name")

    @model_validator(mode="after")
    def _tree(self) -> Ivr:
        names = list(self.nodes)
        for name, node in self.nodes.items():
            for sub, target in node.targets():
                if target not in names and not sub.startswith("by_reason"):
                    raise KeyedError(f"nodes.{name}.{sub}", f"unknown IVR node {target!r} "
                                     f"(dangling reference); allowed: {', '.join(names)}")
        for name, node in self.nodes.items():
            if isinstance(node, Menu) and node.by_reason is not None:
                for r, target in node.by_reason.items():
                    if target not in names:
                        raise KeyedError(f"nodes.{name}.by_reason.{r}",
                                         f"unknown IVR node {target!r} (dangling "
                                         f"reference); allowed: {', '.join(names)}")
        _check_exits(self)
        return self


def _exits(ivr: Ivr) -> set[str]:
    return {n for n, node in ivr.nodes.items() if node.type in EXIT_KINDS
            or (isinstance(node, SelfService) and node.resolve_prob > 0)
            or getattr(node, "abandon_prob", 0.0) >= 1}


def _check_exits(ivr: Ivr) -> None:
    """Every node must be able to reach an exit: a cycle without one would trap callers."""
    exits = _exits(ivr)
    for start in ivr.nodes:
        seen, todo = {start}, [start]
        while todo:
            for _, nxt in ivr.nodes[todo.pop()].targets():
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        if not seen & exits:
            raise KeyedError(f"nodes.{start}", "no exit reachable (a cycle without transfer, "
                                               "hangup or self-service resolution)")


def check_ivr(scn: Any) -> None:
    """Transfers name the scenario's queues; ``by_reason`` names and covers its reasons."""
    if scn.ivr is None:
        if scn.tiers is not None:
            raise ConfigError("scenario.ivr", "is required with tiers (a hotline scenario): "
                                              "a mapping with one key, nodes: {name: {type: "
                                              "...}}")
        return
    queues = live(scn.queues)  # a queue set to null is removed: not a transfer target
    reasons = list(scn.reasons or {})
    for name, node in scn.ivr.nodes.items():
        key = f"scenario.ivr.nodes.{name}"
        if isinstance(node, Transfer) and node.queue not in queues:
            raise ConfigError(f"{key}.queue", f"unknown queue {node.queue!r}; allowed: "
                                              f"{', '.join(queues)}")
        if isinstance(node, Menu) and node.by_reason is not None:
            for r in node.by_reason:
                if r != "default" and r not in reasons:
                    raise ConfigError(f"{key}.by_reason.{r}", f"unknown reason; allowed: "
                                                              f"{', '.join(reasons)}, default")
            for r in reasons:
                if r not in node.by_reason and "default" not in node.by_reason:
                    raise ConfigError(f"{key}.by_reason.{r}", "missing (or give a default)")


register_section("ivr", Ivr | None, None, "the IVR tree (a hotline scenario): nodes by name, "
                 "one model per node type", check_ivr)
