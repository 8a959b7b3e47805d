"""Allowance trades over links between markets, with import and export limits."""

from __future__ import annotations

import pyomo.environ as pyo

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
    m.transaction_cost_musd = pyo.Expression(
        idx.periods,
        rule=lambda m, t: pyo.quicksum(
            m.transaction_cost_usd_per_t[k] * m.trade_mt[k]
            for k in idx.members("links_of_period", t)
        ),
    )


def _import_total(m: pyo.ConcreteModel, market: str, t: int) -> pyo.Constraint:
    """I[m,t] = Σ_{l into m} x[l,t] + P[m,t];  0 ≤ I[m,t] ≤ Ī[m,t] (import limit).

    P are joint-project credits from abroad surrendered in m: they count against the limit.
    """
    inflow = pyo.quicksum(m.trade_mt[k] for k in m.index_sets.members("links_into", (market, t)))
    relaxed = m.import_slack_mt[market, t]  # zero unless diagnosing
    return m.imports_mt[market, t] + relaxed == inflow + m.project_credits_mt[market, t]


def _export_total(m: pyo.ConcreteModel, market: str, t: int) -> pyo.Constraint:
    """X[m,t] = Σ_{l out of m} x[l,t];  0 ≤ X[m,t] ≤ X̄[m,t] (export limit)."""
    outflow = pyo.quicksum(m.trade_mt[k] for k in m.index_sets.members("links_out_of", (market, t)))
    return m.exports_mt[market, t] + m.export_slack_mt[market, t] == outflow
