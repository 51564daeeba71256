"""Policy parameters: every policy declares a nested ``Params`` model (strict types,
bounded numbers); fields that name things in the scenario carry a ``ref`` marker and are
checked once the scenario is known (``vip_queue: nope`` is an error, not the base policy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.model.spec import ModelSpec

QUEUE_REF: JsonDict = {"ref": "queue"}  # a queue name of the scenario
ANNOUNCEMENT_REF: JsonDict = {"ref": "announcement"}  # 1-based waiting announcement numbers


def QueueName(default: str, description: str):  # noqa: N802 - a field factory
    """A field naming a queue of the scenario."""
    return Field(default, description=description, json_schema_extra=QUEUE_REF)


class PolicyParams(BaseModel):
    """A policy's ``policy.params``: none unless the policy declares its own model."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)

    def check(self, spec: ModelSpec, key: str = "policy.params") -> None:
        """Every name reference resolves in the scenario."""
        queues = [q.name for q in spec.queues]
        most = max((len(q.announce_s) for q in spec.queues), default=0)
        for name, info in type(self).model_fields.items():
            # the markers above are dicts (no field here sets a callable)
            ref = cast(JsonDict, info.json_schema_extra or {}).get("ref")
            value = getattr(self, name)
            if ref == "queue" and value not in queues:
                raise ConfigError(f"{key}.{name}", f"unknown queue {value!r}; allowed: "
                                                   f"{', '.join(queues)}")
            if ref == "announcement":
                bad = [k for k in value if not 1 <= k <= most]
                if bad:
                    allowed = f"1..{most}" if most else "none (no queue has announce_s)"
                    raise ConfigError(f"{key}.{name}", f"announcement {bad[0]} does not "
                                                       f"exist; allowed: {allowed}")
