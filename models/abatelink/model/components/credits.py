"""Sharing project credits among regions, so that no tonne counts twice.

Project p generates G[p,e,t] at emitter e of region g. Where g pools its credits of p
(π[p,g] = 1), they are shared: region r is credited s[p,r] of them; where it does not (the host
rule, or a region acting outside the coalition that shares p), g keeps them (π[p,g] = 0).
In gross terms, which are linear and never negative:
    given away by e:   π[p,g]·(1 − s[p,g])·G[p,e,t]   (added back in e's market or tax base,
                                                        and NDC)
    received by r:     s[p,r]·Σ_{g ≠ r} π[p,g]·G[p,g,t]   (usable in r's credit market, and NDC)
Summed over regions, given = received when Σ_r s[p,r] = 1.

The shares and pooling are parameters, so each of these sums carries a mutable coefficient per
term; they are written over S[p,g,m,t], the generation of p at the emitters of region g in ETS
market m ('' outside any), not over each emitter: one coefficient per scope, not per plant.
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
    scopes = list(P.groups["generation_of_scope"])
    m.scope_generated_mt = pyo.Var(scopes, within=pyo.NonNegativeReals)
    m.scope_generation = pyo.Constraint(scopes, rule=_scope_generation)
    region_periods = idx.region_periods()
    m.credits_given_mt = pyo.Expression(region_periods, rule=_given(_by_position(scopes, (1, 3))))
    m.credits_given_by_market_mt = pyo.Expression(
        idx.market_periods(idx.ets_markets), rule=_given(_by_position(scopes, (2, 3)))
    )
    outside = _by_position([k for k in scopes if k[2] == ""], (1, 3))
    m.credits_given_outside_ets_mt = pyo.Expression(region_periods, rule=_given(outside))
    m.credits_received_mt = pyo.Expression(region_periods, rule=_received(scopes))
    m.project_credits_max_mt = pyo.Param(idx.market_periods(), mutable=True, initialize=0.0)
    m.project_credits_mt = pyo.Var(
        idx.market_periods(),
        within=pyo.NonNegativeReals,
        bounds=lambda m, *k: (0.0, m.project_credits_max_mt[k]),
    )
    m.credit_use = pyo.Constraint(region_periods, rule=_credit_use)


def _scope_generation(
    m: pyo.ConcreteModel, project: str, region: str, market: str, t: int
) -> pyo.Constraint:
    """S[p,g,m,t] − Σ_{e of g in m} G[p,e,t] = 0."""
    keys = m.index_sets.projects.members("generation_of_scope", (project, region, market, t))
    generated = pyo.quicksum(m.generated_mt[k] for k in keys)
    return m.scope_generated_mt[project, region, market, t] - generated == 0.0


def _by_position(scopes: list[tuple], at: tuple[int, ...]) -> dict[tuple, list[tuple]]:
    """Scopes (project, region, market, period) grouped by the parts at positions `at`."""
    out: dict[tuple, list[tuple]] = {}
    for scope in scopes:
        out.setdefault(tuple(scope[i] for i in at), []).append(scope)
    return out


def _given(scopes_of: dict[tuple, list[tuple]]):
    """Rule: Σ over the group's scopes of π[p,g]·(1 − s[p,g])·S[p,g,m,t]."""

    def rule(m: pyo.ConcreteModel, *group: object):
        return pyo.quicksum(
            m.credit_pooled[p, g] * (1 - m.credit_share[p, g]) * m.scope_generated_mt[p, g, mk, t]
            for p, g, mk, t in scopes_of.get(group, [])
        )

    return rule


def _received(scopes: list[tuple]):
    """Rule: Σ_p s[p,r]·Σ_{scopes of g ≠ r} π[p,g]·S[p,g,m,t]."""
    of_period = _by_position(scopes, (3,))

    def rule(m: pyo.ConcreteModel, region: str, t: int):
        return pyo.quicksum(
            m.credit_share[p, region] * m.credit_pooled[p, g] * m.scope_generated_mt[p, g, mk, t]
            for p, g, mk, _ in of_period.get((t,), [])
            if g != region
        )

    return rule


def _credit_use(m: pyo.ConcreteModel, region: str, t: int) -> pyo.Constraint:
    """Σ_{m of r} P[m,t] ≤ credits received by r: surrendered credits are real transfers."""
    markets = m.index_sets.markets_of_region.get(region, [])
    if not markets:
        return pyo.Constraint.Skip
    used = pyo.quicksum(m.project_credits_mt[mk, t] for mk in markets)
    return used <= m.credits_received_mt[region, t]
