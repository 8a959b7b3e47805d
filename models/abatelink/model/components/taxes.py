"""Carbon tax on emissions outside any ETS, and allowances surrendered against it.

A region's tax market takes in allowances over links; each one lowers the taxed emissions
by a tonne (the report's proposal for Japan). The dual of `tax_base` is the tax market's price.
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.components.offsets import international_offsets
from abatelink.model.index import ModelIndex

COST_TERM = "tax_cost_musd"


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare tax rates, taxed emissions and the tax each region pays."""
    region_periods = idx.region_periods()
    m.tax_rate_usd_per_t = pyo.Param(region_periods, mutable=True, initialize=0.0)
    m.taxed_emissions_mt = pyo.Var(region_periods, within=pyo.NonNegativeReals)
    m.tax_base = pyo.Constraint(region_periods, rule=_tax_base)
    m.tax_cost_musd = pyo.Expression(
        idx.periods,
        rule=lambda m, t: pyo.quicksum(
            m.tax_rate_usd_per_t[r, t] * m.taxed_emissions_mt[r, t] for r in idx.regions
        ),
    )


def _tax_base(m: pyo.ConcreteModel, region: str, t: int) -> pyo.Constraint:
    """T[r,t] = U[r,t] + Σ_{m ETS of r} O[m,t] + D[r,t] − I[τ,t] − H[τ,t] − V[τ,t],  T ≥ 0, τ
    the tax market of r.

    U emissions outside any ETS; an offset sold into the ETS, or a project credit generated
    outside the ETS and given abroad (D), no longer lowers the tax base; allowances from
    abroad (I) or from the region's own ETS (H) and international offsets (V) surrendered
    against the tax lower it.
    """
    idx: ModelIndex = m.index_sets
    offsets_sold = pyo.quicksum(
        m.offsets_mt[mk, t] for mk in idx.members("ets_markets_of_region", (region, t))
    )
    tax_market = idx.tax_market_of_region.get(region)
    surrendered = (
        m.imports_mt[tax_market, t]
        + m.home_inflow_mt[tax_market, t]
        + international_offsets(m, tax_market, t)
        if tax_market
        else 0.0
    )
    return m.taxed_emissions_mt[region, t] == (
        m.uncovered_emissions_mt[region, t]
        + offsets_sold
        + m.credits_given_outside_ets_mt[region, t]
        - surrendered
    )
