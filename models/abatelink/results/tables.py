"""Every result table of a priced solution, in annual units (Mt/yr, US$/t, US$ million/yr).

`tables` is the one function from a priced solution (`solve.priced.solve`) to every table;
prices are in `prices`, money in `costs`, the joint projects in `projects`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abatelink.results.costs import cost_table, offset_table, settlement
from abatelink.results.extract import Extract, clean
from abatelink.results.prices import price_table
from abatelink.results.projects import ledger_table, project_tables
from abatelink.solve.priced import Priced

TABLE_NAMES = (
    "prices",
    "abatement",
    "emissions",
    "balances",
    "trades",
    "offsets",
    "bank",
    "costs",
    "ndc",
    "projects",
    "credits",
    "cobenefits",
    "ledger",
)


def tables(priced: Priced) -> dict[str, pd.DataFrame]:
    """Every result table of a priced solution."""
    if not priced.with_prices:
        raise ValueError("tables need prices: solve with prices=True")
    x = Extract(priced)
    prices = price_table(x)
    abatement = abatement_table(x)
    trades = trade_table(x, prices)
    offsets = offset_table(x, prices)
    projects = project_tables(x)
    ndc = ndc_table(x, abatement)
    out = {
        "prices": prices,
        "abatement": abatement,
        "emissions": emissions_table(x, abatement),
        "balances": balance_table(x, prices, abatement),
        "trades": trades,
        "offsets": offsets,
        "bank": bank_table(x),
        "costs": cost_table(x, prices),
        "ndc": ndc,
        **projects,
        "ledger": ledger_table(x, ndc, trades, projects["credits"], offsets=offsets),
    }
    for name in ("projects", "credits", "cobenefits", "ledger"):
        out[name] = clean(out[name])
    return out


def abatement_table(x: Extract) -> pd.DataFrame:
    """Per emitter and period: baseline, abatement, emissions, cost and marginal step cost."""
    idx = x.model.index
    keys = ["emitter", "period"]
    out = idx.emitter_pools[keys].copy()
    base = x.inputs.dataset.baseline.set_index(keys)["emissions_mt"]
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
    return clean(out[columns])


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
    return clean(
        out.sort_values(["region", "period", "scope"])[["region", "scope", "period", *sums]]
    )


def balance_table(x: Extract, prices: pd.DataFrame, abatement: pd.DataFrame) -> pd.DataFrame:
    """Every term of each ETS market's allowance balance, Mt/yr of its allowances (imports at
    the links' exchange rates; the bank as a stock, Mt)."""
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
            "international_offsets_mt": x.values("international_offsets_mt"),
            "ceiling_sales_mt": x.values("ceiling_sales_mt"),
            "floor_withdrawal_mt": x.values("floor_withdrawal_mt"),
            "bank_end_mt": x.values("bank_mt"),
        }
    ).reindex(keys)
    price = prices.set_index(["market", "period"])["price_usd_per_t"]
    frame["price_usd_per_t"] = price.reindex(keys)
    filled = {"covered_emissions_mt": 0.0, "international_offsets_mt": 0.0}
    return clean(frame.fillna(filled).reset_index())


def trade_table(x: Extract, prices: pd.DataFrame) -> pd.DataFrame:
    """Per link and period: volume and capacity, both ends' prices, the settlement price and
    the payment (`costs.settlement`)."""
    frame = settlement(x, prices)
    capacity = x.params("link_max_volume_mt").to_numpy() if len(frame) else []
    frame.insert(frame.columns.get_loc("volume_mt") + 1, "max_volume_mt", capacity)
    return clean(frame)


def bank_table(x: Extract) -> pd.DataFrame:
    """market, period, bank_end_mt (stock at the period's end; negative = borrowed)."""
    bank = x.values("bank_mt").rename("bank_end_mt")
    if bank.empty:  # no ETS market
        return pd.DataFrame(columns=["market", "period", "bank_end_mt"])
    bank.index.names = ["market", "period"]
    return clean(bank.reset_index())


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
    return clean(frame.reset_index())
