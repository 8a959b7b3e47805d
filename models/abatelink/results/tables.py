"""Result tables of a solved model, in annual units (Mt/yr, US$/t, US$ million/yr).

Prices are the duals of the balances divided by the period's objective weight (years ×
discount factor), so they are undiscounted US$/t of the currency year. Trades settle at the
selling market's price; the buyer also pays the transaction cost. Where a transfer limit
binds, the price gap beyond the transaction cost is a quota rent kept by the buyer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abatelink.model.build import Model
from abatelink.results.projects import (
    cobenefit_table,
    credit_table,
    ledger_table,
    project_tables,
    regional_pm_benefits,
    regional_project_costs,
)
from abatelink.solve.session import Session, Solution

TABLE_NAMES = (
    "prices",
    "abatement",
    "emissions",
    "balances",
    "trades",
    "bank",
    "costs",
    "ndc",
    "projects",
    "credits",
    "cobenefits",
    "ledger",
)


@dataclass
class Extract:
    """Read-back helper: a session, its solution and the period weights."""

    model: Model
    session: Session
    solution: Solution

    def values(self, name: str) -> pd.Series:
        return self.session.values(self.solution, getattr(self.model.pyomo, name))

    def step_abatement(self) -> np.ndarray:
        """Abatement of each MAC step (Mt/yr), in `index.steps` order."""
        return self.session.step_values(self.solution)

    def duals(self, name: str) -> pd.Series:
        return self.session.duals(self.solution, getattr(self.model.pyomo, name))

    def params(self, name: str) -> pd.Series:
        param = getattr(self.model.pyomo, name)
        return pd.Series({k: param[k].value for k in param})

    def per_year(self, duals: pd.Series) -> pd.Series:
        """Duals divided by the weight of their period (the last level of the key)."""
        periods = duals.index.get_level_values(-1)
        weights = np.array([self.model.index.weight(t) for t in periods])
        return duals / weights


def tables(model: Model, session: Session, solution: Solution) -> dict[str, pd.DataFrame]:
    """Every result table of a solved model."""
    x = Extract(model, session, solution)
    prices = price_table(x)
    abatement = abatement_table(x)
    trades = trade_table(x, prices)
    projects = project_tables(x)
    ndc = ndc_table(x, abatement)
    out = {
        "prices": prices,
        "abatement": abatement,
        "emissions": emissions_table(x, abatement),
        "balances": balance_table(x, prices, abatement),
        "trades": trades,
        "bank": bank_table(x),
        "costs": cost_table(x, prices),
        "ndc": ndc,
        **projects,
        "ledger": ledger_table(x, ndc, trades, projects["credits"]),
    }
    for name in ("projects", "credits", "cobenefits", "ledger"):
        out[name] = _clean(out[name])
    return out


def price_table(x: Extract) -> pd.DataFrame:
    """market, period, kind, price_usd_per_t (ETS: −dual of the balance; tax: dual of the base)."""
    idx = x.model.index
    ets = -x.per_year(x.duals("market_balance"))
    taxed = x.per_year(x.duals("tax_base"))
    rows = [(mk, t, "ets", ets[mk, t]) for mk, t in idx.market_periods(idx.ets_markets)]
    rows += [
        (mk, t, "tax", taxed[idx.region_of_market[mk], t])
        for mk, t in idx.market_periods(idx.tax_markets)
    ]
    frame = pd.DataFrame(rows, columns=["market", "period", "kind", "price_usd_per_t"])
    frame["region"] = frame["market"].map(idx.region_of_market)
    return _clean(frame[["market", "region", "kind", "period", "price_usd_per_t"]])


def abatement_table(x: Extract) -> pd.DataFrame:
    """Per emitter and period: baseline, abatement, emissions, cost and marginal step cost."""
    idx = x.model.index
    keys = ["emitter", "period"]
    out = idx.emitter_pools[keys].copy()
    base = x.model.inputs.dataset.baseline.set_index(keys)["emissions_mt"]
    out["baseline_mt"] = base.reindex(pd.MultiIndex.from_frame(out)).to_numpy()
    row = idx.steps["emitter_period"].to_numpy()
    abated = x.step_abatement()
    cost = idx.steps["cost_usd_per_t"].to_numpy()
    out["abatement_mt"] = np.bincount(row, abated, minlength=len(out))
    out["abatement_cost_musd"] = np.bincount(row, abated * cost, minlength=len(out))
    marginal = np.full(len(out), -np.inf)
    used = abated > 1e-9
    np.maximum.at(marginal, row[used], cost[used])
    out["marginal_cost_usd_per_t"] = np.where(np.isfinite(marginal), marginal, np.nan)
    out = out.merge(x.model.dataset.emitters, on="emitter")
    out["project_reduction_mt"] = (
        _project_reductions(x)
        .reindex(pd.MultiIndex.from_frame(out[keys]), fill_value=0.0)
        .to_numpy()
    )
    out["emissions_mt"] = out["baseline_mt"] - out["abatement_mt"] - out["project_reduction_mt"]
    columns = [
        "emitter",
        "region",
        "sector",
        "market",
        "period",
        "baseline_mt",
        "abatement_mt",
        "project_reduction_mt",
        "emissions_mt",
        "abatement_cost_musd",
        "marginal_cost_usd_per_t",
    ]
    return _clean(out[columns])


def _project_reductions(x: Extract) -> pd.Series:
    """What joint projects avoid at each emitter and period (Mt/yr)."""
    generated = x.values("generated_mt")
    if generated.empty:
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=["e", "t"]))
    return generated.groupby(level=[1, 2]).sum()


def emissions_table(x: Extract, abatement: pd.DataFrame) -> pd.DataFrame:
    """Per region, scope (an ETS market, 'non-ETS' or 'total') and period."""
    frame = abatement.assign(scope=abatement["market"].fillna("non-ETS"))
    sums = ["baseline_mt", "abatement_mt", "project_reduction_mt", "emissions_mt"]
    by_scope = frame.groupby(["region", "scope", "period"], as_index=False)[sums].sum()
    total = frame.groupby(["region", "period"], as_index=False)[sums].sum().assign(scope="total")
    out = pd.concat([by_scope, total], ignore_index=True)
    return _clean(
        out.sort_values(["region", "period", "scope"])[["region", "scope", "period", *sums]]
    )


def balance_table(x: Extract, prices: pd.DataFrame, abatement: pd.DataFrame) -> pd.DataFrame:
    """Every term of each ETS market's allowance balance, Mt/yr (the bank as a stock, Mt)."""
    idx = x.model.index
    keys = pd.MultiIndex.from_tuples(
        idx.market_periods(idx.ets_markets), names=["market", "period"]
    )
    covered = abatement.groupby(["market", "period"])["emissions_mt"].sum()
    frame = pd.DataFrame(
        {
            "cap_mt": x.params("cap_mt"),
            "covered_emissions_mt": covered,
            "imports_mt": x.values("imports_mt"),
            "exports_mt": x.values("exports_mt"),
            "offsets_mt": x.values("offsets_mt"),
            "ceiling_sales_mt": x.values("ceiling_sales_mt"),
            "floor_withdrawal_mt": x.values("floor_withdrawal_mt"),
            "bank_end_mt": x.values("bank_mt"),
        }
    ).reindex(keys)
    price = prices.set_index(["market", "period"])["price_usd_per_t"]
    frame["price_usd_per_t"] = price.reindex(keys)
    return _clean(frame.fillna({"covered_emissions_mt": 0.0}).reset_index())


def trade_table(x: Extract, prices: pd.DataFrame) -> pd.DataFrame:
    """Per link and period: volume, limits, prices at both ends and the payment."""
    idx = x.model.index
    frame = pd.DataFrame(idx.links, columns=["from_market", "to_market", "period"])
    frame["from_region"] = frame["from_market"].map(idx.region_of_market)
    frame["to_region"] = frame["to_market"].map(idx.region_of_market)
    frame["volume_mt"] = x.values("trade_mt").to_numpy()
    frame["max_volume_mt"] = x.params("link_max_volume_mt").to_numpy()
    frame["transaction_cost_usd_per_t"] = x.params("transaction_cost_usd_per_t").to_numpy()
    price = prices.set_index(["market", "period"])["price_usd_per_t"]
    for end in ("from", "to"):
        at = pd.MultiIndex.from_arrays([frame[f"{end}_market"], frame["period"]])
        frame[f"{end}_price_usd_per_t"] = price.reindex(at).to_numpy()
    frame["payment_musd"] = frame["volume_mt"] * (
        frame["from_price_usd_per_t"] + frame["transaction_cost_usd_per_t"]
    )
    return _clean(frame)


def bank_table(x: Extract) -> pd.DataFrame:
    """market, period, bank_end_mt (stock at the period's end; negative = borrowed)."""
    bank = x.values("bank_mt").rename("bank_end_mt")
    bank.index.names = ["market", "period"]
    return _clean(bank.reset_index())


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
    return _clean(frame.reset_index())


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


def ndc_table(x: Extract, abatement: pd.DataFrame) -> pd.DataFrame:
    """Per region and period: inventory, corresponding adjustment, accounted, target, price."""
    accounted = x.values("ndc_accounted_mt")
    inventory = abatement.groupby(["region", "period"])["emissions_mt"].sum()
    frame = pd.DataFrame(index=accounted.index)
    frame["inventory_mt"] = inventory.reindex(accounted.index, fill_value=0.0)
    frame["adjustment_mt"] = accounted - frame["inventory_mt"]
    frame["accounted_mt"] = accounted
    target = x.params("ndc_target_mt")
    frame["target_mt"] = target.where(np.isfinite(target))
    frame["shadow_price_usd_per_t"] = x.per_year(x.duals("ndc_accounting"))
    frame.index.names = ["region", "period"]
    return _clean(frame.reset_index())


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Round away solver noise (|x| < 1e-9 → 0); an infinite bound is written as empty."""
    floats = frame.select_dtypes("float").columns
    values = frame[floats]
    frame[floats] = values.mask(values.abs() < 1e-9, 0.0).replace([np.inf, -np.inf], np.nan)
    return frame.reset_index(drop=True)
