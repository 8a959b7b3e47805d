"""ETS market balances: caps, banking and borrowing, and the price ceiling and floors.

The dual of `market_balance[m,t]`, divided by the period's weight, is the market price.

Price controls (`price_controls.csv`): a ceiling C sells any number of extra allowances at C. A
floor is one of two instruments. A *top-up* floor F (like the UK's carbon price support, the
default) charges emitters F − p on every covered tonne while the market price p is below F: its
emitters abate every step cheaper than F (a lower bound on their pools' abatement, set by the
levers), their surplus allowances go to linked markets, and the top-up is government revenue
(`top_up_floor_usd_per_t` feeds only the accounts). An auction *reserve* price R withholds up to
the market's own cap from sale when it would sell below R (`floor_withdrawal_mt` at R in the
objective); what is withheld is cancelled, and that term is no money in any account.
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.components.offsets import international_offsets
from abatelink.model.index import ModelIndex

COST_TERM = "reserve_cost_musd"


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare caps, the bank, price-control reserves and the allowance balance of each market."""
    market_periods = idx.market_periods(idx.ets_markets)
    m.cap_mt = pyo.Param(market_periods, mutable=True, initialize=0.0)
    m.initial_bank_mt = pyo.Param(idx.ets_markets, mutable=True, initialize=0.0)
    _declare_bounded(m, "bank_mt", market_periods, lower="bank_min_mt", upper="bank_max_mt")
    _declare_bounded(m, "ceiling_sales_mt", market_periods, upper="ceiling_sales_max_mt")
    _declare_bounded(m, "floor_withdrawal_mt", market_periods, upper="floor_withdrawal_max_mt")
    m.ceiling_usd_per_t = pyo.Param(market_periods, mutable=True, initialize=0.0)
    m.floor_usd_per_t = pyo.Param(market_periods, mutable=True, initialize=0.0)
    m.top_up_floor_usd_per_t = pyo.Param(market_periods, mutable=True, initialize=0.0)
    m.market_balance = pyo.Constraint(market_periods, rule=_market_balance)
    m.reserve_cost_musd = pyo.Expression(idx.periods, rule=_reserve_cost)


def _declare_bounded(
    m: pyo.ConcreteModel, name: str, keys: list, *, upper: str, lower: str | None = None
) -> None:
    """A variable whose bounds are mutable parameters, so scenarios change them in place."""
    m.add_component(upper, pyo.Param(keys, mutable=True, initialize=0.0))
    if lower is not None:
        m.add_component(lower, pyo.Param(keys, mutable=True, initialize=0.0))
    lower_of = getattr(m, lower) if lower else None
    upper_of = getattr(m, upper)
    m.add_component(
        name,
        pyo.Var(keys, bounds=lambda _, *k: (lower_of[k] if lower_of else 0.0, upper_of[k])),
    )


def _market_balance(m: pyo.ConcreteModel, market: str, t: int) -> pyo.Constraint:
    """E[m,t] + X[m,t] + W[m,t] + D[m,t] + (B[m,t] − B[m,t−1]) / y_t − I[m,t] − H[m,t] − O[m,t]
    − V[m,t] − C[m,t] ≤ cap[m,t].

    E covered emissions, X exports abroad, W floor withdrawals, D project credits generated in
    m and given to other regions, B bank (stock), y_t years per period, I imports from abroad
    (allowances, at the links' exchange rates, and project credits), H net inflow from the
    region's other markets, O domestic and V international offsets, C sales at the ceiling;
    all Mt/yr of m's allowances except B (Mt).
    """
    idx: ModelIndex = m.index_sets
    k = (market, t)
    use = m.covered_emissions_mt[k] + m.exports_mt[k] + m.floor_withdrawal_mt[k]
    use += m.credits_given_by_market_mt[k]
    bank_change = (m.bank_mt[k] - _previous_bank(m, idx, market, t)) / idx.period_years[t]
    supply = m.imports_mt[k] + m.home_inflow_mt[k] + m.offsets_mt[k] + m.ceiling_sales_mt[k]
    supply += international_offsets(m, market, t)

    return use + bank_change - supply <= m.cap_mt[k]


def _previous_bank(m: pyo.ConcreteModel, idx: ModelIndex, market: str, t: int):
    position = idx.periods.index(t)
    if position == 0:
        return m.initial_bank_mt[market]
    return m.bank_mt[market, idx.periods[position - 1]]


def _reserve_cost(m: pyo.ConcreteModel, t: int) -> pyo.Expression:
    """R[t] = Σ_m (ceiling[m,t]·C[m,t] − reserve[m,t]·W[m,t])  (US$ million/yr): the terms that
    put the market price between the reserve price and the ceiling."""
    return pyo.quicksum(
        m.ceiling_usd_per_t[mk, t] * m.ceiling_sales_mt[mk, t]
        - m.floor_usd_per_t[mk, t] * m.floor_withdrawal_mt[mk, t]
        for mk in m.index_sets.ets_markets
    )
