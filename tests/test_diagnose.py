"""Infeasible scenarios are diagnosed: which commitment breaks, where, when and by how much."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from abatelink.cli import main

from factory import both_ways, merge, one_market, solve, write_dataset


def tight_ndc(tmp_path, target: float = 60.0, name: str = "d"):
    """A can abate 30 of its 100 Mt; its NDC asks for `target`; B is a willing seller."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 100, [10, 10, 10], [5, 12, 20]),
        one_market(tmp_path, "MB", "B", 100, 100, [10, 10], [1, 2]),
        {
            "links": both_ways("MA", "MB"),
            "ndc": [{"region": "A", "period": 2020, "target_mt": target}],
        },
    )
    return write_dataset(tmp_path / name, periods=[2020], regions=["A", "B"], **data)


def test_a_tight_ndc_is_diagnosed_with_its_shortfall(tmp_path):
    result = solve(tight_ndc(tmp_path), links="none")
    assert result.status in ("infeasible", "infeasible_or_unbounded")
    diagnosis = result["diagnosis"]
    assert len(diagnosis) == 1
    row = diagnosis.iloc[0]
    assert (row["commitment"], row["market_or_region"], row["period"]) == ("NDC target", "A", 2020)
    # Alone, A's emissions cannot fall below 100 − 30 = 70 Mt: 10 Mt short of 60.
    assert row["relaxation_mt"] == pytest.approx(10, rel=0.01)
    assert "NDC target of A in 2020 cannot be kept" in result.summary["diagnosis"][0]


def test_linking_lets_the_same_ndc_be_met_with_bought_allowances(tmp_path):
    result = solve(tight_ndc(tmp_path), links="all")
    assert result.status == "optimal"
    ndc = result["ndc"].set_index("region")
    # 40 Mt in all, cheapest first: B's 1 and 2 US$/t steps (bought by A), A's 5 and 12.
    assert ndc.loc["A", "accounted_mt"] == pytest.approx(60)
    assert ndc.loc["A", "inventory_mt"] == pytest.approx(80)
    assert ndc.loc["A", "adjustment_mt"] == pytest.approx(-20)


def test_an_import_limit_that_breaks_the_ndc_is_named_too(tmp_path):
    folder = tight_ndc(tmp_path)
    result = solve(
        folder,
        links="all",
        overrides={"limits": [{"where": {"market": "MA"}, "set": {"max_import_share": 0.04}}]},
    )
    diagnosis = result["diagnosis"]
    # A can import 4 Mt; 6 Mt short. Relaxing the NDC or the import limit costs the same, so
    # either may be named, but together they add up to the 6 Mt.
    assert diagnosis["relaxation_mt"].sum() == pytest.approx(6, rel=0.01)
    assert set(diagnosis["commitment"]) <= {"NDC target", "import limit"}


def test_the_cli_exits_2_prints_the_diagnosis_and_writes_it(tmp_path, capsys):
    tight_ndc(tmp_path)
    path = tmp_path / "tight.yaml"
    path.write_text(yaml.safe_dump({"name": "tight", "dataset": "d", "links": "none"}))
    assert main(["run", str(path)]) == 2
    out = capsys.readouterr().out
    assert "infeasible" in out and "diagnosis: the NDC target of A in 2020" in out
    folder = tmp_path / "results" / "tight"
    diagnosis = pd.read_csv(folder / "diagnosis.csv")
    assert diagnosis.loc[0, "relaxation_mt"] == pytest.approx(10, rel=0.01)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] in ("infeasible", "infeasible_or_unbounded")
    assert not (folder / "prices.csv").exists()


def test_diagnose_on_a_feasible_scenario_finds_nothing_and_leaves_the_model_as_it_was(tmp_path):
    folder = tight_ndc(tmp_path, target=80)
    plain = solve(folder, links="none")
    from abatelink.inputs.scenario import Scenario
    from abatelink.run import run

    checked = run(Scenario(name="x", dataset=str(folder), links="none"), diagnose_always=True)
    assert checked["diagnosis"].empty
    assert checked.summary["diagnosis"] == [
        "no commitment needs relaxing: the scenario is feasible as it stands"
    ]
    assert checked.solution.objective == pytest.approx(plain.solution.objective)
    m = checked.model.pyomo
    assert (m.elastic_max_mt.value, m.elastic_penalty_usd_per_t.value) == (0.0, 0.0)
    # The session re-solves as before once the diagnosis has put the slacks back to zero.

    assert checked.session.solve().objective == pytest.approx(plain.solution.objective)


def test_badly_scaled_units_give_a_warning(tmp_path):
    from abatelink.solve.numerics import range_warnings

    assert range_warnings({"matrix": (1.0, 10.0), "cost": (1e-6, 1e5)}) == [
        "cost coefficients span 1e-06 to 1e+05 (ratio 1.0e+11 > 1e+09): check the units of "
        "the data (Mt, US$/t, US$ million)"
    ]
    # Emissions given in tonnes instead of Mt (×1e6), costs unchanged: the bounds spread.
    data = merge(one_market(tmp_path, "MA", "A", 100e6, 80e6, [10e6, 10e6, 1e-4], [5, 12, 20]))
    result = solve(
        write_dataset(tmp_path / "t", periods=[2020], regions=["A"], **data), links="none"
    )
    assert any(w.startswith("bound coefficients span") for w in result.summary["warnings"])
    assert solve(tight_ndc(tmp_path, 80, "ok"), links="none").summary["warnings"] == []


def knapsack(tmp_path):
    """150 CCS units of 1–3 Mt must together avoid what a 500 US$/t step would: a knapsack."""
    import random

    from factory import ccs_unit

    rng = random.Random(11)
    data = merge(one_market(tmp_path, "MA", "A", 800, 600, [300], [500]))
    data["projects"] = [{"project": "ccs", "kind": "ccs"}]
    data["participants"] = [{"project": "ccs", "region": "A"}]
    data["ccs_units"] = [
        ccs_unit(
            f"u{i}",
            "ccs",
            "MA-e",
            co2_mt=round(rng.uniform(1, 3), 3),
            cost_usd_per_t_captured=round(30 + rng.uniform(-3, 3), 3),
        )
        for i in range(150)
    ]
    return write_dataset(tmp_path / "knapsack", periods=[2020], regions=["A"], **data)


def test_a_milp_stopped_at_a_limit_writes_its_incumbent_marked_with_its_gap(tmp_path):
    folder = knapsack(tmp_path)
    stop_early = {"presolve": "off", "mip_max_improving_sols": 1, "mip_heuristic_effort": 0.0}
    path = tmp_path / "early.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "early",
                "dataset": "knapsack",
                "links": "none",
                "solver": {"options": stop_early},
            }
        )
    )
    assert main(["run", str(path)]) == 3
    summary = json.loads((tmp_path / "results" / "early" / "summary.json").read_text())
    assert summary["status"] == "solution_limit" and summary["has_solution"]
    assert summary["mip_gap"] > 1e-3  # not proven optimal: the gap says how far it may be
    assert summary["prices_conditional_on_build"]
    best = solve(folder, links="none")
    assert best.status == "optimal"
    assert summary["objective_present_value_musd"] >= best.solution.objective - 1e-6
    assert pd.read_csv(tmp_path / "results" / "early" / "projects.csv")["built"].any()


def test_the_time_limit_and_gap_of_the_command_line_reach_the_solver(tmp_path):
    from abatelink.cli import _parser, _with_solver_flags
    from abatelink.inputs.scenario import load_scenario

    tight_ndc(tmp_path, target=80)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "dataset": "d", "solver": {"time_limit": 600}}))
    args = _parser().parse_args(["run", str(path), "--time-limit", "7.5", "--mip-gap", "0.02"])
    scenario = _with_solver_flags(load_scenario(path), args)
    result = solve(tmp_path / "d", links="none", solver=scenario.solver.model_dump())
    highs = result.session.highs
    assert highs.getOptionValue("time_limit")[1] == 7.5
    assert highs.getOptionValue("mip_rel_gap")[1] == 0.02
