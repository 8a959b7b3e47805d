"""Abatement along step MAC curves, and the emissions that follow from it.

The model's rows see emissions through two numbers per emission pool p (see `index` for what
a pool is): its baseline B[p], the sum of its emitters' baselines (a parameter), and its
abatement A[p], the sum of what its MAC steps abate (a variable). The steps a[k] — the
wide part of the model, one column per emitter, period and step — are not Pyomo variables:
`step_columns` declares them as arrays, with their costs and bounds, and one row per pool
tying them to A[p]; the session writes them straight into HiGHS. On plant-level data
(150,000 steps) this takes milliseconds where declaring them in Pyomo and passing them
through the persistent interface took seconds; the rows and columns HiGHS solves are the
same either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.core as pyo

from abatelink.model.index import ModelIndex

COST_TERM = None  # Σ c[k]·a[k] is in the step columns' objective costs (step_columns)


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare pool baselines and abatement, and the emission expressions of each scope.

    A[p] ≥ A_min[p]: a top-up price floor F makes a covered pool abate at least every step
    that costs less than F (`levers`); 0 otherwise.
    """
    quantity = dict(zip(idx.pools["pool"], idx.pools["quantity_mt"], strict=True))
    m.pool_min_abatement_mt = pyo.Param(list(quantity), mutable=True, initialize=0.0)
    m.pool_abatement_mt = pyo.Var(
        list(quantity),
        within=pyo.NonNegativeReals,
        bounds=lambda m, p: (m.pool_min_abatement_mt[p], quantity[p]),
    )
    m.pool_baseline_mt = pyo.Param(list(quantity), mutable=True, initialize=0.0)
    m.covered_emissions_mt = pyo.Expression(
        idx.market_periods(idx.ets_markets),
        rule=_emissions("pools_of_market", "generation_of_market"),
    )
    m.uncovered_emissions_mt = pyo.Expression(
        idx.region_periods(),
        rule=_emissions("uncovered_pools_of_region", "uncovered_generation_of_region"),
    )
    m.inventory_emissions_mt = pyo.Expression(
        idx.region_periods(), rule=_emissions("pools_of_region", "generation_of_region")
    )
    hosts = list(idx.projects.groups["generation_of_emitter"])
    m.emissions_floor = pyo.Constraint(hosts, rule=_emissions_floor)
    ccs_hosts = [(e, t) for e in idx.projects.units["emitter"].unique() for t in idx.periods]
    m.ccs_or_steps = pyo.Constraint(ccs_hosts, rule=_ccs_or_steps)


def _emissions(pools_group: str, projects_group: str):
    """Rule: E[g,t] = Σ_{p∈g} (B[p] − A[p]) − Σ_{(j,e)∈g} G[j,e,t]  (Mt/yr).

    G is what joint projects j avoid at the group's emitters (CCS, displaced grid power).
    """

    def rule(m: pyo.ConcreteModel, scope: str, t: int) -> pyo.Expression:
        idx: ModelIndex = m.index_sets
        pools = idx.members(pools_group, (scope, t))
        baseline = pyo.quicksum(m.pool_baseline_mt[p] for p in pools)
        abated = pyo.quicksum(m.pool_abatement_mt[p] for p in pools)
        avoided = pyo.quicksum(
            m.generated_mt[k] for k in idx.projects.members(projects_group, (scope, t))
        )
        return baseline - abated - avoided

    return rule


def _emissions_floor(m: pyo.ConcreteModel, emitter: str, t: int) -> pyo.Constraint:
    """A[p] + Σ_j G[j,e,t] ≤ B[p], p the host's own pool: an emitter cannot go below zero."""
    idx: ModelIndex = m.index_sets
    (pool,) = idx.members("pools_of_host", (emitter, t))
    avoided = pyo.quicksum(
        m.generated_mt[k] for k in idx.projects.members("generation_of_emitter", (emitter, t))
    )
    return m.pool_abatement_mt[pool] + avoided <= m.pool_baseline_mt[pool]


def _ccs_or_steps(m: pyo.ConcreteModel, emitter: str, t: int) -> pyo.Constraint:
    """A[p]·B[p] + Q[p]·Σ_{u at e} E_u·o[u,t] ≤ Q[p]·B[p], p the host's own pool.

    While CCS units capturing E_u of the host's B[p] Mt/yr run, its MAC steps (Q[p] in all)
    may abate at most the share of its emissions no unit captures, A[p] ≤ Q[p]·(1 − Σ E_u·o /
    B[p]): a tonne is avoided once, by capture or by a step, never by both. The units' terms
    are entries of their build columns (`ccs.build_columns`).
    """
    idx: ModelIndex = m.index_sets
    (pool,) = idx.members("pools_of_host", (emitter, t))
    quantity = float(idx.pools.at[pool, "quantity_mt"])
    baseline = m.pool_baseline_mt[pool]
    return m.pool_abatement_mt[pool] * baseline <= quantity * baseline


@dataclass(frozen=True)
class StepColumns:
    """The MAC steps as columns, and one row per emission pool tying them to A[p]:

        Σ_{k∈p} a[k] − A[p] = 0                        (one row per pool p)
        0 ≤ a[k] ≤ q[k],  objective cost w_t·c[k]   (one column per step k)

    in US$ million (Mt/yr × US$/t × the period's discounted years w_t): the abatement cost
    term of the objective min Σ_t w_t·Σ_k c[k]·a[k,t] + …. Columns are in `idx.steps` order; the
    session appends them after the Pyomo part (`Session.__init__`).
    """

    cost: np.ndarray  # w_t·c[k]
    upper: np.ndarray  # q[k], Mt/yr
    pool: np.ndarray  # the pool row of each step, in `idx.pools` order
    n_pools: int


def step_columns(idx: ModelIndex) -> StepColumns:
    """The MAC steps of the index as arrays (see `StepColumns` for the rows and columns)."""
    steps = idx.steps
    weight = idx.weights(steps["period"].to_numpy())
    return StepColumns(
        cost=weight * steps["cost_usd_per_t"].to_numpy(dtype=float),
        upper=steps["quantity_mt"].to_numpy(dtype=float),
        pool=steps["pool"].to_numpy().astype(np.int32),
        n_pools=len(idx.pools),
    )
