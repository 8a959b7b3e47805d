"""2030 NDC targets on the gross-emissions basis [japan-ndc] [japan-sinks] [korea-ndc] [ndc-cn],
and China's GDP and CO2-intensity path [china-gdp] [china-14fyp] [china-intensity]."""

from __future__ import annotations

from .baselines import OBSERVED_2020
from .tables import mt, write_csv

NDC_YEAR = 2030  # the year of the ndc.csv targets

# China's CO2 per GDP relative to 2020 [china-14fyp] [china-intensity]
CN_INTENSITY_VS_2020: dict[int, float] = {2020: 1.0, 2025: 1 - 0.18, 2030: (1 - 0.65) / (1 - 0.484)}
# China's real GDP growth per year over the 5 years to the period [china-gdp]
CN_GDP_GROWTH: dict[int, float] = {2025: 0.053, 2030: 0.040}

# --- NDC 2030 (gross emissions basis: net target + planned LULUCF removals) ----------------------
JP_FY2013, JP_NDC_CUT, JP_SINKS_2030 = 1408.0, 0.46, 47.7  # [japan-ndc] [japan-sinks]
KR_2018, KR_NDC_CUT, KR_SINKS_2030 = 727.6, 0.40, 26.7  # [korea-ndc]


def gdp_index_cn(period: int) -> float:
    """China's real GDP relative to 2020."""
    index = 1.0
    for t, growth in CN_GDP_GROWTH.items():
        if t <= period:
            index *= (1 + growth) ** 5
    return index


def ndc_targets() -> dict[str, float]:
    """2030 ceilings, Mt/yr: CN intensity target made absolute; JP, KR net target + LULUCF sinks."""
    return {
        "CN": round(OBSERVED_2020["CN"] * gdp_index_cn(2030) * CN_INTENSITY_VS_2020[2030], 3),
        "JP": round(JP_FY2013 * (1 - JP_NDC_CUT) + JP_SINKS_2030, 3),
        "KR": round(KR_2018 * (1 - KR_NDC_CUT) + KR_SINKS_2030, 3),
    }


def write_ndc() -> None:
    """ndc.csv: 2030 targets."""
    source = {"CN": "ndc-cn", "JP": "ndc-jp", "KR": "ndc-kr"}
    write_csv(
        "ndc.csv",
        ["region", "period", "target_mt", "source"],
        ([r, 2030, mt(v), source[r]] for r, v in ndc_targets().items()),
    )
