"""MAC curves: the MIMOSA curve [mimosa-mac] with our sector multipliers, in 10 steps of 5% of
the baseline [assumption-mac-sector]."""

from __future__ import annotations

from collections.abc import Iterable

from .baselines import EMITTERS
from .dataset import Key, Step
from .tables import mt, usd, write_csv

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


def write_mac(steps: dict[Key, list[Step]]) -> None:
    """mac.csv."""
    write_csv(
        "mac.csv",
        ["emitter", "period", "step", "quantity_mt", "cost_usd_per_t", "source"],
        (
            [n, t, k, mt(q), usd(c), "assumption-mac-sector"]
            for (n, t), s in steps.items()
            for k, (c, q) in enumerate(s, start=1)
        ),
    )
