"""CCS retrofits of coal units: the fleet sample [ccs-units-cn] [ccs-units-kr]
[assumption-ccs-units] and its costs [rubin2015] [coal-prices] [ipcc2006-coal] [epa-method19]."""

from __future__ import annotations

from dataclasses import dataclass

from .baselines import region_of
from .dataset import HOURS_PER_YEAR, capital_recovery_factor
from .tables import usd, write_csv

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


def write_ccs_units() -> None:
    """ccs_units.csv."""
    write_csv("ccs_units.csv", CCS_UNIT_COLUMNS, (ccs_unit_row(u) for u in CCS_UNITS))
