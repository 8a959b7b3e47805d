"""Gobi supergrid: wind-solar sites in Mongolia [gobi-sites] [nrel-mongolia-wind] [irena2020]
and HVDC corridors [gobi-corridors] [gobi-distances] [uhvdc-costs] [subsea-hvdc-costs]."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .dataset import HOURS_PER_YEAR, capital_recovery_factor
from .tables import write_csv

SUPERGRID_PROJECT = "gobi"
SUPERGRID_FIRST_PERIOD = 2025  # ADB TA 54021's first stage [adb-ta-54021]
SITE_LIFETIME_YEARS, LINE_LIFETIME_YEARS = 25, 40  # [assumption-gobi-sites] [assumption-corridors]

# --- sites ----------------------------------------------------------------------------------------
SITE_WIND_SHARE = 0.8  # of site capacity; the rest solar PV [assumption-gobi-sites]
SOLAR_CF_GOBI = 0.20  # [assumption-gobi-sites]
# global weighted-average installed cost 2020, US$/kW [irena2020]
WIND_CAPEX, SOLAR_CAPEX = 1355.0, 883.0
WIND_OM, SOLAR_OM = 35.0, 12.0  # US$/kW/yr [irena2020]


@dataclass(frozen=True)
class GobiSite:
    """A renewable site in Mongolia [nrel-mongolia-wind] [assumption-gobi-sites]."""

    site: str
    potential_gw: float
    wind_capacity_factor: float


GOBI_SITES: tuple[GobiSite, ...] = (
    GobiSite("south-gobi", 300.0, 0.33),  # NREL: >300 GW; among the best wind of Mongolia
    GobiSite("east-gobi", 100.0, 0.30),  # our share of NREL's 1,013 GW good-excellent
)

# --- corridors ------------------------------------------------------------------------------------
ROUTE_FACTOR = 1.2  # real routes 10-30% longer than the great circle [gobi-distances]
LAND_CAPEX_MUSD_PER_GW_KM = 0.30  # +-800 kV Ningxia-Hunan [uhvdc-costs]
# North Sea Link: EUR 2.0 bn, 1.4 GW, 720 km; 1.142 USD/EUR (2020) [subsea-hvdc-costs]
SUBSEA_CAPEX_MUSD_PER_GW_KM = 2000 * 1.142 / (1.4 * 720)
LOSS_PER_KM = 0.07 / 2000  # <7% over 2,000 km at +-800 kV [uhvdc-losses]
LINE_UTILIZATION = 0.5  # share of the year a line carries full power [assumption-corridors]
GOBITEC_GW = 100.0  # scale of the Gobitec proposal [gobitec2014]


@dataclass(frozen=True)
class Corridor:
    """An HVDC corridor, one direction of flow [assumption-corridors]."""

    corridor: str
    from_region: str
    to_region: str
    land_km: float  # route length on land
    subsea_km: float
    module_gw: float
    max_modules: int


# great-circle km [gobi-distances] times the route factor; subsea [cn-kr-subsea] [kr-jp-subsea]
CORRIDORS: tuple[Corridor, ...] = (
    Corridor("mn-cn", "MN", "CN", 990 * ROUTE_FACTOR, 0.0, 4.0, 20),  # South Gobi -> Beijing
    Corridor("mn-cn-east", "MN", "CN", 760 * ROUTE_FACTOR, 0.0, 4.0, 5),  # East Gobi -> Beijing
    # Tianjin -> Weihai 465 km, Weihai -> Incheon 370 km subsea, Incheon -> Seoul 40 km
    Corridor("cn-kr", "CN", "KR", (465 + 40) * ROUTE_FACTOR, 370.0, 2.0, 10),
    # Seoul -> Busan 325 km, Busan -> Kyushu via Tsushima 200 km subsea, 50 km on Kyushu
    Corridor("kr-jp", "KR", "JP", (325 + 50) * ROUTE_FACTOR, 200.0, 2.0, 5),
)
# Which site feeds which corridor out of Mongolia (for the printed path costs only)
SITE_OF_CORRIDOR: dict[str, str] = {"mn-cn": "south-gobi", "mn-cn-east": "east-gobi"}

SITE_COLUMNS = [
    "site",
    "project",
    "region",
    "potential_gw",
    "capacity_factor",
    "capex_usd_per_kw",
    "fixed_om_usd_per_kw_yr",
    "lifetime_years",
    "first_period",
    "source",
]
CORRIDOR_COLUMNS = [
    "corridor",
    "project",
    "from_region",
    "to_region",
    "length_km",
    "capex_musd_per_gw_km",
    "loss_share",
    "module_gw",
    "max_modules",
    "max_utilization",
    "lifetime_years",
    "first_period",
    "source",
]


def site_capacity_factor(s: GobiSite) -> float:
    """Wind-solar mix: w * CF_wind + (1 - w) * CF_solar."""
    return SITE_WIND_SHARE * s.wind_capacity_factor + (1 - SITE_WIND_SHARE) * SOLAR_CF_GOBI


def site_capex() -> float:
    """US$/kW of the wind-solar mix."""
    return SITE_WIND_SHARE * WIND_CAPEX + (1 - SITE_WIND_SHARE) * SOLAR_CAPEX


def site_fixed_om() -> float:
    """US$/kW/yr of the wind-solar mix."""
    return SITE_WIND_SHARE * WIND_OM + (1 - SITE_WIND_SHARE) * SOLAR_OM


def corridor_length(c: Corridor) -> float:
    """Route km, land and subsea."""
    return c.land_km + c.subsea_km


def corridor_capex(c: Corridor) -> float:
    """US$ M per GW*km, the length-weighted mean of land and subsea costs."""
    land = c.land_km * LAND_CAPEX_MUSD_PER_GW_KM
    return (land + c.subsea_km * SUBSEA_CAPEX_MUSD_PER_GW_KM) / corridor_length(c)


def corridor_loss(c: Corridor) -> float:
    """Energy lost over the corridor: 7% per 2,000 km, scaled by length."""
    return LOSS_PER_KM * corridor_length(c)


def path_cost_per_mwh(corridors: Sequence[Corridor]) -> float:
    """US$/MWh delivered at the end of `corridors`, starting from the first one's site:
    site cost per MWh generated, then per leg (cost + line cost per MWh carried) / (1 - loss)."""
    site = next(s for s in GOBI_SITES if s.site == SITE_OF_CORRIDOR[corridors[0].corridor])
    site_annual = site_capex() * capital_recovery_factor(SITE_LIFETIME_YEARS) + site_fixed_om()
    cost = site_annual / (HOURS_PER_YEAR * site_capacity_factor(site) / 1e3)
    line_crf = capital_recovery_factor(LINE_LIFETIME_YEARS)
    for c in corridors:
        per_gw = corridor_capex(c) * corridor_length(c) * line_crf  # US$ M/yr per GW
        carried_twh = HOURS_PER_YEAR * LINE_UTILIZATION / 1e3  # TWh/yr per GW
        cost = (cost + per_gw / carried_twh) / (1 - corridor_loss(c))
    return cost


def site_row(s: GobiSite) -> list[object]:
    """One row of sites.csv."""
    return [
        s.site,
        SUPERGRID_PROJECT,
        "MN",
        f"{s.potential_gw:g}",
        f"{site_capacity_factor(s):.3f}",
        f"{site_capex():.0f}",
        f"{site_fixed_om():.1f}",
        SITE_LIFETIME_YEARS,
        SUPERGRID_FIRST_PERIOD,
        "gobi-sites",
    ]


def corridor_row(c: Corridor) -> list[object]:
    """One row of corridors.csv."""
    return [
        c.corridor,
        SUPERGRID_PROJECT,
        c.from_region,
        c.to_region,
        f"{corridor_length(c):.0f}",
        f"{corridor_capex(c):.4f}",
        f"{corridor_loss(c):.4f}",
        f"{c.module_gw:g}",
        c.max_modules,
        LINE_UTILIZATION,
        LINE_LIFETIME_YEARS,
        SUPERGRID_FIRST_PERIOD,
        "gobi-corridors",
    ]


def write_sites_and_corridors() -> None:
    """sites.csv and corridors.csv."""
    write_csv("sites.csv", SITE_COLUMNS, (site_row(s) for s in GOBI_SITES))
    write_csv("corridors.csv", CORRIDOR_COLUMNS, (corridor_row(c) for c in CORRIDORS))
