"""Domestic offsets: abatement outside the ETS sold into the region's ETS markets."""

from __future__ import annotations

import pyomo.environ as pyo

from abatelink.model.index import ModelIndex

COST_TERM = None


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare offsets per ETS market, bounded by the offset limit and by real abatement."""
    market_periods = idx.market_periods(idx.ets_markets)
    m.max_offsets_mt = pyo.Param(market_periods, mutable=True, initialize=0.0)
    m.offsets_mt = pyo.Var(
        market_periods, within=pyo.NonNegativeReals, bounds=lambda m, *k: (0.0, m.max_offsets_mt[k])
    )
    m.offset_supply = pyo.Constraint(idx.region_periods(), rule=_offset_supply)


def _offset_supply(m: pyo.ConcreteModel, region: str, t: int) -> pyo.Constraint:
    """Σ_{m ETS of r} O[m,t] ≤ Σ_{p of r outside any ETS} A[p]  (offsets are real tonnes)."""
    idx: ModelIndex = m.index_sets
    markets = idx.members("ets_markets_of_region", (region, t))
    if not markets:
        return pyo.Constraint.Skip
    used = pyo.quicksum(m.offsets_mt[mk, t] + m.offset_slack_mt[mk, t] for mk in markets)

    abated = pyo.quicksum(
        m.pool_abatement_mt[p] for p in idx.members("uncovered_pools_of_region", (region, t))
    )
    return used <= abated
