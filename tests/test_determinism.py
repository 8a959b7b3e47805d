"""The same scenario gives the same money under any solver options, thread count or rerun.

At a MAC step boundary every dual in [left, right derivative] is optimal; which one HiGHS
returns depends on its path. abatelink reports the midpoint (`solve/kinks.py`), so prices,
trades and the three accounts do not move with the options.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abatelink.inputs.scenario import load_scenario
from abatelink.run import run

from factory import both_ways, merge, one_market, solve, write_dataset

RUNS = Path(__file__).resolve().parent.parent / "runs"
OPTIONS = [
    {},
    {"presolve": "off"},
    {"simplex_strategy": 4},  # primal simplex
    {"solver": "ipm"},
    {"solver": "ipm", "run_crossover": "off"},  # no basis: repeated by simplex
]
MONEY = ["national_cost_musd", "government_revenue_musd", "emitters_cost_musd"]


def test_a_price_at_a_step_boundary_is_the_midpoint_under_every_option(tmp_path):
    """A and B each need 10 Mt and abate exactly their first steps (5 and 8 US$/t); the next
    tonne costs 20 (A's second step). Any price in [8, 20] is optimal: 14 is reported."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 90, [10, 10], [5, 20]),
        one_market(tmp_path, "MB", "B", 100, 90, [10, 10], [8, 30]),
        {"links": both_ways("MA", "MB")},
    )
    folder = write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B"], **data)
    for options in OPTIONS:
        result = solve(folder, solver={"options": options})
        prices = result["prices"].set_index("market")["price_usd_per_t"]
        assert prices.to_dict() == pytest.approx({"MA": 14, "MB": 14}), options


def test_an_export_and_an_import_limit_binding_together_share_the_rent_evenly(tmp_path):
    """A (price 20) may export 5 Mt and B (price 30) may import 5 Mt: both limits bind on the
    same 5 Mt, so the 10 US$/t between the prices may be split between A's export rent and
    B's import rent in any way. No priced row is at a kink; the export limit is (its rent is
    0 for more room, 10 for less), and the midpoint, 5 and 5, is reported under every option."""
    data = merge(
        one_market(tmp_path, "MA", "A", 110, 100, [40], [20]),
        one_market(tmp_path, "MB", "B", 112, 100, [10, 10], [30, 40]),
        {
            "links": both_ways("MA", "MB"),
            "limits": [
                {"market": "MA", "period": 2020, "max_export_share": 0.05},
                {"market": "MB", "period": 2020, "max_import_share": 0.05},
            ],
        },
    )
    folder = write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B"], **data)
    for options in OPTIONS:
        result = solve(folder, solver={"options": options})
        prices = result["prices"].set_index("market")["price_usd_per_t"]
        assert prices.to_dict() == pytest.approx({"MA": 20, "MB": 30}), options
        sale = result["trades"].set_index(["from_market", "to_market"]).loc[("MA", "MB")]
        assert sale["volume_mt"] == pytest.approx(5), options
        rents = sale[["export_rent_usd_per_t", "import_rent_usd_per_t"]].tolist()
        assert rents == pytest.approx([5, 5]), options


@pytest.mark.parametrize("name", ["linked", "price-controls", "joint-all"])
def test_regional_money_does_not_move_with_solver_options_or_threads(name):
    scenario = load_scenario(RUNS / f"{name}.yaml")
    reference = run(scenario)["costs"].set_index(["region", "period"])[MONEY]
    variants = [{"options": o} for o in OPTIONS[1:]] + [{"threads": 2}, {}]
    for change in variants:
        solver = scenario.solver.model_copy(update=change)
        costs = run(scenario.model_copy(update={"solver": solver}))["costs"]
        money = costs.set_index(["region", "period"])[MONEY]
        assert money.to_numpy() == pytest.approx(reference.to_numpy(), abs=1e-6), change


def test_equally_cheap_sellers_split_a_purchase_evenly_under_every_option(tmp_path):
    """C buys 10 Mt at US$10 from A or B, which abate at 10 alike: every split is optimal.
    The least-norm plan among the optimal ones (`solve/ties.py`) is 5 and 5."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 100, [20], [10]),
        one_market(tmp_path, "MB", "B", 100, 100, [20], [10]),
        one_market(tmp_path, "MC", "C", 100, 90, [20], [50]),
        {"links": both_ways("MA", "MC") + both_ways("MB", "MC")},
    )
    folder = write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B", "C"], **data)
    for options in OPTIONS:
        trades = solve(folder, solver={"options": options})["trades"]
        bought = trades[trades["to_market"] == "MC"].set_index("from_market")["volume_mt"]
        assert bought.to_dict() == pytest.approx({"MA": 5.0, "MB": 5.0}, abs=1e-6), options
