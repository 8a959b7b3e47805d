"""Prices of a priced solution: ETS prices and tax rates, undiscounted US$/t.

Prices are the duals of the balances divided by the period's objective weight (years ×
discount factor), so they are undiscounted US$/t of the currency year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abatelink.results.extract import Extract, clean


def price_table(x: Extract) -> pd.DataFrame:
    """market, region, kind, period, price_usd_per_t (ETS: −dual of the balance; tax: dual of
    the base) and emitters_price_usd_per_t, what its emitters face: max(p, F) under a top-up
    floor F, the market price otherwise."""
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
    floor = x.params("top_up_floor_usd_per_t")
    keys = pd.MultiIndex.from_arrays([frame["market"], frame["period"]])
    floor = floor.reindex(keys, fill_value=0.0).to_numpy() if len(floor) else 0.0
    frame["emitters_price_usd_per_t"] = np.maximum(frame["price_usd_per_t"], floor)
    columns = ["market", "region", "kind", "period", "price_usd_per_t", "emitters_price_usd_per_t"]
    return clean(frame[columns])
