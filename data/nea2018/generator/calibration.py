"""Cap calibration with banking: Hotelling price paths at the discount rate, each 2020 cap set
halfway down the MAC step nearest its target price [cap-calibration-2020] [banking-rules]."""

from __future__ import annotations

import math
from collections.abc import Callable

from .baselines import MARKETS, covered, ets_markets
from .caps import TARGET_PRICE_2020, cap_2020_for_budget, cap_path
from .clearing import TOLERANCE, clear_region
from .dataset import DISCOUNT_RATE, PERIOD_YEARS, PERIODS, Key, Step
from .links import BORROW_SHARE
from .tables import require

SEARCH_WIDTH = 2.0  # look for the calibration step between target / 2 and target * 2
SEARCH_POINTS = 1000  # grid points of that search
BISECTIONS = 60  # to locate a step on the grid
EDGE = 1e-9  # relative distance from a step at which the demand on either side is read
MIN_DROP = 1.0  # Mt: the calibration step must be this large, so rounding caps cannot move it
MAX_ROUNDS = 50  # of the calibration of one market (offset limits move with the cap)


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
