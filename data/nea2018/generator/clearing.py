"""A region's allowance demand and NDC shadow price in one period, under the data set's rules:
KR offsets [aspi2018], the JP tax [japan-tax], the 2030 NDCs [assumption-ndc-basis]."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .baselines import EMITTERS, covered, ets_markets
from .dataset import Key, Step
from .links import OFFSET_SHARE, tax_rate
from .ndc import NDC_YEAR, ndc_targets
from .tables import require

TOLERANCE = 1e-9  # Mt


@dataclass(frozen=True)
class Piece:
    """A MAC step, or part of one, as its region's NDC sees it in one period."""

    threshold: float  # NDC shadow price (US$/t) above which it is abated: cost - price earned
    quantity: float  # Mt/yr
    market: str  # the ETS market whose allowance demand it lowers ("" = none)


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
