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


BANKRUPTCY = """coalition,value_musd,source
,0,
1,0,
2,0,
3,0,
1+2,0,
1+3,0,
2+3,100,
1+2+3,200,Aumann & Maschler (1985): estate 200; claims 100 200 300
"""


@pytest.mark.parametrize(
    ("solution", "expected"),
    [
        # the Talmud division of Aumann & Maschler (1985) is this game's nucleolus
        ("nucleolus", {"1": 50, "2": 75, "3": 75}),
        # by hand over the 6 orders: 1 adds 100 in two of them, 2 and 3 add 500 in all
        ("shapley", {"1": 200 / 6, "2": 500 / 6, "3": 500 / 6}),
    ],
)
def test_share_solves_a_game_given_as_a_table(tmp_path, solution, expected):
    table = tmp_path / "bankruptcy.csv"
    table.write_text(BANKRUPTCY)
    out = tmp_path / "out"
    assert main(["share", "--values", str(table), "--solution", solution, "--out", str(out)]) == 0
    allocation = pd.read_csv(out / "allocation.csv", dtype={"region": str}).set_index("region")
    assert allocation["allocated_saving_musd"].to_dict() == pytest.approx(expected)
    assert (allocation["game_solution"] == solution).all()
    coalitions = pd.read_csv(out / "coalitions.csv")
    assert len(coalitions) == 8 and coalitions["value_musd"].max() == pytest.approx(200)


def test_a_glove_game_from_a_table_has_its_core_at_the_single_left_glove(tmp_path, capsys):
    table = tmp_path / "glove.csv"
    rows = {"L": 0, "R1": 0, "R2": 0, "L+R1": 1, "L+R2": 1, "R1+R2": 0, "L+R1+R2": 1}
    table.write_text("coalition,value_musd\n" + "".join(f"{k},{v}\n" for k, v in rows.items()))
    assert main(["share", "--values", str(table), "--solution", "nucleolus"]) == 0
    written = tmp_path / "results" / "glove" / "share-nucleolus" / "allocation.csv"
    allocation = pd.read_csv(written).set_index("region")
    assert allocation["allocated_saving_musd"].to_dict() == pytest.approx(
        {"L": 1, "R1": 0, "R2": 0}
    )
    assert allocation["in_core"].all()
    main(["share", "--values", str(table), "--solution", "shapley", "--out", str(tmp_path / "s")])
    assert "would walk away" in capsys.readouterr().out  # (2/3, 1/6, 1/6) is not in the core


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("coalition,value_musd\nA,1\nA+B,x\n", "line 3, column 'value_musd': expected a finite"),
        ("coalition,value_musd\nA,1\nA+B,3\n", "missing 1 of the 4 coalitions: B"),
        ("coalition,value_musd\nA,1\nA+,2\nB,0\n", "line 3, column 'coalition': expected player"),
        ("coalition,value\nA,1\n", "missing column 'value_musd'"),
    ],
)
def test_a_bad_game_table_is_named_and_exits_4(tmp_path, capsys, text, words):
    table = tmp_path / "game.csv"
    table.write_text(text)
    assert main(["share", "--values", str(table)]) == 4
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_game_solution_prints_no_solver_banner(tmp_path, capfd):
    table = tmp_path / "bankruptcy.csv"
    table.write_text(BANKRUPTCY)
    assert main(["share", "--values", str(table), "--solution", "nucleolus"]) == 0
    out = capfd.readouterr().out
    assert "Running HiGHS" not in out and "sharing the savings of bankruptcy" in out
