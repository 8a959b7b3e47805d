"""National baselines (BAU), markets and emitters [edgar2024] [moe-japan] [gir-korea]
[assumption-bau-growth] [aspi2018] [baseline-cn] [baseline-jp] [baseline-kr]."""

from __future__ import annotations

from .dataset import PERIODS, Key
from .tables import mt, write_csv

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
# Markets where a region surrenders the project credits it receives [assumption-project-credits]
PROJECT_CREDIT_MARKETS: frozenset[str] = frozenset({"CN-ETS", "KR-ETS", "JP-TAX"})

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


def members(market: str) -> list[str]:
    """Emitters whose allowances are surrendered in `market`."""
    return [name for name, _, _, m, _ in EMITTERS if m == market]


def covered(market: str, period: int, base: dict[Key, float]) -> float:
    """Covered emissions of a market, Mt/yr."""
    return sum(base[(name, period)] for name in members(market))


def ets_markets(region: str) -> list[str]:
    """The region's ETS markets."""
    return [m for m, (r, kind, _) in MARKETS.items() if r == region and kind == "ets"]


def region_of(emitter: str) -> str:
    """The region of an emitter of EMITTERS."""
    return next(r for name, r, _, _, _ in EMITTERS if name == emitter)


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


def write_baseline(base: dict[Key, float]) -> None:
    """baseline.csv."""
    write_csv(
        "baseline.csv",
        ["emitter", "period", "emissions_mt", "source"],
        ([n, t, mt(b), f"baseline-{n[:2].lower()}"] for (n, t), b in base.items()),
    )
