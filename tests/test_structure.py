"""The code's shape, where a rule is cheap to check mechanically: no import cycles, no
private calls between the engine's parts, one KPI registry that knows every KPI."""

from __future__ import annotations

import ast
from pathlib import Path

from simhelpers import TINY, scenario
from test_hotline import load

from sim.config import build_model_spec
from sim.kpi import replication_kpis
from sim.kpi_specs import KPIS
from sim.records import Recorder

SIM = Path(__file__).resolve().parent.parent / "sim"


def _modules() -> dict[str, Path]:
    out = {}
    for p in SIM.rglob("*.py"):
        parts = p.relative_to(SIM.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def _imports(path: Path, mods: dict[str, Path]) -> set[str]:
    """sim modules imported anywhere in ``path`` (functions too), except for type checking;
    ``from pkg import submodule`` counts as importing the submodule, not the package."""
    tree = ast.parse(path.read_text())
    typing_only = {id(n) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for n in ast.walk(node)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            subs = {f"{node.module}.{a.name}" for a in node.names} & set(mods)
            out |= subs if subs else {node.module}
    return out & set(mods)


def test_no_import_cycles_among_sim_modules():
    mods = _modules()
    graph = {m: _imports(p, mods) - {m} for m, p in mods.items()}
    cycles, done = [], set()

    def visit(m: str, path: list[str]) -> None:
        if m in path:
            cycles.append(path[path.index(m):] + [m])
            return
        if m in done:
            return
        for n in sorted(graph[m]):
            visit(n, path + [m])
        done.add(m)

    for m in sorted(graph):
        visit(m, [])
    assert not cycles, cycles


def test_engine_parts_call_no_private_member_of_another_object():
    """Components, core, queues, agents and policies talk through public methods only
    (and read no SimPy internals such as ``event._value``)."""
    found = []
    for p in sorted((SIM / "model").glob("*.py")) + sorted((SIM / "policies").glob("*.py")):
        for node in ast.walk(ast.parse(p.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self")):
                found.append(f"{p.name}:{node.lineno} {ast.unparse(node)}")
    assert not found, found


def test_kpi_registry_knows_every_kpi_in_its_scopes():
    """Every KPI a replication reports is registered for the scope it appears in, and
    every registered KPI is reported by some scenario (no stale entries)."""
    scopes = {"overall": "overall", "by_class": "class", "by_group": "group",
              "by_tier": "tier", "by_reason": "reason", "by_site": "site",
              "by_region": "region", "by_work": "work"}
    seen = set()
    with_states = scenario(groups__g__availability={})  # agent-state KPIs
    with_work = scenario(classes__b__kind="work")  # the agents' own work
    from test_sites import SITED  # seat sites and dialects

    # the reference has the operations features
    for scn in (TINY, load(), load("telecom10000"), with_states, SITED, with_work):
        spec = build_model_spec(scn)
        kpis = replication_kpis(Recorder.for_spec(spec), spec)
        for key, scope in scopes.items():
            if key not in kpis:
                continue
            per_name = [kpis[key]] if key == "overall" else list(kpis[key].values())
            for d in per_name:
                for name in d:
                    assert name in KPIS, name
                    assert scope in KPIS[name].scopes, (name, scope)
                    seen.add(name)
    assert seen == set(KPIS), set(KPIS) - seen
