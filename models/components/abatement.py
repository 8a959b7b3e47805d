"""Abatement along step MAC curves, and the emissions that follow from it."""

from __future__ import annotations

import pyomo.environ as pyo

from abatelink.index import ModelIndex

COST_TERM = "abatement_cost_musd"


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare abatement variables, baselines and the emission expressions of each scope."""
    quantity = dict(zip(idx.steps["key"], idx.steps["quantity_mt"], strict=True))
    m.abatement_mt = pyo.Var(
        list(quantity), within=pyo.NonNegativeReals, bounds=lambda _, *k: (0.0, quantity[k])
    )
    m.baseline_mt = pyo.Param(idx.emitter_periods, mutable=True, initialize=0.0)
    m.covered_emissions_mt = pyo.Expression(
        idx.market_periods(idx.ets_markets),
        rule=_emissions("baseline_of_market", "steps_of_market", "generation_of_market"),
    )
    m.uncovered_emissions_mt = pyo.Expression(
        idx.region_periods(),
        rule=_emissions(
            "uncovered_baseline_of_region",
            "uncovered_steps_of_region",
            "uncovered_generation_of_region",
        ),
    )
    m.inventory_emissions_mt = pyo.Expression(
        idx.region_periods(),
        rule=_emissions("baseline_of_region", "steps_of_region", "generation_of_region"),
    )
    hosts = list(idx.projects.groups["generation_of_emitter"])
    m.emissions_floor = pyo.Constraint(hosts, rule=_emissions_floor)
    cost = dict(zip(idx.steps["key"], idx.steps["cost_usd_per_t"], strict=True))
    m.abatement_cost_musd = pyo.Expression(
        idx.periods,
        rule=lambda m, t: pyo.quicksum(
            cost[k] * m.abatement_mt[k] for k in idx.members("steps_of_period", t)
        ),
    )


def _emissions(baseline_group: str, steps_group: str, projects_group: str):
    """Rule: E[g,t] = Σ_{e∈g} B[e,t] − Σ_{(e,s)∈g} a[e,t,s] − Σ_{(p,e)∈g} G[p,e,t]  (Mt/yr).

    G is what joint projects avoid at the group's emitters (CCS, displaced grid power).
    """

    def rule(m: pyo.ConcreteModel, scope: str, t: int) -> pyo.Expression:
        idx: ModelIndex = m.index_sets
        baseline = pyo.quicksum(m.baseline_mt[k] for k in idx.members(baseline_group, (scope, t)))
        abated = pyo.quicksum(m.abatement_mt[k] for k in idx.members(steps_group, (scope, t)))
        avoided = pyo.quicksum(
            m.generated_mt[k] for k in idx.projects.members(projects_group, (scope, t))
        )
        return baseline - abated - avoided

    return rule


def _emissions_floor(m: pyo.ConcreteModel, emitter: str, t: int) -> pyo.Constraint:
    """Σ_s a[e,t,s] + Σ_p G[p,e,t] ≤ B[e,t]: an emitter cannot go below zero."""
    idx: ModelIndex = m.index_sets
    abated = pyo.quicksum(m.abatement_mt[k] for k in idx.members("steps_of_emitter", (emitter, t)))
    avoided = pyo.quicksum(
        m.generated_mt[k] for k in idx.projects.members("generation_of_emitter", (emitter, t))
    )
    return abated + avoided <= m.baseline_mt[emitter, t]
