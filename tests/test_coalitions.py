"""Coalition values from the model, and sharing them: checked against hand-computed games."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from abatelink.cli import main
from abatelink.games.allocation import allocate
from abatelink.inputs.scenario import Scenario, load_scenario
from abatelink.results.costs import present_value
from abatelink.run import run

from factory import both_ways, merge, one_market, solve, write_dataset


def three_countries(tmp_path):
    """A and B gain from linking (prices 12 and 60 alone); D has no link to anyone."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10, 10, 10, 10], [5, 12, 20, 40]),
        one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [15, 30, 60]),
        one_market(tmp_path, "MD", "D", 100, 90, [10, 10], [25, 50]),
        {"links": both_ways("MA", "MB")},
    )
    return write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B", "D"], **data)


def scenario(folder, **options) -> Scenario:
    return Scenario(name="three", dataset=str(folder), links="all", **options)


def test_coalition_values_match_the_merit_order_by_hand(tmp_path):
    result = allocate(scenario(three_countries(tmp_path)), "shapley")
    values = result.coalitions.set_index("coalition")["value_musd"]
    # Alone: A 10·5 + 10·12 = 170, B 10·15 + 10·30 + 5·60 = 750, D 10·25 = 250.
    # Linked A+B: 45 Mt at 5, 12, 15, 20 (10 each) and 5 at 30 = 670, saving 250.
    alone = result.table.set_index("region")["standalone_cost_musd"]
    assert alone.to_dict() == pytest.approx({"A": 170, "B": 750, "D": 250})
    assert values["A+B"] == pytest.approx(250)
    assert values["A+B+D"] == pytest.approx(250)
    for singleton in ("A", "B", "D", "∅"):
        assert values[singleton] == pytest.approx(0, abs=1e-6)


def test_countries_that_gain_nothing_from_each_other_add_up(tmp_path):
    values = allocate(scenario(three_countries(tmp_path)), "shapley").coalitions.set_index(
        "coalition"
    )["value_musd"]
    assert values["A+D"] == pytest.approx(values["A"] + values["D"], abs=1e-6)
    assert values["B+D"] == pytest.approx(values["B"] + values["D"], abs=1e-6)


def test_shapley_sharing_is_carried_out_by_side_payments(tmp_path):
    result = allocate(scenario(three_countries(tmp_path)), "shapley")
    allocation = result.table.set_index("region")
    # A two-player game with a dummy: A and B split the 250 equally, D gets nothing.
    assert allocation["allocated_saving_musd"].to_dict() == pytest.approx(
        {"A": 125, "B": 125, "D": 0}, abs=1e-6
    )
    # Linked at 30 US$/t: A abates 30 (370) and sells 10 (−300) → 70; B 300 + 300 → 600.
    assert allocation["grand_coalition_cost_musd"].to_dict() == pytest.approx(
        {"A": 70, "B": 600, "D": 250}
    )
    # A already saves 100 in the market; Shapley gives it 125, so B pays A 25.
    assert allocation.loc["A", "side_payment_received_musd"] == pytest.approx(25)
    assert allocation.loc["B", "side_payment_received_musd"] == pytest.approx(-25)
    assert allocation["side_payment_received_musd"].sum() == pytest.approx(0, abs=1e-6)
    assert result.core.in_core


def test_a_credit_rule_allocates_what_each_saves_in_the_grand_coalition(tmp_path):
    result = allocate(scenario(three_countries(tmp_path), credit_rule="host"), None)
    allocation = result.table.set_index("region")["allocated_saving_musd"]
    assert allocation.to_dict() == pytest.approx({"A": 100, "B": 150, "D": 0}, abs=1e-6)


def test_share_command_writes_coalitions_and_allocation(tmp_path, capsys):
    folder = three_countries(tmp_path)
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump({"name": "three", "dataset": "data", "links": "all"}))
    assert (
        main(["share", str(path), "--solution", "nucleolus", "--out", str(tmp_path / "out")]) == 0
    )
    coalitions = pd.read_csv(tmp_path / "out" / "coalitions.csv")
    assert set(coalitions["coalition"]) == {"∅", "A", "B", "D", "A+B", "A+D", "B+D", "A+B+D"}
    allocation = pd.read_csv(tmp_path / "out" / "allocation.csv").set_index("region")
    assert allocation["allocated_saving_musd"].to_dict() == pytest.approx(
        {"A": 125, "B": 125, "D": 0}, abs=1e-6
    )
    assert allocation["in_core"].all()
    assert "In the core" in capsys.readouterr().out
    assert folder.exists()


def test_share_by_a_credit_rule_names_the_rule_not_a_game_solution(tmp_path):
    three_countries(tmp_path)
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump({"name": "three", "dataset": "data", "links": "all"}))
    out = tmp_path / "out"
    assert main(["share", str(path), "--credit-rule", "equal", "--out", str(out)]) == 0
    allocation = pd.read_csv(out / "allocation.csv").set_index("region")
    assert allocation["game_solution"].isna().all()  # empty: no side payments
    assert allocation["side_payment_received_musd"].abs().max() == pytest.approx(0)
    assert allocation["allocated_saving_musd"].to_dict() == pytest.approx(
        {"A": 100, "B": 150, "D": 0}, abs=1e-6
    )


def test_a_scenario_can_share_by_shapley(tmp_path):
    result = solve(three_countries(tmp_path), game_solution="shapley")
    allocation = result["allocation"].set_index("region")
    assert allocation["allocated_saving_musd"].sum() == pytest.approx(250)
    assert len(result["coalitions"]) == 8


JOINT_ALL = Path(__file__).resolve().parent.parent / "runs" / "joint-all.yaml"


def test_share_prices_a_mip_like_run_so_side_payments_sum_to_zero():
    """On joint-all (a MILP: projects may be built) share's grand-coalition costs are run's
    regional present values, and the side payments carrying out a game solution net to zero."""
    scenario = load_scenario(JOINT_ALL)
    ran = run(scenario)
    assert ran.solution.is_mip
    costs = ran["costs"]
    weight = costs["period"].map(ran.model.index.weight)
    by_run = (costs["national_cost_musd"] * weight).groupby(costs["region"]).sum()
    shared = allocate(scenario, "shapley").table.set_index("region")
    assert shared["grand_coalition_cost_musd"].to_dict() == pytest.approx(
        by_run.to_dict(), abs=1e-6
    )
    assert shared["side_payment_received_musd"].sum() == pytest.approx(0.0, abs=1e-6)
    # final cost = standalone − allocated saving = grand cost − side payment received
    assert (
        shared["grand_coalition_cost_musd"] - shared["side_payment_received_musd"]
    ).to_numpy() == pytest.approx(shared["final_cost_musd"].to_numpy(), abs=1e-6)


def test_autarky_is_one_thing_for_run_compare_and_share():
    """runs/autarky.yaml (cross-border links closed, domestic ones open) costs each country what
    share's standalone costs it on runs/linked.yaml."""
    runs = JOINT_ALL.parent
    alone = run(load_scenario(runs / "autarky.yaml"))
    by_run = present_value(alone["costs"], alone.model.index)
    standalone = allocate(load_scenario(runs / "linked.yaml"), "shapley").table
    assert standalone.set_index("region")["standalone_cost_musd"].to_dict() == pytest.approx(
        by_run.to_dict(), abs=1e-6
    )
