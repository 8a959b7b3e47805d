"""What each region pays, by period and in present value (US$ million).

Trades settle at the selling market's price; the buyer also pays the transaction cost. Where a
transfer limit binds, the price gap beyond the transaction cost is a quota rent kept by the
buyer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abatelink.model.index import ModelIndex
from abatelink.results.extract import Extract, clean
from abatelink.results.prices import price_table
from abatelink.results.projects import (
    cobenefit_table,
    credit_table,
    regional_pm_benefits,
    regional_project_costs,
)


def cost_table(x: Extract, prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per region and period, US$ million/yr: abatement + allowance payments + reserve + tax
    + its shares of project costs − the value of PM avoided (when valued).

    Computed from the solution arrays alone, so a sweep can keep costs without the other tables.
    """
    idx = x.model.index
    keys = pd.MultiIndex.from_tuples(idx.region_periods(), names=["region", "period"])
    steps, pools = idx.steps, idx.pools
    spent = x.step_abatement() * steps["cost_usd_per_t"].to_numpy()
    of_pool = pd.Series(np.bincount(steps["pool"], spent, minlength=len(pools)))
    abate = of_pool.groupby([pools["region"], pools["period"]]).sum()
    frame = pd.DataFrame(index=keys)
    frame["abatement_cost_musd"] = abate.reindex(keys, fill_value=0.0)
    payments = _allowance_payments(x, price_table(x) if prices is None else prices)
    frame["allowance_payments_musd"] = payments.reindex(keys, fill_value=0.0)
    frame["reserve_payments_musd"] = _reserve_payments(x).reindex(keys, fill_value=0.0)
    taxed = x.values("taxed_emissions_mt")
    frame["tax_paid_musd"] = (x.params("tax_rate_usd_per_t") * taxed).reindex(keys)
    frame["project_cost_musd"] = 0.0
    frame["pm_benefit_musd"] = 0.0
    if idx.projects.projects and x.values("project_cost_musd").abs().max() > 0:
        credits = credit_table(x)

        frame["project_cost_musd"] = regional_project_costs(x, credits).reindex(
            keys, fill_value=0.0
        )
        if x.model.pyomo.pm_damage_usd_per_t.value:
            pm = regional_pm_benefits(x, cobenefit_table(x))
            frame["pm_benefit_musd"] = pm.reindex(keys, fill_value=0.0)
    frame["total_cost_musd"] = frame.sum(axis=1)
    return clean(frame.reset_index())


def _allowance_payments(x: Extract, prices: pd.DataFrame) -> pd.Series:
    """Bought at the seller's price plus transaction cost, minus sold at the seller's price."""
    idx = x.model.index
    if not idx.links:
        return pd.Series(dtype=float)
    price = prices.set_index(["market", "period"])["price_usd_per_t"]
    links = pd.DataFrame(idx.links, columns=["from_market", "to_market", "period"])
    seller = price.reindex(pd.MultiIndex.from_frame(links[["from_market", "period"]])).to_numpy()
    volume = x.values("trade_mt").to_numpy()
    cost = x.params("transaction_cost_usd_per_t").to_numpy()
    region = idx.region_of_market
    paid = (
        pd.Series(volume * (seller + cost))
        .groupby([links["to_market"].map(region), links["period"]])
        .sum()
    )
    received = (
        pd.Series(volume * seller)
        .groupby([links["from_market"].map(region), links["period"]])
        .sum()
    )
    return paid.sub(received, fill_value=0.0)


def _reserve_payments(x: Extract) -> pd.Series:
    """Purchases at the ceiling minus sales at the floor, by region and period."""
    region = x.model.index.region_of_market
    paid = x.params("ceiling_usd_per_t") * x.values("ceiling_sales_mt") - x.params(
        "floor_usd_per_t"
    ) * x.values("floor_withdrawal_mt")
    regions = [region[mk] for mk in paid.index.get_level_values(0)]
    return paid.groupby([regions, paid.index.get_level_values(1)]).sum()


def present_value(costs: pd.DataFrame, index: ModelIndex) -> pd.Series:
    """Σ_t y_t·δ_t·total cost[r,t]: each region's present-value cost (US$ million)."""
    weight = costs["period"].map(index.weight)
    return (costs["total_cost_musd"] * weight).groupby(costs["region"]).sum().astype(float)
