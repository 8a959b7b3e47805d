"""Offtake sharing is a fixed point of its rule: the shares equal the delivered-energy shares of
the solve under them, and of the consistent points found the cheapest is returned (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest

from abatelink.errors import SolveError
from abatelink.inputs.scenario import (
    Scenario,
    SolverOptions,
    scenario_dataset,
    scenario_inputs,
    scenario_periods,
)
from abatelink.model.build import build
from abatelink.model.levers import set_credit_shares, set_inputs
from abatelink.solve.offtake import delivered_energy
from abatelink.solve.priced import solve
from abatelink.solve.session import Session

from factory import merge, one_market, supergrid, write_dataset
from factory import solve as run_scenario

EXACT = SolverOptions(mip_rel_gap=0.0)  # optimal MILPs: objectives comparable to 1e-9


def session_for(folder, **scenario):
    """A model of the data set in `folder` with its scenario's parameters set, in a session."""
    chosen = Scenario(name="test", dataset=str(folder), links="none", **scenario)
    dataset = scenario_dataset(chosen)
    inputs = scenario_inputs(chosen, dataset)
    model = build(dataset, scenario_periods(chosen, dataset))
    set_inputs(model, inputs)
    return Session(model), inputs


def shares_of(session) -> dict[str, float]:
    """The grid's credit shares by region as the model holds them."""
    params = session.model.pyomo.credit_share
    return {r: v.value for (p, r), v in params.items() if p == "grid"}


def delivered_share(session, solution) -> float | None:
    """F_B: B's share of the energy the grid delivers (None: nothing delivered)."""
    energy = delivered_energy(session, solution)["grid"]
    total = sum(energy.values())
    return energy.get("B", 0.0) / total if total > 1e-9 else None


def hand_data(tmp_path):
    """Credits are worth 100 US$/t in B (20 Mt to abate, one MAC step at 100) and nothing in C
    (its cap is its baseline). The grid, one module per corridor, delivers 4 TWh to B (0.5 t/MWh)
    and 3 TWh to C (0.8 t/MWh): 4.4 Mt of credits. Power costs 10 US$ M/TWh at the site
    (43.8 US$/kW-yr at 4.38 TWh/GW-yr), m-b and b-c modules 60 and 40 US$ M/yr."""
    data = merge(
        one_market(tmp_path, "MB", "B", 100, 80, [30], [100]),
        one_market(tmp_path, "MC", "C", 100, 100, [30], [50]),
        supergrid(max_modules=1, absorb_twh={"B": 4.0, "C": 3.0}),
    )
    for row in data["markets"]:
        row["project_credits"] = True
    data["sites"][0].update(capex_usd_per_kw=0.0, fixed_om_usd_per_kw_yr=43.8)
    for row, annual_musd in zip(data["corridors"], (60.0, 40.0), strict=True):
        # size 1 GW · 100 km · capex · CRF (1/40 at a zero discount rate) = annual_musd
        row["capex_musd_per_gw_km"] = annual_musd * 40 / 100
    return write_dataset(tmp_path / "hand", periods=[2020], regions=["M", "B", "C"], **data)


def test_offtake_finds_the_building_fixed_point_that_equal_shares_miss(tmp_path):
    session, inputs = session_for(hand_data(tmp_path), credit_rule="offtake")
    # Built whole: 4/0.95 + 3/(0.95·0.9) TWh generated at 10, plus 100 of modules.
    project = 10 * (4 / 0.95 + 3 / (0.95 * 0.9)) + 60 + 40  # 177.19 US$ M/yr
    credits = 0.5 * 4 + 0.8 * 3  # 4.4 Mt/yr
    nothing = 20 * 100.0  # B abates its 20 Mt at 100

    # Where the old iteration stopped: equal shares (M, B, C a third each) leave B 1.47 Mt
    # worth 147 < 177 (and B alone, 0.67 Mt worth 67 for 102, no better): nothing is built,
    # and with nothing delivered the shares fell back to equal.
    set_credit_shares(session.model, inputs, "grid")
    equal = session.solve(EXACT)
    assert delivered_share(session, equal) is None
    assert equal.objective == pytest.approx(nothing)

    priced = solve(session, inputs, EXACT)
    # The fixed point: built whole, B takes 4 of 7 TWh, so s_B = 4/7 and B abates
    # 20 − 4.4·4/7 Mt: 2000 − 251.43 + 177.19 = 1925.76 < 2000. Under s_B = 4/7 building
    # whole beats B alone (251.43 − 177.19 = 74.24 > 114.29 − 102.11) and not building.
    # It is the only one that builds: whatever builds whole delivers 4:3, and B alone (F = 1)
    # loses to building whole at s_B = 1 (440 − 177.19 > 200 − 102.11).
    assert delivered_energy(session, priced.solution)["grid"] == pytest.approx({"B": 4, "C": 3})
    assert shares_of(session) == pytest.approx({"M": 0, "B": 4 / 7, "C": 3 / 7})
    assert priced.solution.objective == pytest.approx(nothing - 100 * credits * 4 / 7 + project)
    assert priced.solution.objective == pytest.approx(1925.764411)
    # Solves: equal shares, host rule, B's vertex, 4/7, C's vertex, 4/7 again to finish on it.
    assert priced.offtake_rounds == 6


def test_offtake_runs_end_to_end_with_the_fixed_point_in_the_tables(tmp_path):
    result = run_scenario(hand_data(tmp_path), links="none", credit_rule="offtake")
    credits = result["credits"].set_index("region")
    assert credits["delivered_twh"].to_dict() == pytest.approx({"M": 0, "B": 4, "C": 3})
    assert credits["share"].to_dict() == pytest.approx({"M": 0, "B": 4 / 7, "C": 3 / 7})
    assert result.summary["offtake_iterations"] == result.priced.offtake_rounds >= 1


STEP = 0.02


def generated(tmp_path, seed: int):
    """A random grid of the `supergrid` factory: B and C each with an ETS (2–3 MAC steps at
    20–150 US$/t, 5–25 and 0–15 Mt to abate), emission factors 0.3–1 t/MWh, 2–8 TWh to absorb,
    1–2 modules of 10–80 US$ M/yr per corridor, site power at 20–80 US$/kW-yr."""
    rng = np.random.default_rng(seed)

    def market(name: str, region: str, need: float):
        n = int(rng.integers(2, 4))
        quantities = list(np.round(rng.uniform(10, 20, n), 1))
        costs = sorted(np.round(rng.uniform(20, 150, n), 0))
        return one_market(tmp_path, name, region, 100, 100 - need, quantities, costs)

    data = merge(
        market("MB", "B", round(rng.uniform(5, 25), 1)),
        market("MC", "C", round(rng.uniform(0, 15), 1)),
        supergrid(
            max_modules=int(rng.integers(1, 3)),
            absorb_twh={"B": round(rng.uniform(2, 8), 1), "C": round(rng.uniform(2, 8), 1)},
            emission_factor={
                "B": round(rng.uniform(0.3, 1), 2),
                "C": round(rng.uniform(0.3, 1), 2),
            },
        ),
    )
    for row in data["markets"]:
        row["project_credits"] = True
    om = round(rng.uniform(20, 80), 1)
    data["sites"][0].update(capex_usd_per_kw=0.0, fixed_om_usd_per_kw_yr=om)
    for row in data["corridors"]:
        row["capex_musd_per_gw_km"] = round(rng.uniform(10, 80), 0) * 40 / 100
    folder = tmp_path / f"seed{seed}"
    return write_dataset(folder, periods=[2020], regions=["M", "B", "C"], **data)


def at(session, inputs, s_b: float) -> tuple[float | None, float]:
    """F_B and the objective of the solve with credit shares (B: s_b, C: 1 − s_b)."""
    set_credit_shares(session.model, inputs, "grid", {"B": s_b, "C": 1 - s_b})
    solution = session.solve(EXACT)
    return delivered_share(session, solution), solution.objective


def consistent_objectives(session, inputs) -> list[float]:
    """Objectives of the consistent points a grid over s_B ∈ [0, 1] in steps of 0.02 finds.

    A grid point delivering nothing is consistent (no credits: any shares fit). One that
    delivers is a candidate if |F(g) − g| ≤ STEP/2: a fixed point s* whose piece of constant F
    reaches a grid point on either side has one within STEP/2 of it, where F(g) = s*. The
    candidate s* = F(g) is then solved and kept if |F(s*) − s*| ≤ 1e-6 (a few plain steps
    s ← F(s) more where F has a slope there): a grid point next to a jump of F passes the
    STEP/2 test with no fixed point near, so the grid's own objective could not be trusted.
    """
    found = []
    for g in np.round(np.arange(0, 1 + STEP / 2, STEP), 10):
        share, objective = at(session, inputs, g)
        if share is None:
            found.append(objective)
            continue
        if abs(share - g) > STEP / 2:
            continue
        for _ in range(20):
            moved, objective = at(session, inputs, share)
            if moved is None or abs(moved - share) <= 1e-6:
                found.append(objective)
                break
            share = moved
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 8, 11, 22])
def test_offtake_beats_every_consistent_point_of_a_brute_force_grid(tmp_path, seed):
    session, inputs = session_for(generated(tmp_path, seed), credit_rule="offtake")
    try:
        priced = solve(session, inputs, EXACT)
    except SolveError:
        assert consistent_objectives(session, inputs) == []  # none on the grid either
        return
    ours = priced.solution.objective
    share = delivered_share(session, priced.solution)
    if share is not None:  # the shares it returns are those of its deliveries
        expected = {"M": 0, "B": share, "C": 1 - share}
        assert shares_of(session) == pytest.approx(expected, abs=1e-6)
    grid = consistent_objectives(session, inputs)
    assert ours <= min(grid, default=np.inf) + 1e-6 * abs(ours)
