"""International offsets on offer: CDM credits of Korean companies abroad for the K-ETS
[kets-international-offsets], and Japan's Joint Crediting Mechanism, from Mongolia and other
partners [jcm-supply] [japan-tax]."""

from __future__ import annotations

from .dataset import PERIODS
from .links import JPY_PER_USD_2020
from .tables import usd, write_csv

# --- K-ETS: CDM credits of projects by Korean companies abroad [kets-international-offsets] --
CER_PRICE_EUR = 0.59  # CERs on the UN market, Oct 2015 (KCUs then traded at ~US$12)
USD_PER_EUR_2020 = 1.142  # 2020 average [subsea-hvdc-costs]
KOC_CDM_SUPPLY_MT = 50.0  # more than 5% of any K-ETS cap (<= 18 Mt/yr): the limit binds

# --- JCM [jcm-supply] ------------------------------------------------------------------------
JCM_MONGOLIA_MT = 13_465 / 1e6  # 4 registered energy projects, t CO2/yr
JCM_TARGET_MT, JCM_YEARS = 100.0, 10  # ~100 Mt cumulative over FY2021-2030 (Japan)
JCM_PROJECT_COST_JPY = 1e12  # up to ~JPY 1 trillion of public and private project cost
# A period stands for 5 years: 2020-24 holds 4 JCM years (2021-24), later periods 5.
JCM_YEARS_IN_PERIOD: dict[int, int] = {2020: 4, 2025: 5, 2030: 5}

OFFSET_COLUMNS = [
    "program",
    "seller_region",
    "buyer_market",
    "period",
    "quantity_mt",
    "price_usd_per_t",
    "source",
]


def jcm_price_usd() -> float:
    """JCM credit at the programme's project cost per tonne: JPY 1e12 / 100 Mt, in 2020 US$."""
    return JCM_PROJECT_COST_JPY / (JCM_TARGET_MT * 1e6) / JPY_PER_USD_2020


def jcm_other_partners_mt(period: int) -> float:
    """Mt/yr from JCM partners outside the model: 10 Mt/yr from 2021, averaged over the period."""
    return JCM_TARGET_MT / JCM_YEARS * JCM_YEARS_IN_PERIOD[period] / 5


def offer_rows() -> list[list[object]]:
    """offset_supply.csv: KOC-CDM into the K-ETS; JCM from MN and from other partners into
    JP-TAX (Japan's credits count toward its NDC and, as the report proposes for linked
    allowances, against the carbon tax [assumption-jp-tax-offsets])."""
    rows: list[list[object]] = []
    for t in PERIODS:
        rows.append(
            [
                "KOC-CDM",
                "ROW",
                "KR-ETS",
                t,
                f"{KOC_CDM_SUPPLY_MT:.3f}",
                usd(CER_PRICE_EUR * USD_PER_EUR_2020),
                "kets-international-offsets",
            ]
        )
        price = usd(jcm_price_usd())
        rows.append(["JCM", "MN", "JP-TAX", t, f"{JCM_MONGOLIA_MT:.4f}", price, "jcm-supply"])
        rows.append(
            ["JCM", "ROW", "JP-TAX", t, f"{jcm_other_partners_mt(t):.3f}", price, "jcm-supply"]
        )
    return rows


def write_offset_supply() -> None:
    """offset_supply.csv."""
    write_csv("offset_supply.csv", OFFSET_COLUMNS, offer_rows())
