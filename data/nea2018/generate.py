"""Write the nea2018 default data set of abatelink from the numbers stated below.

Run from the repository root:  python data/nea2018/generate.py
Every constant names, in brackets, the entry of sources.yaml it comes from. The script rewrites
dataset.yaml and every CSV of this folder, checks them, and prints the hand-computed autarky
prices with banking (Hotelling paths, per market and period; the model's autarky run gives the
same), the NDC shadow prices and the NDC feasibility check quoted in README.md.
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

DATASET_YAML = f"""\
name: nea2018
title: Northeast Asia linked carbon markets, calibrated to ASPI/KPMG (2018)
vintage: 2026-11            # when the numbers were assembled
periods: [2020, 2025, 2030] # representative years
period_years: {{2020: {PERIOD_YEARS}, 2025: {PERIOD_YEARS}, 2030: {PERIOD_YEARS}}}
discount_rate: {DISCOUNT_RATE}         # per year, real
currency_year: 2020         # US$ of this year
units: {{emissions: Mt CO2/yr, price: USD/t, cost: USD million/yr}}  # JP, KR: Mt CO2e (see README)
regions:
  CN: China
  JP: Japan
  KR: Korea
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
        ["market", "region", "kind", "description", "source"],
        ([m, r, k, d, "aspi2018"] for m, (r, k, d) in MARKETS.items()),
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
    check_steps(base, steps)
    check_sources()
    report_autarky(base, steps, cap, prices)
    report_ndc(base, steps)


if __name__ == "__main__":
    main()
