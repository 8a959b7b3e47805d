"""Allowance trades over links between markets, with import and export limits.

Import and export limits bound cross-border flows only; a flow between two markets of one
region (China's national ETS and its pilots) moves allowances within the country. A flow x on
link l = m → n is counted in m's allowances: m gives up x and n receives k_l·x of its own,
k_l the link's exchange rate (1 unless links.csv gives one); capacity, transaction cost and
the export limit are on x, the import limit on k_l·x.
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.index import ModelIndex

COST_TERM = "transaction_cost_musd"


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare trades, their transaction costs and each market's import and export totals."""
    m.link_max_volume_mt = pyo.Param(idx.links, mutable=True, initialize=0.0)
    m.transaction_cost_usd_per_t = pyo.Param(idx.links, mutable=True, initialize=0.0)
    m.trade_mt = pyo.Var(
        idx.links, within=pyo.NonNegativeReals, bounds=lambda m, *k: (0.0, m.link_max_volume_mt[k])
    )
    market_periods = idx.market_periods()
    m.max_imports_mt = pyo.Param(market_periods, mutable=True, initialize=0.0)
    m.max_exports_mt = pyo.Param(market_periods, mutable=True, initialize=0.0)
    m.imports_mt = pyo.Var(
        market_periods, within=pyo.NonNegativeReals, bounds=lambda m, *k: (0.0, m.max_imports_mt[k])
    )
    m.exports_mt = pyo.Var(
        market_periods, within=pyo.NonNegativeReals, bounds=lambda m, *k: (0.0, m.max_exports_mt[k])
    )
    m.import_total = pyo.Constraint(market_periods, rule=_import_total)
    m.export_total = pyo.Constraint(market_periods, rule=_export_total)
    m.home_inflow_mt = pyo.Expression(market_periods, rule=_home_inflow)
    m.transaction_cost_musd = pyo.Expression(
        idx.periods,
        rule=lambda m, t: pyo.quicksum(
            m.transaction_cost_usd_per_t[k] * m.trade_mt[k]
            for k in idx.members("links_of_period", t)
        ),
    )


def _import_total(m: pyo.ConcreteModel, market: str, t: int) -> pyo.Constraint:
    """I[m,t] = Σ_{l into m from abroad} k_l·x[l,t] + P[m,t];  0 ≤ I[m,t] ≤ Ī[m,t] (import
    limit).

    P are joint-project credits from abroad surrendered in m: they count against the limit.
    """
    idx: ModelIndex = m.index_sets
    links = idx.members("links_into_from_abroad", (market, t))
    inflow = pyo.quicksum(idx.exchange_rate[k] * m.trade_mt[k] for k in links)
    return m.imports_mt[market, t] == inflow + m.project_credits_mt[market, t]


def _export_total(m: pyo.ConcreteModel, market: str, t: int) -> pyo.Constraint:
    """X[m,t] = Σ_{l out of m to abroad} x[l,t];  0 ≤ X[m,t] ≤ X̄[m,t] (export limit)."""
    links = m.index_sets.members("links_out_to_abroad", (market, t))
    outflow = pyo.quicksum(m.trade_mt[k] for k in links)
    return m.exports_mt[market, t] == outflow


def _home_inflow(m: pyo.ConcreteModel, market: str, t: int) -> pyo.Expression:
    """H[m,t] = Σ_{l into m from home} k_l·x[l,t] − Σ_{l out of m to home} x[l,t]  (Mt/yr): the
    net flow from the other markets of m's own region, outside every transfer limit."""
    idx = m.index_sets
    into = pyo.quicksum(
        idx.exchange_rate[k] * m.trade_mt[k]
        for k in idx.members("links_into_from_home", (market, t))
    )
    out = pyo.quicksum(m.trade_mt[k] for k in idx.members("links_out_to_home", (market, t)))
    return into - out
