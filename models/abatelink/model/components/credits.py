"""Sharing project credits among regions, so that no tonne counts twice.

Project p generates G[p,e,t] at emitter e of region g. Where g pools its credits of p
(π[p,g] = 1), they are shared: region r is credited s[p,r] of them; where it does not (the host
rule, or a region acting outside the coalition that shares p), g keeps them (π[p,g] = 0).
In gross terms, which are linear and never negative:
    given away by e:   π[p,g]·(1 − s[p,g])·G[p,e,t]   (added back in e's market or tax base,
                                                        and NDC)
    received by r:     s[p,r]·Σ_{g ≠ r} π[p,g]·G[p,g,t]   (usable in r's credit market, and NDC)
Summed over regions, given = received when Σ_r s[p,r] = 1.
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.index import ModelIndex

COST_TERM = None


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare shares, the gross transfers and project credits surrendered in credit markets."""
    P = idx.projects
    project_regions = [(p, r) for p in P.projects for r in idx.regions]
    m.credit_pooled = pyo.Param(project_regions, mutable=True, initialize=0.0)
    m.credit_share = pyo.Param(project_regions, mutable=True, initialize=0.0)
    region_periods = idx.region_periods()
    m.credits_given_mt = pyo.Expression(region_periods, rule=_given("generation_of_region"))
    m.credits_given_by_market_mt = pyo.Expression(
        idx.market_periods(idx.ets_markets), rule=_given("generation_of_market")
    )
    m.credits_given_outside_ets_mt = pyo.Expression(
        region_periods, rule=_given("uncovered_generation_of_region")
    )
    m.credits_received_mt = pyo.Expression(region_periods, rule=_received)
    m.project_credits_max_mt = pyo.Param(idx.market_periods(), mutable=True, initialize=0.0)
    m.project_credits_mt = pyo.Var(
        idx.market_periods(),
        within=pyo.NonNegativeReals,
        bounds=lambda m, *k: (0.0, m.project_credits_max_mt[k]),
    )
    m.credit_use = pyo.Constraint(region_periods, rule=_credit_use)


def given_share(m: pyo.ConcreteModel, project: str, emitter: str):
    """π[p,g]·(1 − s[p,g]), g the region of e: the share of e's generation that goes to others."""
    region = m.index_sets.projects.region_of_emitter[emitter]
    return m.credit_pooled[project, region] * (1 - m.credit_share[project, region])


def _given(group: str):
    """Rule: Σ over the group's generation keys of π[p,g]·(1 − s[p,g])·G[p,e,t]."""

    def rule(m: pyo.ConcreteModel, scope: str, t: int):
        keys = m.index_sets.projects.members(group, (scope, t))
        return pyo.quicksum(given_share(m, p, e) * m.generated_mt[p, e, tt] for p, e, tt in keys)

    return rule


def _received(m: pyo.ConcreteModel, region: str, t: int):
    """Σ_p s[p,r]·Σ_{e not of r} π[p, region of e]·G[p,e,t]."""
    P = m.index_sets.projects
    return pyo.quicksum(
        m.credit_share[p, region]
        * m.credit_pooled[p, P.region_of_emitter[e]]
        * m.generated_mt[p, e, tt]
        for p in P.projects
        for _, e, tt in P.members("generation_elsewhere", (p, region, t))
    )


def _credit_use(m: pyo.ConcreteModel, region: str, t: int) -> pyo.Constraint:
    """Σ_{m of r} P[m,t] ≤ credits received by r: surrendered credits are real transfers."""
    markets = m.index_sets.markets_of_region.get(region, [])
    if not markets:
        return pyo.Constraint.Skip
    used = pyo.quicksum(m.project_credits_mt[mk, t] for mk in markets)
    return used <= m.credits_received_mt[region, t]
