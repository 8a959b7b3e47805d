"""The data set's frame and dataset.yaml: regions, periods, the discount rate and US$ of 2020
[cap-calibration-2020]; Mongolia as a host region [gobitec2014]."""

from __future__ import annotations

PERIODS: tuple[int, ...] = (2020, 2025, 2030)
REGIONS: dict[str, str] = {"CN": "China", "JP": "Japan", "KR": "Korea"}
# Regions that host a project but have no emitters [gobitec2014]
HOST_REGIONS: dict[str, str] = {"MN": "Mongolia"}
# Sellers of international offsets outside the model [kets-international-offsets] [jcm-supply]
OUTSIDE_REGIONS: dict[str, str] = {"ROW": "Other hosts of CDM and JCM projects"}

# --- calibration with banking: prices rise at the discount rate (Hotelling) [cap-calibration-2020]
DISCOUNT_RATE = 0.05  # per year, real; written to dataset.yaml
PERIOD_YEARS = 5  # years each period stands for; written to dataset.yaml

HOURS_PER_YEAR = 8760

Key = tuple[str, int]
Step = tuple[float, float]  # (cost US$/t, quantity Mt/yr)

REGION_LINES = "\n".join(f"  {code}: {name}" for code, name in {**REGIONS, **HOST_REGIONS}.items())
OUTSIDE_LINES = "\n".join(f"  {code}: {name}" for code, name in OUTSIDE_REGIONS.items())
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
outside_regions:            # sellers of international offsets outside the model
{OUTSIDE_LINES}
"""


def capital_recovery_factor(years: float) -> float:
    """CRF = r / (1 - (1 + r)^-n) at the data set's discount rate: annuity per unit of capital."""
    return DISCOUNT_RATE / (1 - (1 + DISCOUNT_RATE) ** -years)
