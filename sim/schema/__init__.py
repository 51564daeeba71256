"""The typed input schema (pydantic v2): run keys, policy parameters, documented limits,
and the one place where a schema error becomes the ``key: what is allowed`` line.

pydantic rather than OmegaConf structured configs: strict types (no truthy strings, no
int-from-float), finite bounded numbers, validators that check name references, and a
precise error location per value — all things ccsim must report on one line and that
dataclass-based structured configs do not give.
"""
