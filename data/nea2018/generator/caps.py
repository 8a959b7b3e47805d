"""Caps: 2020 target prices [aspi2018] [cap-calibration-2020], the trajectories [cap-trajectory-kr]
[cap-trajectory-cn] [cap-trajectory-jp] and the NDC-consistent K-ETS 2030 cap [cap-ndc-kr]."""

from __future__ import annotations

from .baselines import EMITTERS, MARKETS, covered
from .dataset import PERIOD_YEARS, PERIODS, Key
from .links import OFFSET_SHARE
from .ndc import CN_INTENSITY_VS_2020, JP_FY2013, NDC_YEAR, gdp_index_cn, ndc_targets
from .tables import mt, write_csv

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
# China's trajectory uses its GDP and intensity path (ndc.py) [cap-trajectory-cn]
# caps set by the NDC rule (ndc_consistent_cap) instead of the trajectory [cap-ndc-kr]
NDC_CAPS: tuple[tuple[str, int], ...] = (("KR-ETS", 2030),)


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
