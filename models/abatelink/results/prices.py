"""Prices of a priced solution: ETS prices and tax rates, undiscounted US$/t.

Prices are the duals of the balances divided by the period's objective weight (years ×
discount factor), so they are undiscounted US$/t of the currency year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abatelink.results.extract import Extract, clean_values, take

PRICE_COLUMNS = [
    "market",
    "region",
    "kind",
    "period",
    "price_usd_per_t",
    "emitters_price_usd_per_t",
]


@dataclass(frozen=True)
class PriceRows:
    """The rows of the price table — every ETS market-period, then every tax market-period —
    and where each finds its price: ETS rows at `ets_position` of `market_balance`, tax rows at
    `tax_position` of `tax_base` (its region's). `position`: the row of a (market, period)."""

    keys: pd.DataFrame
    position: dict[tuple[str, int], int]
    ets_position: np.ndarray
    tax_position: np.ndarray


def price_rows(x: Extract) -> PriceRows:
    """The price table's rows and where their prices sit (made once per model)."""
    return x.memo("price_rows", lambda: _price_rows(x))


def _price_rows(x: Extract) -> PriceRows:
    idx = x.model.index
    ets, tax = idx.market_periods(idx.ets_markets), idx.market_periods(idx.tax_markets)
    balance = x.positions("market_balance", ets)
    base = x.positions("tax_base", [(idx.region_of_market[mk], t) for mk, t in tax])
    keys = pd.DataFrame(ets + tax, columns=["market", "period"])
    keys.insert(1, "region", keys["market"].map(idx.region_of_market))
    keys.insert(2, "kind", ["ets"] * len(ets) + ["tax"] * len(tax))
    return PriceRows(keys, {key: i for i, key in enumerate(ets + tax)}, balance, base)


def price_vector(x: Extract) -> np.ndarray:
    """The price of each row of `price_rows` (US$/t): −dual of an ETS market's balance, the dual
    of a tax market's base (its region's)."""
    rows = price_rows(x)
    ets = -take(x.dual_array("market_balance"), rows.ets_position, np.nan)
    taxed = take(x.dual_array("tax_base"), rows.tax_position, np.nan)
    return np.concatenate([ets, taxed])


def price_table(x: Extract) -> pd.DataFrame:
    """market, region, kind, period, price_usd_per_t (ETS: −dual of the balance; tax: dual of
    the base) and emitters_price_usd_per_t, what its emitters face: max(p, F) under a top-up
    floor F, the market price otherwise."""
    rows = price_rows(x)
    price = price_vector(x)
    floor = np.zeros(len(price))
    top_up = x.param_array("top_up_floor_usd_per_t")  # ETS market-periods: the first rows
    floor[: len(top_up)] = top_up
    frame = rows.keys.copy()
    frame["price_usd_per_t"] = clean_values(price)
    frame["emitters_price_usd_per_t"] = clean_values(np.maximum(price, floor))
    return frame[PRICE_COLUMNS]
