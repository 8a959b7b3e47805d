"""Prices of a priced solution: ETS prices and tax rates, undiscounted US$/t.

Prices are the duals of the balances divided by the period's objective weight (years ×
discount factor), so they are undiscounted US$/t of the currency year.
"""

from __future__ import annotations

import pandas as pd

from abatelink.results.extract import Extract, clean


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
    return clean(frame[["market", "region", "kind", "period", "price_usd_per_t"]])
