"""Write the nea2018 default data set of abatelink from the numbers stated below.

Run from the repository root:  python data/nea2018/generate.py
Every constant names, in brackets, the entry of sources.yaml it comes from. The script rewrites
dataset.yaml and every CSV of this folder, checks them, and prints the hand-computed autarky
prices with banking (Hotelling paths, per market and period; the model's autarky run gives the
same), the NDC shadow prices and the NDC feasibility check quoted in README.md; for the joint
projects, each CCS unit's levelised cost per tonne avoided and the cost of Gobi power delivered.
Units: Mt/yr (CN: fossil CO2; JP, KR: GHG in CO2e, NDC inventory basis), US$(2020)/t.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PERIODS: tuple[int, ...] = (2020, 2025, 2030)
REGIONS: dict[str, str] = {"CN": "China", "JP": "Japan", "KR": "Korea"}

# --- national baselines (BAU), Mt/yr ---------------------------------------------------------
# observed totals [cn-2020-backcast] [edgar2024] [moe-japan] [gir-korea]
OBSERVED_2020: dict[str, float] = {"CN": 12_000.0, "JP": 1_150.0, "KR": 656.22}
OBSERVED_2023: dict[str, float] = {"CN": 13_260.0, "JP": 1_071.0, "KR": 624.2}
# BAU growth per year after 2023 [assumption-bau-growth]
BAU_GROWTH: dict[str, float] = {"CN": 0.005, "JP": -0.010, "KR": 0.010}

# --- markets: code -> (region, kind, description) [aspi2018] ---------------------------------
MARKETS: dict[str, tuple[str, str, str]] = {
    "CN-ETS": ("CN", "ets", "China national ETS (power sector)"),
    "CN-PILOT": ("CN", "ets", "China's 8 pilot ETSs (non-power industry in the pilot provinces)"),
    "KR-ETS": ("KR", "ets", "Korea ETS (K-ETS)"),
    "JP-TSE": ("JP", "ets", "Tokyo and Saitama ETSs (large buildings and factories)"),
    "JP-TAX": ("JP", "tax", "Japan's carbon tax; linked allowances may offset taxed emissions"),
}

# --- emitters: (emitter, region, sector, market or "", share of the national baseline) ----------
EMITTERS: tuple[tuple[str, str, str, str, float], ...] = (
    ("CN-power", "CN", "power", "CN-ETS", 0.35),  # [baseline-cn]
    ("CN-pilot-industry", "CN", "industry", "CN-PILOT", 0.05),
    ("CN-other-industry", "CN", "industry", "", 0.40),
    ("CN-other", "CN", "other", "", 0.20),
    ("JP-tse-buildings", "JP", "buildings", "JP-TSE", 0.02),  # [baseline-jp]
    ("JP-power", "JP", "power", "", 0.37),
    ("JP-industry", "JP", "industry", "", 0.28),
    ("JP-other", "JP", "other", "", 0.33),
    ("KR-power", "KR", "power", "KR-ETS", 0.37),  # [baseline-kr]
    ("KR-steel", "KR", "steel", "KR-ETS", 0.14),
    ("KR-petrochem", "KR", "petrochem", "KR-ETS", 0.07),
    ("KR-cement", "KR", "cement", "KR-ETS", 0.05),
    ("KR-other-covered", "KR", "other", "KR-ETS", 0.105),
    ("KR-uncovered", "KR", "other", "", 0.265),
)

# --- MAC: MIMOSA MAC(a) = kappa * gamma * a**beta, a = share of baseline abated [mimosa-mac] ---
MAC_GAMMA = 2601.0
MAC_BETA = 3
MAC_KAPPA: dict[str, float] = {"CN": 0.858, "JP": 1.014, "KR": 1.253}
# sector multipliers on the MIMOSA curve [assumption-mac-sector]
SECTOR_MULTIPLIER: dict[str, float] = {
    "power": 0.8,
    "steel": 1.3,
    "cement": 1.3,
    "petrochem": 1.1,
    "buildings": 1.2,
    "industry": 1.2,  # mixed heavy industry
    "other": 1.0,
}
STEP_SHARE = 0.05  # each step abates 5% of the baseline [assumption-mac-sector]
N_STEPS = 10  # so at most 50% of a baseline can be abated

# --- caps ---------------------------------------------------------------------------------------
# 2020 prices the caps are calibrated to [aspi2018]; CN-ETS: pilots' midpoint [cap-calibration-2020]
TARGET_PRICE_2020: dict[str, float] = {
    "CN-ETS": (0.42 + 7.56) / 2,
    "CN-PILOT": 0.60,
    "KR-ETS": 16.2,
    "JP-TSE": 5.35,
}
# K-ETS annual caps, Mt/yr [icap-kets-2021] [kets-phase4]
KETS_CAP: dict[int, float] = {2020: 545.1, 2025: 567.1, 2030: 2540.0 / 5}
# K-ETS coverage of national emissions [aspi2018] [icap-kets-2021] [cap-trajectory-kr]
KETS_COVERAGE: dict[int, float] = {2020: 0.68, 2025: 0.735, 2030: 0.735}
# China's CO2 per GDP relative to 2020 [china-14fyp] [china-intensity]
CN_INTENSITY_VS_2020: dict[int, float] = {2020: 1.0, 2025: 1 - 0.18, 2030: (1 - 0.65) / (1 - 0.484)}
# China's real GDP growth per year over the 5 years to the period [china-gdp]
CN_GDP_GROWTH: dict[int, float] = {2025: 0.053, 2030: 0.040}

# --- NDC 2030 (gross emissions basis: net target + planned LULUCF removals) ----------------------
JP_FY2013, JP_NDC_CUT, JP_SINKS_2030 = 1408.0, 0.46, 47.7  # [japan-ndc] [japan-sinks]
KR_2018, KR_NDC_CUT, KR_SINKS_2030 = 727.6, 0.40, 26.7  # [korea-ndc]

# --- links, limits, banking, taxes --------------------------------------------------------------
LINK_COST_DOMESTIC, LINK_COST_CROSS_BORDER = 0.1, 0.5  # US$/t [assumption-links]
KR_MAX_OFFSET_SHARE = 0.10  # [aspi2018]
JP_TAX_MAX_IMPORT_SHARE = 0.10  # [assumption-jp-tax-offsets]
KR_MAX_BORROW_SHARE = 0.20  # [banking-rules]
JP_TAX_JPY, JPY_PER_USD_2020 = 289.0, 106.77  # [japan-tax]

# --- calibration with banking: prices rise at the discount rate (Hotelling) [cap-calibration-2020]
DISCOUNT_RATE = 0.05  # per year, real; written to dataset.yaml
PERIOD_YEARS = 5  # years each period stands for; written to dataset.yaml
NDC_YEAR = 2030  # the year of the ndc.csv targets
OFFSET_SHARE: dict[str, float] = {"KR-ETS": KR_MAX_OFFSET_SHARE}  # markets buying offsets
BORROW_SHARE: dict[str, float] = {"KR-ETS": KR_MAX_BORROW_SHARE}  # markets that may borrow
# caps set by the NDC rule (ndc_consistent_cap) instead of the trajectory [cap-ndc-kr]
NDC_CAPS: tuple[tuple[str, int], ...] = (("KR-ETS", 2030),)
SEARCH_WIDTH = 2.0  # look for the calibration step between target / 2 and target * 2
SEARCH_POINTS = 1000  # grid points of that search
BISECTIONS = 60  # to locate a step on the grid
EDGE = 1e-9  # relative distance from a step at which the demand on either side is read
TOLERANCE = 1e-9  # Mt
MIN_DROP = 1.0  # Mt: the calibration step must be this large, so rounding caps cannot move it
MAX_ROUNDS = 50  # of the calibration of one market (offset limits move with the cap)

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
    "source",
]
BANKING_COLUMNS = ["market", "banking_allowed", "max_borrow_share", "initial_bank_mt", "source"]
CCS_UNIT_COLUMNS = [
    "unit",
    "project",
    "emitter",
    "capacity_mw",
    "co2_mt",
    "capture_rate",
    "energy_penalty",
    "capex_usd_per_kw",
    "fixed_om_usd_per_kw_yr",
    "cost_usd_per_t_captured",
    "pm_t",
    "pm_removed_share",
    "lifetime_years",
    "first_period",
    "source",
]
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
GRID_COLUMNS = [
    "region",
    "period",
    "emitter",
    "emission_factor_t_per_mwh",
    "max_absorb_twh",
    "avoided_generation_usd_per_mwh",
    "source",
]

# --- joint projects (docs/data-format.md, "Joint projects") ------------------------------------
# Regions that host a project but have no emitters [gobitec2014]
HOST_REGIONS: dict[str, str] = {"MN": "Mongolia"}
# Markets where a region surrenders the project credits it receives [assumption-project-credits]
PROJECT_CREDIT_MARKETS: frozenset[str] = frozenset({"CN-ETS", "KR-ETS", "JP-TAX"})
# project -> (kind, description) [aspi2018]
PROJECTS: dict[str, tuple[str, str]] = {
    "ccs-cn": (
        "ccs",
        "CO2 capture with dust pre-treatment at Chinese supercritical coal units (CN-ETS)",
    ),
    "ccs-kr": ("ccs", "CO2 capture with dust pre-treatment at Korean coal units (K-ETS)"),
    "gobi": (
        "supergrid",
        "Gobi wind and solar in Mongolia; HVDC on to China, Korea and Japan",
    ),
}
# Share of each project's capex paid by each participant [assumption-participants]
INVESTMENT_SHARE: dict[str, dict[str, float]] = {
    "ccs-cn": {"CN": 0.5, "KR": 0.3, "JP": 0.2},
    "ccs-kr": {"KR": 0.6, "JP": 0.2, "CN": 0.2},
    "gobi": {"MN": 0.1, "CN": 0.3, "KR": 0.3, "JP": 0.3},
}

# --- CCS retrofits ------------------------------------------------------------------------------
HOURS_PER_YEAR = 8760
GJ_PER_MWH = 3.6
COAL_T_CO2_PER_GJ = 0.0946  # other bituminous coal [ipcc2006-coal]
# dry flue gas of bituminous coal, Nm3 (0 C) per GJ at 6% O2, from EPA Method 19's
# F_d = 9,780 dscf/MMBtu (20 C, 0% O2) [epa-method19]
FLUE_GAS_NM3_PER_GJ = 9780 * 0.0283168 / 1.055056 * 273.15 / 293.15 * 20.9 / (20.9 - 6.0)
CNY_PER_USD_2020 = 6.90  # [cny-usd-2020]
KCAL_GJ = 4.1868e-6  # GJ per kcal
CCS_LIFETIME_YEARS = 25  # [assumption-ccs-units]
PILOT_SCALE_EXPONENT = 0.6  # capex ~ size^0.6 ("six-tenths rule") [assumption-ccs-units]
# Chinese capture cost, CNY/t captured, 2030 and 2031: a cross-check only [yang2022]
YANG_CAPTURE_CNY_PER_T: tuple[float, float] = (219.0, 165.0)


@dataclass(frozen=True)
class CcsCosts:
    """A country's retrofit costs (US$ 2020) [rubin2015] [assumption-ccs-units]."""

    capex_usd_per_kw: float  # at the reference size
    reference_mw: float  # size at which capex_usd_per_kw applies
    fixed_om_share: float  # fixed O&M per year, share of capex
    coal_usd_per_gj: float  # fuel burnt for the energy penalty
    other_variable_usd_per_t: float  # solvent, chemicals, water, waste, per t captured
    transport_storage_usd_per_t: float  # per t captured


CCS_COSTS: dict[str, CcsCosts] = {
    # capex at Rubin's low end; coal: NDRC 2022 long-term contract benchmark, 675 CNY/t
    # of 5,500 kcal/kg [coal-prices]; onshore storage near the plant
    "CN": CcsCosts(1500.0, 1000.0, 0.03, 675 / CNY_PER_USD_2020 / (5500e3 * KCAL_GJ), 4.0, 10.0),
    # capex mid-range at 1,000 MW, higher per kW below; imported coal US$110/t of
    # 6,000 kcal/kg [coal-prices]; offshore storage
    "KR": CcsCosts(2000.0, 1000.0, 0.03, 110 / (6000e3 * KCAL_GJ), 4.0, 20.0),
}


@dataclass(frozen=True)
class CoalUnit:
    """A coal unit of the fleet sample and its retrofit [assumption-ccs-units]."""

    unit: str
    project: str
    emitter: str
    capacity_mw: float
    capacity_factor: float  # share of the year at full output
    efficiency: float  # net, before capture
    capture_rate: float
    energy_penalty: float  # share of output lost (more fuel for the same net output)
    pm_mg_per_nm3: float  # stack PM at 6% O2 before the retrofit [pm-limits]
    pretreatment_removal: float  # share of the remaining PM the pre-treatment removes [eea2011]
    first_period: int


CN_UNIT, KR_UNIT = ("ccs-cn", "CN-power"), ("ccs-kr", "KR-power")
CCS_UNITS: tuple[CoalUnit, ...] = (
    CoalUnit("cn-1000-a", *CN_UNIT, 1000, 0.65, 0.44, 0.90, 0.20, 10, 0.60, 2025),
    CoalUnit("cn-1000-b", *CN_UNIT, 1000, 0.60, 0.44, 0.90, 0.20, 10, 0.60, 2030),
    CoalUnit("cn-1000-c", *CN_UNIT, 1000, 0.70, 0.45, 0.90, 0.20, 10, 0.60, 2030),
    CoalUnit("cn-660-a", *CN_UNIT, 660, 0.62, 0.41, 0.90, 0.22, 10, 0.60, 2025),
    CoalUnit("cn-660-b", *CN_UNIT, 660, 0.58, 0.41, 0.90, 0.22, 10, 0.60, 2025),
    CoalUnit("cn-660-c", *CN_UNIT, 660, 0.55, 0.41, 0.85, 0.22, 20, 0.75, 2030),
    CoalUnit("cn-600-a", *CN_UNIT, 600, 0.60, 0.40, 0.90, 0.24, 20, 0.75, 2025),
    CoalUnit("cn-600-b", *CN_UNIT, 600, 0.55, 0.40, 0.85, 0.24, 30, 0.75, 2030),
    CoalUnit("kr-1000", *KR_UNIT, 1000, 0.70, 0.43, 0.90, 0.22, 10, 0.60, 2025),
    CoalUnit("kr-870", *KR_UNIT, 870, 0.68, 0.42, 0.90, 0.22, 10, 0.60, 2025),
    CoalUnit("kr-500-a", *KR_UNIT, 500, 0.65, 0.40, 0.90, 0.25, 20, 0.75, 2025),
    CoalUnit("kr-500-b", *KR_UNIT, 500, 0.60, 0.40, 0.85, 0.25, 20, 0.75, 2030),
    # the scale of KOMIPO's 10 MW capture pilot at Boryeong [komipo-pilot]
    CoalUnit("kr-boryeong-10", *KR_UNIT, 10, 0.60, 0.40, 0.90, 0.25, 20, 0.75, 2025),
)

# --- PM transport: source -> receptor shares of an emitted tonne [pm-transport] -----------------
# Receptor's annual PM2.5 by source region, share of the concentration [ltp2019]
PM_CONTRIBUTION: dict[tuple[str, str], float] = {
    ("CN", "CN"): 0.91,
    ("KR", "CN"): 0.02,
    ("CN", "KR"): 0.32,
    ("KR", "KR"): 0.51,
    ("CN", "JP"): 0.25,
    ("KR", "JP"): 0.08,
    ("JP", "JP"): 0.55,
}
# SO2 + NOx + primary PM2.5 emitted, Mt/yr, around 2017 [pm-emissions]
PM_PRECURSORS_MT: dict[str, float] = {"CN": 40.0, "KR": 1.6, "JP": 2.0}
# Share of a region's emitted mass that stays over its own land [assumption-pm-transport]
PM_RETAINED: dict[str, float] = {"CN": 0.5, "KR": 0.3, "JP": 0.3}
# Share of China's precursors emitted in the airshed of the LTP's Chinese receptor cities
PM_CN_RECEPTOR_AIRSHED = 0.4  # [assumption-pm-transport]
PM_ROUTES: tuple[tuple[str, str], ...] = (
    ("CN", "CN"),
    ("CN", "KR"),
    ("CN", "JP"),
    ("KR", "KR"),
    ("KR", "JP"),
    ("KR", "CN"),
)

# --- Gobi supergrid -------------------------------------------------------------------------------
SUPERGRID_PROJECT = "gobi"
SUPERGRID_FIRST_PERIOD = 2025  # ADB TA 54021's first stage [adb-ta-54021]
SITE_LIFETIME_YEARS, LINE_LIFETIME_YEARS = 25, 40  # [assumption-gobi-sites] [assumption-corridors]
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

# --- receiving grids ------------------------------------------------------------------------------
GRID_EMITTER: dict[str, str] = {"CN": "CN-power", "KR": "KR-power", "JP": "JP-power"}
# t CO2/MWh in 2020 and 2030 (a straight line between) [grid-emission-factors]
GRID_FACTOR_2020_2030: dict[str, tuple[float, float]] = {
    "CN": (0.609, 0.537),
    "KR": (0.46, 0.46),
    "JP": (0.47, 0.43),
}
# electricity demand, TWh/yr [power-demand]
POWER_DEMAND_TWH: dict[str, dict[int, float]] = {
    "CN": {2020: 7511.0, 2025: 9852.0, 2030: 11500.0},
    "KR": {2020: 509.0, 2025: 550.0, 2030: 573.0},
    "JP": {2020: 930.0, 2025: 900.0, 2030: 870.0},
}
IMPORT_SHARE_OF_DEMAND = 0.10  # what a grid can absorb from the supergrid [assumption-grid-absorb]
# fuel and variable O&M of the generation a delivered MWh replaces, US$/MWh [avoided-generation]
AVOIDED_GENERATION_USD_PER_MWH: dict[str, float] = {"CN": 33.0, "KR": 59.0, "JP": 72.0}

REGION_LINES = "\n".join(f"  {code}: {name}" for code, name in {**REGIONS, **HOST_REGIONS}.items())
DATASET_YAML = f"""\
name: nea2018
title: Northeast Asia linked carbon markets, calibrated to ASPI/KPMG (2018)
vintage: 2026-11            # when the numbers were assembled
periods: [2020, 2025, 2030] # representative years
period_years: {{2020: {PERIOD_YEARS}, 2025: {PERIOD_YEARS}, 2030: {PERIOD_YEARS}}}
discount_rate: {DISCOUNT_RATE}         # per year, real
currency_year: 2020         # US$ of this year
units: {{emissions: Mt CO2/yr, price: USD/t, cost: USD million/yr}}  # JP, KR: Mt CO2e (see README)
regions:                    # MN hosts the Gobi sites; it has no emitters
{REGION_LINES}
"""

Key = tuple[str, int]
Step = tuple[float, float]  # (cost US$/t, quantity Mt/yr)


@dataclass(frozen=True)
class Piece:
    """A MAC step, or part of one, as its region's NDC sees it in one period."""

    threshold: float  # NDC shadow price (US$/t) above which it is abated: cost - price earned
    quantity: float  # Mt/yr
    market: str  # the ETS market whose allowance demand it lowers ("" = none)


def national_baseline(region: str, period: int) -> float:
    """BAU_r,2020 = observed 2020; BAU_r,t = observed 2023 * (1 + g_r)^(t - 2023) for t > 2020."""
    if period == 2020:
        return OBSERVED_2020[region]
    return OBSERVED_2023[region] * (1 + BAU_GROWTH[region]) ** (period - 2023)


def baselines() -> dict[Key, float]:
    """Emitter baseline = share * national BAU, rounded to 3 decimals (Mt/yr)."""
    return {
        (name, t): round(share * national_baseline(region, t), 3)
        for name, region, _, _, share in EMITTERS
        for t in PERIODS
    }


def mac_cost(region: str, sector: str, abated_share: float) -> float:
    """MAC(a) = m_sector * kappa_region * gamma * a^beta, US$/t."""
    return SECTOR_MULTIPLIER[sector] * MAC_KAPPA[region] * MAC_GAMMA * abated_share**MAC_BETA


def mac_steps(region: str, sector: str, baseline: float) -> list[Step]:
    """Step k: quantity 0.05 * baseline, cost MAC((k - 0.5) * 0.05)."""
    quantity = round(STEP_SHARE * baseline, 3)
    return [
        (round(mac_cost(region, sector, (k - 0.5) * STEP_SHARE), 2), quantity)
        for k in range(1, N_STEPS + 1)
    ]


def all_steps(base: dict[Key, float]) -> dict[Key, list[Step]]:
    """MAC steps of every emitter and period."""
    sector_of = {name: (region, sector) for name, region, sector, _, _ in EMITTERS}
    return {(name, t): mac_steps(*sector_of[name], b) for (name, t), b in base.items()}


def members(market: str) -> list[str]:
    """Emitters whose allowances are surrendered in `market`."""
    return [name for name, _, _, m, _ in EMITTERS if m == market]


def covered(market: str, period: int, base: dict[Key, float]) -> float:
    """Covered emissions of a market, Mt/yr."""
    return sum(base[(name, period)] for name in members(market))


def merit_order(steps: Iterable[Step]) -> list[Step]:
    """Steps merged by cost and sorted cheapest first."""
    merged: dict[float, float] = {}
    for cost, quantity in steps:
        merged[cost] = merged.get(cost, 0.0) + quantity
    return sorted(merged.items())


def autarky_price(steps: Iterable[Step], required: float) -> tuple[float, float]:
    """Cost of the marginal step that abates `required` Mt, and the share of that step used.

    A share strictly between 0 and 1 means the price is unique (an LP dual would equal it).
    """
    if required <= 1e-9:
        return 0.0, 0.0
    done = 0.0
    for cost, quantity in merit_order(steps):
        if done + quantity >= required - 1e-9:
            return cost, (required - done) / quantity
        done += quantity
    raise ValueError(f"required abatement {required:.3f} Mt exceeds the MAC steps ({done:.3f} Mt)")


def tax_rate(region: str) -> float:
    """Carbon tax on a region's emissions outside any ETS, US$/t (taxes.csv)."""
    return round(JP_TAX_JPY / JPY_PER_USD_2020, 2) if region == "JP" else 0.0


def ets_markets(region: str) -> list[str]:
    """The region's ETS markets."""
    return [m for m, (r, kind, _) in MARKETS.items() if r == region and kind == "ets"]


def gdp_index_cn(period: int) -> float:
    """China's real GDP relative to 2020."""
    index = 1.0
    for t, growth in CN_GDP_GROWTH.items():
        if t <= period:
            index *= (1 + growth) ** 5
    return index


def jp_ndc_path(period: int) -> float:
    """Straight line from FY2013 emissions to the FY2030 gross target, Mt/yr."""
    return JP_FY2013 + (ndc_targets()["JP"] - JP_FY2013) * (period - 2013) / (2030 - 2013)


def cap_ratio(region: str, period: int) -> float:
    """tau_t = cap_t / cap_2020 along the region's stated trajectory."""
    if region == "KR":
        per_cover = {t: KETS_CAP[t] / KETS_COVERAGE[t] for t in PERIODS}
        return per_cover[period] / per_cover[2020]
    if region == "CN":
        return gdp_index_cn(period) * CN_INTENSITY_VS_2020[period]
    return jp_ndc_path(period) / jp_ndc_path(2020)


def ndc_consistent_cap(market: str, base: dict[Key, float]) -> float:
    """Cap in the NDC year: covered emissions cut by the NDC's national percentage (the covered
    sectors' share of the reduction), less the room the offsets take: cap * (1 + offset share)
    = covered_BAU * target / national_BAU."""
    region = MARKETS[market][0]
    national = sum(base[(n, NDC_YEAR)] for n, r, _, _, _ in EMITTERS if r == region)
    share_kept = ndc_targets()[region] / national
    return covered(market, NDC_YEAR, base) * share_kept / (1 + OFFSET_SHARE.get(market, 0.0))


def cap_path(market: str, cap_2020: float, base: dict[Key, float]) -> dict[Key, float]:
    """cap_t = cap_2020 * tau_t, except caps set by the NDC rule (NDC_CAPS)."""
    region = MARKETS[market][0]
    return {
        (market, t): ndc_consistent_cap(market, base)
        if (market, t) in NDC_CAPS
        else cap_2020 * cap_ratio(region, t)
        for t in PERIODS
    }


def cap_2020_for_budget(market: str, allowances: float, base: dict[Key, float]) -> float:
    """cap_2020 such that the caps of all periods add up to `allowances` (Mt)."""
    region = MARKETS[market][0]
    fixed = sum(ndc_consistent_cap(market, base) for m, _ in NDC_CAPS if m == market)
    ratios = sum(cap_ratio(region, t) for t in PERIODS if (market, t) not in NDC_CAPS)
    return (allowances / PERIOD_YEARS - fixed) / ratios


def region_pieces(
    region: str,
    period: int,
    prices: dict[str, float],
    cap_t: dict[str, float],
    steps: dict[Key, list[Step]],
) -> list[Piece]:
    """Every step of the region, with the price it earns: covered steps their market's price;
    the cheapest uncovered steps, up to the offset limit, the price of the market buying them
    as offsets (an offset goes back into the tax base); the other uncovered steps the tax."""
    pieces = [
        Piece(cost - prices[m], q, m)
        for name, r, _, m, _ in EMITTERS
        if r == region and m
        for cost, q in steps[(name, period)]
    ]
    buyers = [m for m in ets_markets(region) if m in OFFSET_SHARE]
    require(len(buyers) <= 1, f"OFFSET_SHARE: at most one offset market in {region}")
    buyer = buyers[0] if buyers else ""
    left = OFFSET_SHARE[buyer] * cap_t[buyer] if buyer else 0.0
    outside = [s for n, r, _, m, _ in EMITTERS if r == region and not m for s in steps[(n, period)]]
    for cost, q in sorted(outside):
        sold = min(q, left)
        left -= sold
        if sold > 0:
            pieces.append(Piece(cost - prices[buyer], sold, buyer))
        if q > sold:
            pieces.append(Piece(cost - tax_rate(region), q - sold, ""))
    return pieces


def abate(pieces: list[Piece], required: float) -> tuple[list[float], float]:
    """Abatement of each piece and the NDC shadow price. Pieces that pay for themselves
    (threshold < 0) are abated; if they fall short of `required` (Mt/yr), the others follow in
    order of threshold, and the threshold of the last one used is the shadow price."""
    amounts = [p.quantity if p.threshold < 0 else 0.0 for p in pieces]
    left, shadow = required - sum(amounts), 0.0
    for i in sorted(range(len(pieces)), key=lambda i: pieces[i].threshold):
        if left <= TOLERANCE:
            break
        if pieces[i].threshold >= 0:
            amounts[i] = min(pieces[i].quantity, left)
            left -= amounts[i]
            shadow = pieces[i].threshold
    require(left <= TOLERANCE, f"NDC needs {left:.3f} Mt/yr more than the MAC steps can abate")
    return amounts, shadow


def clear_region(
    region: str,
    period: int,
    prices: dict[str, float],
    cap_t: dict[str, float],
    base: dict[Key, float],
    steps: dict[Key, list[Step]],
) -> tuple[dict[str, float], float]:
    """Allowance demand of each ETS market of the region (covered emissions - offsets, Mt/yr)
    at the market prices `prices`, and the NDC shadow price (0 without a binding NDC)."""
    required = -math.inf
    if period == NDC_YEAR:
        national = sum(base[(n, period)] for n, r, _, _, _ in EMITTERS if r == region)
        required = national - ndc_targets()[region]
    pieces = region_pieces(region, period, prices, cap_t, steps)
    amounts, shadow = abate(pieces, required)
    demand = {m: covered(m, period, base) for m in ets_markets(region)}
    for piece, amount in zip(pieces, amounts, strict=True):
        if piece.market:
            demand[piece.market] -= amount
    return demand, shadow


def grown(price_2020: float, period: int) -> float:
    """Price in `period` on a path rising at the discount rate (banking: Hotelling)."""
    return price_2020 * (1 + DISCOUNT_RATE) ** (period - PERIODS[0])


def hotelling_demand(
    market: str,
    price_2020: float,
    cap: dict[Key, float],
    base: dict[Key, float],
    steps: dict[Key, list[Step]],
) -> dict[int, float]:
    """The market's allowance demand per period (Mt/yr) on the Hotelling path from
    `price_2020`; the region's other markets on the paths from their target prices."""
    region = MARKETS[market][0]
    result = {}
    for t in PERIODS:
        prices = {m: grown(TARGET_PRICE_2020[m], t) for m in ets_markets(region)}
        prices[market] = grown(price_2020, t)
        cap_t = {m: cap[(m, t)] for m in ets_markets(region)}
        result[t] = clear_region(region, t, prices, cap_t, base, steps)[0][market]
    return result


def drop_nearest(budget: Callable[[float], float], target: float) -> float:
    """The price nearest `target` (in ratio) at which the step function `budget` drops."""
    grid = [target * SEARCH_WIDTH ** (2 * i / SEARCH_POINTS - 1) for i in range(SEARCH_POINTS + 1)]
    values = [budget(p) for p in grid]
    drops = [
        locate_drop(budget, low, high, value)
        for low, high, value, after in zip(grid, grid[1:], values, values[1:], strict=False)
        if value - after > TOLERANCE
    ]
    require(bool(drops), f"no MAC step within a factor {SEARCH_WIDTH} of the target {target}")
    return min(drops, key=lambda p: abs(math.log(p / target)))


def locate_drop(budget: Callable[[float], float], low: float, high: float, value: float) -> float:
    """Bisect [low, high] for the price at which `budget` first falls below `value`."""
    for _ in range(BISECTIONS):
        mid = (low + high) / 2
        if budget(mid) > value - TOLERANCE:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def calibrate(
    market: str, cap: dict[Key, float], base: dict[Key, float], steps: dict[Key, list[Step]]
) -> tuple[dict[Key, float], float]:
    """The market's caps and its 2020 price, so that with banking its price path starts at the
    MAC step nearest the target price and half that step is used (the price is unique).

    The bank ends at zero, so the caps of all periods add up to the demand on the Hotelling path
    (Mt). That demand drops at each MAC step; the caps take the midpoint of the drop nearest the
    target. Offset limits move with the cap, so this is repeated until the cap settles.
    """
    cap = dict(cap)
    for _ in range(MAX_ROUNDS):

        def budget(price: float) -> float:
            return PERIOD_YEARS * sum(hotelling_demand(market, price, cap, base, steps).values())

        price = drop_nearest(budget, TARGET_PRICE_2020[market])
        before, after = budget(price * (1 - EDGE)), budget(price * (1 + EDGE))
        require(before - after >= MIN_DROP, f"caps.csv: {market} step at {price:.2f} too small")
        midpoint = (before + after) / 2
        path = cap_path(market, cap_2020_for_budget(market, midpoint, base), base)
        settled = all(abs(path[k] - cap[k]) < TOLERANCE for k in path)
        cap.update(path)
        if settled:
            return path, price
    raise ValueError(f"caps.csv: the {market} calibration did not settle")


def bank_path(
    market: str,
    price_2020: float,
    cap: dict[Key, float],
    base: dict[Key, float],
    steps: dict[Key, list[Step]],
) -> dict[int, float]:
    """Bank at the end of each period (Mt; negative = borrowed), half the marginal step used."""
    below = hotelling_demand(market, price_2020 * (1 - EDGE), cap, base, steps)
    above = hotelling_demand(market, price_2020 * (1 + EDGE), cap, base, steps)
    bank, result = 0.0, {}
    for t in PERIODS:
        bank += PERIOD_YEARS * (cap[(market, t)] - (below[t] + above[t]) / 2)
        result[t] = bank
    return result


def caps(
    base: dict[Key, float], steps: dict[Key, list[Step]]
) -> tuple[dict[Key, float], dict[str, float]]:
    """Calibrated caps (rounded to 3 decimals) and the 2020 price of each ETS market."""
    cap = {(m, t): covered(m, t, base) for m in TARGET_PRICE_2020 for t in PERIODS}
    prices: dict[str, float] = {}
    for market in TARGET_PRICE_2020:
        path, prices[market] = calibrate(market, cap, base, steps)
        cap.update(path)
    cap = {k: round(v, 3) for k, v in cap.items()}
    for market, price in prices.items():
        bank = bank_path(market, price, cap, base, steps)
        floor = -BORROW_SHARE.get(market, 0.0)
        for t in PERIODS[:-1]:
            require(
                bank[t] >= floor * cap[(market, t)] - TOLERANCE,
                f"caps.csv: {market} would borrow {-bank[t]:.1f} Mt by {t}; the price path is not"
                " Hotelling (change the cap trajectory)",
            )
    return cap, prices


def ndc_targets() -> dict[str, float]:
    """2030 ceilings, Mt/yr: CN intensity target made absolute; JP, KR net target + LULUCF sinks."""
    return {
        "CN": round(OBSERVED_2020["CN"] * gdp_index_cn(2030) * CN_INTENSITY_VS_2020[2030], 3),
        "JP": round(JP_FY2013 * (1 - JP_NDC_CUT) + JP_SINKS_2030, 3),
        "KR": round(KR_2018 * (1 - KR_NDC_CUT) + KR_SINKS_2030, 3),
    }


def write_csv(name: str, header: list[str], rows: Iterable[Sequence[object]]) -> None:
    """Write one table with a trailing source column already in each row."""
    with open(HERE / name, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def mt(x: float) -> str:
    """Format a quantity in Mt/yr."""
    return f"{x:.3f}"


def usd(x: float) -> str:
    """Format a price in US$/t."""
    return f"{x:.2f}"


def write_markets_and_emitters() -> None:
    """markets.csv and emitters.csv."""
    write_csv(
        "markets.csv",
        ["market", "region", "kind", "description", "project_credits", "source"],
        (
            [m, r, k, d, str(m in PROJECT_CREDIT_MARKETS).lower(), "aspi2018"]
            for m, (r, k, d) in MARKETS.items()
        ),
    )
    write_csv(
        "emitters.csv",
        ["emitter", "region", "sector", "market", "source"],
        ([n, r, s, m, "aspi2018"] for n, r, s, m, _ in EMITTERS),
    )


def write_baseline_and_mac(base: dict[Key, float], steps: dict[Key, list[Step]]) -> None:
    """baseline.csv and mac.csv."""
    write_csv(
        "baseline.csv",
        ["emitter", "period", "emissions_mt", "source"],
        ([n, t, mt(b), f"baseline-{n[:2].lower()}"] for (n, t), b in base.items()),
    )
    write_csv(
        "mac.csv",
        ["emitter", "period", "step", "quantity_mt", "cost_usd_per_t", "source"],
        (
            [n, t, k, mt(q), usd(c), "assumption-mac-sector"]
            for (n, t), s in steps.items()
            for k, (c, q) in enumerate(s, start=1)
        ),
    )


def write_caps(cap: dict[Key, float]) -> None:
    """caps.csv: 2020 calibrated, later periods along each region's trajectory or the NDC rule."""

    def source(market: str, t: int) -> str:
        if (market, t) in NDC_CAPS:
            return f"cap-ndc-{market[:2].lower()}"
        return "cap-calibration-2020" if t == 2020 else f"cap-trajectory-{market[:2].lower()}"

    write_csv(
        "caps.csv",
        ["market", "period", "cap_mt", "source"],
        ([m, t, mt(c), source(m, t)] for (m, t), c in cap.items()),
    )


def link_rows() -> list[list[object]]:
    """Every ordered pair of ETS markets, plus every ETS market -> JP-TAX, in every period."""
    ets = [m for m, (_, kind, _) in MARKETS.items() if kind == "ets"]
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
    limits = [["KR-ETS", t, "", "", KR_MAX_OFFSET_SHARE, "aspi2018"] for t in PERIODS]
    jp_source = "assumption-jp-tax-offsets"
    limits += [["JP-TAX", t, JP_TAX_MAX_IMPORT_SHARE, "", "", jp_source] for t in PERIODS]
    write_csv("limits.csv", LIMIT_COLUMNS, limits)


def write_banking_and_taxes() -> None:
    """banking.csv (all ETS markets) and taxes.csv (Japan only)."""
    banking = [
        [m, "true", KR_MAX_BORROW_SHARE if m == "KR-ETS" else 0, 0, "banking-rules"]
        for m in TARGET_PRICE_2020
    ]
    write_csv("banking.csv", BANKING_COLUMNS, banking)
    rate = usd(tax_rate("JP"))
    taxes = [["JP", t, rate, "japan-tax"] for t in PERIODS]
    write_csv("taxes.csv", ["region", "period", "rate_usd_per_t", "source"], taxes)


def write_ndc() -> None:
    """ndc.csv: 2030 targets."""
    source = {"CN": "ndc-cn", "JP": "ndc-jp", "KR": "ndc-kr"}
    write_csv(
        "ndc.csv",
        ["region", "period", "target_mt", "source"],
        ([r, 2030, mt(v), source[r]] for r, v in ndc_targets().items()),
    )


def capital_recovery_factor(years: float) -> float:
    """CRF = r / (1 - (1 + r)^-n) at the data set's discount rate: annuity per unit of capital."""
    return DISCOUNT_RATE / (1 - (1 + DISCOUNT_RATE) ** -years)


def region_of(emitter: str) -> str:
    """The region of an emitter of EMITTERS."""
    return next(r for name, r, _, _, _ in EMITTERS if name == emitter)


def unit_mwh(u: CoalUnit) -> float:
    """Net output without capture, MWh/yr = MW * 8760 * capacity factor."""
    return u.capacity_mw * HOURS_PER_YEAR * u.capacity_factor


def unit_co2_mt(u: CoalUnit) -> float:
    """E = output * 0.0946 t/GJ * 3.6 GJ/MWh / net efficiency, Mt/yr."""
    return unit_mwh(u) * COAL_T_CO2_PER_GJ * GJ_PER_MWH / u.efficiency / 1e6


def unit_capture(u: CoalUnit) -> tuple[float, float]:
    """(captured, avoided) Mt/yr: captured = r*E/(1-phi), avoided = E - (1-r)*E/(1-phi)."""
    gross = unit_co2_mt(u) / (1 - u.energy_penalty)
    return u.capture_rate * gross, unit_co2_mt(u) - (1 - u.capture_rate) * gross


def unit_capex(u: CoalUnit) -> float:
    """US$/kW: the country's reference capex scaled by (size / reference)^(0.6 - 1)."""
    costs = CCS_COSTS[region_of(u.emitter)]
    return costs.capex_usd_per_kw * (u.capacity_mw / costs.reference_mw) ** (
        PILOT_SCALE_EXPONENT - 1
    )


def unit_fixed_om(u: CoalUnit) -> float:
    """Fixed O&M, US$/kW/yr = capex * the country's O&M share."""
    return unit_capex(u) * CCS_COSTS[region_of(u.emitter)].fixed_om_share


def unit_variable_cost(u: CoalUnit) -> float:
    """US$/t captured: the fuel of the energy penalty (phi/r t of coal CO2 per t captured,
    at coal US$/GJ / 0.0946 t/GJ) + solvent and chemicals + transport and storage."""
    costs = CCS_COSTS[region_of(u.emitter)]
    fuel = u.energy_penalty / u.capture_rate * costs.coal_usd_per_gj / COAL_T_CO2_PER_GJ
    return fuel + costs.other_variable_usd_per_t + costs.transport_storage_usd_per_t


def unit_pm_t(u: CoalUnit) -> float:
    """PM emitted without capture, t/yr = output * mg/Nm3 * Nm3/GJ * GJ/MWh / 1e9."""
    nm3_per_mwh = FLUE_GAS_NM3_PER_GJ * GJ_PER_MWH / u.efficiency
    return unit_mwh(u) * u.pm_mg_per_nm3 * nm3_per_mwh / 1e9


def unit_pm_removed_share(u: CoalUnit) -> float:
    """Net share of PM removed: the pre-treatment removes eta of the stack PM, but the unit
    burns 1/(1-phi) as much coal, so 1 - (1 - eta)/(1 - phi)."""
    return 1 - (1 - u.pretreatment_removal) / (1 - u.energy_penalty)


def unit_capture_cost_cny(u: CoalUnit) -> float:
    """Capture alone, CNY/t captured: (capex*CRF + fixed O&M + variable less transport and
    storage) / captured, to compare with Yang et al. (2022)."""
    captured, _ = unit_capture(u)
    costs = CCS_COSTS[region_of(u.emitter)]
    per_kw = unit_capex(u) * capital_recovery_factor(CCS_LIFETIME_YEARS) + unit_fixed_om(u)
    variable = unit_variable_cost(u) - costs.transport_storage_usd_per_t
    return (per_kw * u.capacity_mw / 1e3 / captured + variable) * CNY_PER_USD_2020


def unit_cost_per_t_avoided(u: CoalUnit) -> float:
    """Levelised US$/t avoided = (capex*CRF + fixed O&M + variable*captured) / avoided."""
    captured, avoided = unit_capture(u)
    per_kw = unit_capex(u) * capital_recovery_factor(CCS_LIFETIME_YEARS) + unit_fixed_om(u)
    annual_musd = per_kw * u.capacity_mw / 1e3 + unit_variable_cost(u) * captured
    return annual_musd / avoided


def ccs_unit_row(u: CoalUnit) -> list[object]:
    """One row of ccs_units.csv."""
    return [
        u.unit,
        u.project,
        u.emitter,
        f"{u.capacity_mw:g}",
        f"{unit_co2_mt(u):.4f}",
        u.capture_rate,
        u.energy_penalty,
        f"{unit_capex(u):.0f}",
        f"{unit_fixed_om(u):.1f}",
        usd(unit_variable_cost(u)),
        f"{unit_pm_t(u):.1f}",
        f"{unit_pm_removed_share(u):.3f}",
        CCS_LIFETIME_YEARS,
        u.first_period,
        f"ccs-units-{region_of(u.emitter).lower()}",
    ]


def pm_share(source: str, receptor: str) -> float:
    """Share of a tonne emitted in `source` that lands in `receptor`.

    At home: the retained share a_s. Abroad, from the receptor's concentration shares c:
    mass(s->r) = mass(r->r) * c(s->r) / c(r->r), mass(r->r) = a_r * E_r, so
    share = a_r * E_r / E_s * c(s->r) / c(r->r), with E_r only the receptor cities' airshed
    for China.
    """
    if source == receptor:
        return PM_RETAINED[source]
    airshed = PM_CN_RECEPTOR_AIRSHED if receptor == "CN" else 1.0
    mass_ratio = PM_RETAINED[receptor] * airshed * PM_PRECURSORS_MT[receptor]
    contribution = PM_CONTRIBUTION[(source, receptor)] / PM_CONTRIBUTION[(receptor, receptor)]
    return mass_ratio / PM_PRECURSORS_MT[source] * contribution


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


def grid_factor(region: str, period: int) -> float:
    """t CO2/MWh on a straight line from 2020 to 2030."""
    start, end = GRID_FACTOR_2020_2030[region]
    return start + (end - start) * (period - 2020) / (2030 - 2020)


def write_projects() -> None:
    """projects.csv and participants.csv."""
    write_csv(
        "projects.csv",
        ["project", "kind", "description", "source"],
        ([p, kind, d, "aspi2018"] for p, (kind, d) in PROJECTS.items()),
    )
    write_csv(
        "participants.csv",
        ["project", "region", "investment_share", "credit_share", "cost_share", "source"],
        (
            [p, r, share, "", "", "assumption-participants"]
            for p, shares in INVESTMENT_SHARE.items()
            for r, share in shares.items()
        ),
    )


def write_ccs() -> None:
    """ccs_units.csv and pm_transport.csv."""
    write_csv("ccs_units.csv", CCS_UNIT_COLUMNS, (ccs_unit_row(u) for u in CCS_UNITS))
    write_csv(
        "pm_transport.csv",
        ["source_region", "receptor_region", "share", "source"],
        ([s, r, f"{pm_share(s, r):.4f}", "pm-transport"] for s, r in PM_ROUTES),
    )


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


def grid_row(region: str, period: int) -> list[object]:
    """One row of grids.csv: what the region's grid can absorb is a share of its demand."""
    absorb = IMPORT_SHARE_OF_DEMAND * POWER_DEMAND_TWH[region][period]
    factor = f"{grid_factor(region, period):.4f}"
    avoided = f"{AVOIDED_GENERATION_USD_PER_MWH[region]:.1f}"
    return [region, period, GRID_EMITTER[region], factor, f"{absorb:.1f}", avoided, "gobi-grids"]


def write_supergrid() -> None:
    """sites.csv, corridors.csv and grids.csv."""
    write_csv("sites.csv", SITE_COLUMNS, (site_row(s) for s in GOBI_SITES))
    write_csv("corridors.csv", CORRIDOR_COLUMNS, (corridor_row(c) for c in CORRIDORS))
    write_csv("grids.csv", GRID_COLUMNS, (grid_row(r, t) for r in GRID_EMITTER for t in PERIODS))


def require(condition: bool, message: str) -> None:
    """Stop with `message` (which says what to fix) unless `condition` holds."""
    if not condition:
        raise ValueError(message)


def check_sources() -> None:
    """Every source named in a CSV must be an entry of sources.yaml with citation, kind, note."""
    entries = yaml.safe_load((HERE / "sources.yaml").read_text(encoding="utf-8"))
    for entry_id, entry in entries.items():
        require(
            set(entry) == {"citation", "kind", "note"},
            f"sources.yaml: {entry_id} needs citation, kind, note",
        )
        require(
            entry["kind"] in {"S", "R", "A"}, f"sources.yaml: {entry_id} kind must be S, R or A"
        )
    for table in sorted(HERE.glob("*.csv")):
        with open(table, encoding="utf-8") as f:
            used = {row["source"] for row in csv.DictReader(f)}
        missing = used - set(entries)
        require(not missing, f"{table.name}: sources {sorted(missing)} are not in sources.yaml")


def check_shares() -> None:
    """Emitter shares of each region must add up to 1."""
    for region in REGIONS:
        total = sum(share for _, r, _, _, share in EMITTERS if r == region)
        require(abs(total - 1) < 1e-9, f"EMITTERS: shares of {region} add up to {total}, not 1")


def check_steps(base: dict[Key, float], steps: dict[Key, list[Step]]) -> None:
    """Steps of an emitter-period may not sum to more than its baseline."""
    for key, s in steps.items():
        require(
            sum(q for _, q in s) <= base[key] + 1e-9, f"mac.csv: steps of {key} exceed the baseline"
        )


def check_projects() -> None:
    """Participants' shares add up to 1; PM landing per source at most 1; the supergrid's
    export lines from Mongolia within the Gobitec scale; units in CCS_COSTS' regions."""
    for project, shares in INVESTMENT_SHARE.items():
        total = sum(shares.values())
        require(abs(total - 1) < 1e-9, f"INVESTMENT_SHARE: {project} adds up to {total}, not 1")
    for source in {s for s, _ in PM_ROUTES}:
        landed = sum(pm_share(s, r) for s, r in PM_ROUTES if s == source)
        require(landed <= 1, f"pm_transport.csv: {source} lands {landed:.3f} > 1 of a tonne")
    export_gw = sum(c.module_gw * c.max_modules for c in CORRIDORS if c.from_region == "MN")
    require(export_gw <= GOBITEC_GW, f"CORRIDORS: {export_gw} GW out of MN > {GOBITEC_GW}")
    for u in CCS_UNITS:
        require(0 < unit_pm_removed_share(u) < 1, f"CCS_UNITS: {u.unit} removes no PM net")


def report_ccs() -> None:
    """Print each unit's levelised cost per tonne avoided (the model's annual cost / avoided)."""
    crf = capital_recovery_factor(CCS_LIFETIME_YEARS)
    print(f"CCS units (CRF {crf:.4f} at {DISCOUNT_RATE:.0%}, {CCS_LIFETIME_YEARS} yr):")
    print(
        "  unit            MW   co2_mt captured avoided capex/kW var/t  US$/t_avoided"
        "  capture_CNY/t  pm_t"
    )
    for u in CCS_UNITS:
        captured, avoided = unit_capture(u)
        print(
            f"  {u.unit:14s}{u.capacity_mw:5.0f} {unit_co2_mt(u):8.3f} {captured:8.3f}"
            f" {avoided:7.3f} {unit_capex(u):8.0f} {unit_variable_cost(u):5.1f}"
            f" {unit_cost_per_t_avoided(u):14.1f} {unit_capture_cost_cny(u):14.0f}"
            f" {unit_pm_t(u):6.1f}"
        )
    now, later = YANG_CAPTURE_CNY_PER_T
    print(f"  (capture alone, Yang et al. 2022: {now:.0f} -> {later:.0f} CNY/t in 2030-31)")


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


def report_supergrid() -> None:
    """Print the cost of Gobi power delivered to each grid and per tonne it displaces in 2030."""
    chain = {c.corridor: c for c in CORRIDORS}
    paths = {
        "CN": [chain["mn-cn"]],
        "KR": [chain["mn-cn"], chain["cn-kr"]],
        "JP": [chain["mn-cn"], chain["cn-kr"], chain["kr-jp"]],
    }
    print("Gobi power from south-gobi, net of the generation it replaces (avoided-generation):")
    for region, legs in paths.items():
        per_mwh = path_cost_per_mwh(legs)
        net = per_mwh - AVOIDED_GENERATION_USD_PER_MWH[region]
        per_t = net / grid_factor(region, 2030)
        print(f"  -> {region}: {per_mwh:6.1f} US$/MWh delivered, {net:6.1f} net, "
              f"{per_t:6.1f} US$/t displaced 2030")



def report_autarky(
    base: dict[Key, float],
    steps: dict[Key, list[Step]],
    cap: dict[Key, float],
    prices: dict[str, float],
) -> None:
    """Print each ETS market's price path with banking, no links (what the model's autarky run
    gives), its caps, allowance demand and bank, and the NDC shadow prices."""
    print("Autarky with banking: market period covered_mt cap_mt demand_mt bank_end_mt price")
    for market, price in prices.items():
        below = hotelling_demand(market, price * (1 - EDGE), cap, base, steps)
        above = hotelling_demand(market, price * (1 + EDGE), cap, base, steps)
        bank = bank_path(market, price, cap, base, steps)
        for t in PERIODS:
            demand = (below[t] + above[t]) / 2
            print(
                f"  {market:9s}{t} {covered(market, t, base):10.3f} {cap[(market, t)]:10.3f}"
                f" {demand:10.3f} {bank[t]:9.3f} {grown(price, t):8.2f}"
            )
    print(f"NDC {NDC_YEAR} shadow prices at those ETS prices (US$/t):")
    for region in REGIONS:
        prices_t = {m: grown(prices[m] * (1 + EDGE), NDC_YEAR) for m in ets_markets(region)}
        cap_t = {m: cap[(m, NDC_YEAR)] for m in ets_markets(region)}
        shadow = clear_region(region, NDC_YEAR, prices_t, cap_t, base, steps)[1]
        print(f"  {region} {shadow:8.2f}")


def report_ndc(base: dict[Key, float], steps: dict[Key, list[Step]]) -> None:
    """Print the abatement each 2030 NDC needs (must be within 50% of baseline) and its
    national merit-order price (all the region's steps, no ETS caps)."""
    print("NDC 2030: region baseline_mt target_mt required_share national_price")
    for region, target in ndc_targets().items():
        names = [n for n, r, _, _, _ in EMITTERS if r == region]
        total = sum(base[(n, 2030)] for n in names)
        require(
            target >= 0.5 * total, f"ndc.csv: {region} target below baseline minus max abatement"
        )
        price, _ = autarky_price((s for n in names for s in steps[(n, 2030)]), total - target)
        print(f"  {region} {total:10.3f} {target:10.3f} {1 - target / total:6.1%} {price:8.2f}")


def main() -> None:
    """Write every file of the data set, check it and print the anchors."""
    check_shares()
    base = baselines()
    steps = all_steps(base)
    cap, prices = caps(base, steps)
    (HERE / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    write_markets_and_emitters()
    write_baseline_and_mac(base, steps)
    write_caps(cap)
    write_links_and_limits()
    write_banking_and_taxes()
    write_ndc()
    write_projects()
    write_ccs()
    write_supergrid()
    check_steps(base, steps)
    check_projects()
    check_sources()
    report_autarky(base, steps, cap, prices)
    report_ndc(base, steps)
    report_ccs()
    report_supergrid()


if __name__ == "__main__":
    main()
