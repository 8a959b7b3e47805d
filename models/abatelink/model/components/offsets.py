"""Offsets: domestic (abatement outside the ETS sold into the region's ETS markets) and
international (credits bought from a programme abroad, `offset_supply.csv`).

An international offset is a reduction in the seller's territory, outside every emitter of
the model: the seller's inventory falls by the tonne and its corresponding adjustment adds
it back, so the seller's accounted emissions are unchanged and the buyer's fall by the tonne
(`ndc.offset_adjustment`). The objective pays its offer price: the cost of the reduction,
whoever makes it (`results.costs`: the buyer's resource cost).
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.index import ModelIndex

COST_TERM = "international_offset_cost_musd"


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare domestic offsets per ETS market, bounded by the offset limit and by real
    abatement; international offsets per offer, bounded by its quantity, and their total per
    buying market, bounded by the international offset limit; and what they cost."""
    market_periods = idx.market_periods(idx.ets_markets)
    m.max_offsets_mt = pyo.Param(market_periods, mutable=True, initialize=0.0)
    m.offsets_mt = pyo.Var(
        market_periods, within=pyo.NonNegativeReals, bounds=lambda m, *k: (0.0, m.max_offsets_mt[k])
    )
    m.offset_supply = pyo.Constraint(idx.region_periods(), rule=_offset_supply)
    m.offer_max_mt = pyo.Param(idx.offers, mutable=True, initialize=0.0)
    m.offer_price_usd_per_t = pyo.Param(idx.offers, mutable=True, initialize=0.0)
    m.offer_mt = pyo.Var(
        idx.offers, within=pyo.NonNegativeReals, bounds=lambda m, *k: (0.0, m.offer_max_mt[k])
    )
    buyers = list(idx.groups["offers_into_market"])
    m.max_international_offsets_mt = pyo.Param(buyers, mutable=True, initialize=0.0)
    m.international_offsets_mt = pyo.Var(
        buyers,
        within=pyo.NonNegativeReals,
        bounds=lambda m, *k: (0.0, m.max_international_offsets_mt[k]),
    )
    m.international_offset_total = pyo.Constraint(buyers, rule=_international_total)
    m.international_offset_cost_musd = pyo.Expression(idx.periods, rule=_international_cost)


def _offset_supply(m: pyo.ConcreteModel, region: str, t: int) -> pyo.Constraint:
    """Σ_{m ETS of r} O[m,t] ≤ Σ_{p of r outside any ETS} A[p]  (offsets are real tonnes)."""
    idx: ModelIndex = m.index_sets
    markets = idx.members("ets_markets_of_region", (region, t))
    if not markets:
        return pyo.Constraint.Skip
    used = pyo.quicksum(m.offsets_mt[mk, t] for mk in markets)

    abated = pyo.quicksum(
        m.pool_abatement_mt[p] for p in idx.members("uncovered_pools_of_region", (region, t))
    )
    return used <= abated


def international_offsets(m: pyo.ConcreteModel, market: str, t: int):
    """V[m,t], the international offsets market m surrenders (0 where it has no offer)."""
    buyers = m.index_sets.members(
        "offset_buyers_of_region", (m.index_sets.region_of_market[market], t)
    )
    return m.international_offsets_mt[market, t] if market in buyers else 0.0


def _international_total(m: pyo.ConcreteModel, market: str, t: int) -> pyo.Constraint:
    """V[m,t] = Σ_{offers s into m} o[s];  0 ≤ V[m,t] ≤ V̄[m,t] (the international offset
    limit: a share of m's cap, of its region's baseline taxed emissions for a tax market);
    0 ≤ o[s] ≤ q[s], the quantity on offer."""
    offers = m.index_sets.members("offers_into_market", (market, t))
    return m.international_offsets_mt[market, t] == pyo.quicksum(m.offer_mt[s] for s in offers)


def _international_cost(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
    """Σ_{offers s of period t} P[s]·o[s]  (US$ million/yr), P the offer price."""
    offers = [s for s in m.index_sets.offers if s[3] == t]
    return pyo.quicksum(m.offer_price_usd_per_t[s] * m.offer_mt[s] for s in offers)
