"""Links, limits, banking, taxes: transaction costs [assumption-links], offset and import limits
[aspi2018] [assumption-jp-tax-offsets], borrowing [banking-rules], Japan's tax [japan-tax]."""

from __future__ import annotations

from .baselines import MARKETS
from .dataset import PERIODS
from .tables import usd, write_csv

LINK_COST_DOMESTIC, LINK_COST_CROSS_BORDER = 0.1, 0.5  # US$/t [assumption-links]
KR_MAX_OFFSET_SHARE = 0.10  # [aspi2018]
# K-ETS international offsets: 5% of allowances from 2021 [aspi2018]; a period stands for
# its 5 years, so the 2020 period (2020-24) allows them in 4 of 5 [kets-international-offsets]
KR_MAX_INTERNATIONAL_OFFSET_SHARE: dict[int, float] = {2020: 0.05 * 4 / 5, 2025: 0.05, 2030: 0.05}
JP_TAX_MAX_IMPORT_SHARE = 0.10  # [assumption-jp-tax-offsets]
KR_MAX_BORROW_SHARE = 0.20  # [banking-rules]
JP_TAX_JPY, JPY_PER_USD_2020 = 289.0, 106.77  # [japan-tax]

OFFSET_SHARE: dict[str, float] = {"KR-ETS": KR_MAX_OFFSET_SHARE}  # markets buying offsets
BORROW_SHARE: dict[str, float] = {"KR-ETS": KR_MAX_BORROW_SHARE}  # markets that may borrow

# --- columns of the optional tables (docs/data-format.md) --------------------------------------
LINK_COLUMNS = [
    "from_market",
    "to_market",
    "period",
    "max_volume_mt",
    "transaction_cost_usd_per_t",
    "source",
]
LIMIT_COLUMNS = [
    "market",
    "period",
    "max_import_share",
    "max_export_share",
    "max_offset_share",
    "max_international_offset_share",
    "source",
]
BANKING_COLUMNS = ["market", "banking_allowed", "max_borrow_share", "initial_bank_mt", "source"]


def tax_rate(region: str) -> float:
    """Carbon tax on a region's emissions outside any ETS, US$/t (taxes.csv)."""
    return round(JP_TAX_JPY / JPY_PER_USD_2020, 2) if region == "JP" else 0.0


def all_ets_markets() -> list[str]:
    """Every ETS market, in the order of MARKETS."""
    return [m for m, (_, kind, _) in MARKETS.items() if kind == "ets"]


def link_rows() -> list[list[object]]:
    """Every ordered pair of ETS markets, plus every ETS market -> JP-TAX, in every period."""
    ets = all_ets_markets()
    pairs = [(a, b) for a in ets for b in ets if a != b] + [(a, "JP-TAX") for a in ets]
    rows = []
    for t in PERIODS:
        for a, b in pairs:
            same = MARKETS[a][0] == MARKETS[b][0]
            cost = LINK_COST_DOMESTIC if same else LINK_COST_CROSS_BORDER
            rows.append([a, b, t, "", usd(cost), "assumption-links"])
    return rows


def write_links_and_limits() -> None:
    """links.csv and limits.csv (offsets in KR-ETS, linked allowances into JP-TAX)."""
    write_csv("links.csv", LINK_COLUMNS, link_rows())
    limits = [
        ["KR-ETS", t, "", "", KR_MAX_OFFSET_SHARE, KR_MAX_INTERNATIONAL_OFFSET_SHARE[t], "aspi2018"]
        for t in PERIODS
    ]
    jp_source = "assumption-jp-tax-offsets"
    limits += [["JP-TAX", t, JP_TAX_MAX_IMPORT_SHARE, "", "", "", jp_source] for t in PERIODS]
    write_csv("limits.csv", LIMIT_COLUMNS, limits)


def write_banking_and_taxes() -> None:
    """banking.csv (all ETS markets) and taxes.csv (Japan only)."""
    banking = [
        [m, "true", KR_MAX_BORROW_SHARE if m == "KR-ETS" else 0, 0, "banking-rules"]
        for m in all_ets_markets()
    ]
    write_csv("banking.csv", BANKING_COLUMNS, banking)
    rate = usd(tax_rate("JP"))
    taxes = [["JP", t, rate, "japan-tax"] for t in PERIODS]
    write_csv("taxes.csv", ["region", "period", "rate_usd_per_t", "source"], taxes)
