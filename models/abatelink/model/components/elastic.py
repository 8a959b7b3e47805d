"""Elastic slack on every commitment a scenario can make impossible, for diagnosis.

Caps, NDC targets, import, export and offset limits each get a slack variable bounded by
`elastic_max_mt`: 0 in a normal run (the slack is inert), ∞ when diagnosing. Priced at
`elastic_penalty_usd_per_t`, far above any abatement cost, the solver then relaxes the
commitments by the least total amount (Mt/yr) that makes the scenario feasible.
"""

from __future__ import annotations

import pyomo.environ as pyo

from abatelink.model.index import ModelIndex

COST_TERM = "elastic_cost_musd"

# slack variable → (the commitment it relaxes, its scope: ETS markets, all markets or regions)
RELAXATIONS: dict[str, tuple[str, str]] = {
    "cap_slack_mt": ("cap", "ets"),
    "ndc_slack_mt": ("NDC target", "region"),
    "import_slack_mt": ("import limit", "market"),
    "export_slack_mt": ("export limit", "market"),
    "offset_slack_mt": ("offset limit", "ets"),
}


def scope(idx: ModelIndex, kind: str) -> tuple[str, ...]:
    """The markets or regions a slack is declared for."""
    return {"ets": idx.ets_markets, "market": idx.markets, "region": idx.regions}[kind]


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare the slacks (inert until `elastic_max_mt` is raised) and their penalty cost."""
    m.elastic_max_mt = pyo.Param(mutable=True, initialize=0.0)
    m.elastic_penalty_usd_per_t = pyo.Param(mutable=True, initialize=0.0)
    for name, (_, kind) in RELAXATIONS.items():
        keys = [(s, t) for s in scope(idx, kind) for t in idx.periods]
        var = pyo.Var(keys, within=pyo.NonNegativeReals, bounds=(0.0, m.elastic_max_mt))
        m.add_component(name, var)
    m.elastic_cost_musd = pyo.Expression(idx.periods, rule=_elastic_cost)


def _elastic_cost(m: pyo.ConcreteModel, t: int):
    """penalty · Σ slacks of period t  (US$ million/yr)."""
    idx: ModelIndex = m.index_sets
    slacks = (
        getattr(m, name)[s, t] for name, (_, kind) in RELAXATIONS.items() for s in scope(idx, kind)
    )
    return m.elastic_penalty_usd_per_t * pyo.quicksum(slacks)
