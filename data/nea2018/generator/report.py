"""The printed report: autarky prices and banks with banking, NDC shadow prices and feasibility,
CCS levelised costs [yang2022] and the cost of Gobi power delivered (no numbers of its own)."""

from __future__ import annotations

from .baselines import EMITTERS, covered, ets_markets
from .calibration import EDGE, bank_path, grown, hotelling_demand
from .ccs import (
    CCS_LIFETIME_YEARS,
    CCS_UNITS,
    YANG_CAPTURE_CNY_PER_T,
    unit_capex,
    unit_capture,
    unit_capture_cost_cny,
    unit_co2_mt,
    unit_cost_per_t_avoided,
    unit_pm_t,
    unit_variable_cost,
)
from .clearing import clear_region
from .dataset import DISCOUNT_RATE, PERIODS, REGIONS, Key, Step, capital_recovery_factor
from .grids import AVOIDED_GENERATION_USD_PER_MWH, grid_factor
from .mac import autarky_price
from .ndc import NDC_YEAR, ndc_targets
from .supergrid import CORRIDORS, path_cost_per_mwh
from .tables import require


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


def report_ccs() -> None:
    """Print each unit's levelised cost per tonne avoided (the model's annual cost / avoided)."""
    crf = capital_recovery_factor(CCS_LIFETIME_YEARS)
    print(f"CCS units (CRF {crf:.4f} at {DISCOUNT_RATE:.0%}, {CCS_LIFETIME_YEARS} yr):")
    print(
        "  unit            MW   co2_mt captured avoided capex/kW var/t  US$/t_avoided"
        "  capture_CNY/t  pm_t"
    )
    for u in CCS_UNITS:
        captured, avoided = unit_capture(u)
        print(
            f"  {u.unit:14s}{u.capacity_mw:5.0f} {unit_co2_mt(u):8.3f} {captured:8.3f}"
            f" {avoided:7.3f} {unit_capex(u):8.0f} {unit_variable_cost(u):5.1f}"
            f" {unit_cost_per_t_avoided(u):14.1f} {unit_capture_cost_cny(u):14.0f}"
            f" {unit_pm_t(u):6.1f}"
        )
    now, later = YANG_CAPTURE_CNY_PER_T
    print(f"  (capture alone, Yang et al. 2022: {now:.0f} -> {later:.0f} CNY/t in 2030-31)")


def report_supergrid() -> None:
    """Print the cost of Gobi power delivered to each grid and per tonne it displaces in 2030."""
    chain = {c.corridor: c for c in CORRIDORS}
    paths = {
        "CN": [chain["mn-cn"]],
        "KR": [chain["mn-cn"], chain["cn-kr"]],
        "JP": [chain["mn-cn"], chain["cn-kr"], chain["kr-jp"]],
    }
    print("Gobi power from south-gobi, net of the generation it replaces (avoided-generation):")
    for region, legs in paths.items():
        per_mwh = path_cost_per_mwh(legs)
        net = per_mwh - AVOIDED_GENERATION_USD_PER_MWH[region]
        per_t = net / grid_factor(region, 2030)
        print(
            f"  -> {region}: {per_mwh:6.1f} US$/MWh delivered, {net:6.1f} net, "
            f"{per_t:6.1f} US$/t displaced 2030"
        )
