"""Receiving grids of Gobi power [gobi-grids]: emission factors [grid-emission-factors], demand
[power-demand], what a grid absorbs [assumption-grid-absorb], the generation it replaces
[avoided-generation]."""

from __future__ import annotations

from .dataset import PERIODS
from .tables import write_csv

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

GRID_COLUMNS = [
    "region",
    "period",
    "emitter",
    "emission_factor_t_per_mwh",
    "max_absorb_twh",
    "avoided_generation_usd_per_mwh",
    "source",
]


def grid_factor(region: str, period: int) -> float:
    """t CO2/MWh on a straight line from 2020 to 2030."""
    start, end = GRID_FACTOR_2020_2030[region]
    return start + (end - start) * (period - 2020) / (2030 - 2020)


def grid_row(region: str, period: int) -> list[object]:
    """One row of grids.csv: what the region's grid can absorb is a share of its demand."""
    absorb = IMPORT_SHARE_OF_DEMAND * POWER_DEMAND_TWH[region][period]
    factor = f"{grid_factor(region, period):.4f}"
    avoided = f"{AVOIDED_GENERATION_USD_PER_MWH[region]:.1f}"
    return [region, period, GRID_EMITTER[region], factor, f"{absorb:.1f}", avoided, "gobi-grids"]


def write_grids() -> None:
    """grids.csv."""
    write_csv("grids.csv", GRID_COLUMNS, (grid_row(r, t) for r in GRID_EMITTER for t in PERIODS))
