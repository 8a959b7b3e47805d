"""Infeasible scenarios are diagnosed: which commitment breaks, where, when and by how much."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_instruments import offer

from abatelink.cli import main
from abatelink.validation.datasets import one_market as two_periods

from factory import both_ways, merge, one_market, solve, steps, write_dataset


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
    assert result.summary["diagnosis"][0] == (
        "relaxing the NDC target of A in 2020 by 10.000 Mt/yr is enough"
    )


def test_linking_lets_the_same_ndc_be_met_with_bought_allowances(tmp_path):
    result = solve(tight_ndc(tmp_path), links="all")
    assert result.status == "optimal"
    ndc = result["ndc"].set_index("region")
    # 40 Mt in all, cheapest first: B's 1 and 2 US$/t steps (bought by A), A's 5 and 12.
    assert ndc.loc["A", "accounted_mt"] == pytest.approx(60)
    assert ndc.loc["A", "inventory_mt"] == pytest.approx(80)
    assert ndc.loc["A", "adjustment_mt"] == pytest.approx(-20)


def remedies(result) -> dict[tuple[str, str, int], float]:
    """(commitment, market or region, period) → relaxation of each remedy found alone."""
    table = result["diagnosis"]
    assert set(table["remedy"]) == {"alone"}
    keys = zip(table["commitment"], table["market_or_region"], table["period"], strict=True)
    return dict(zip(keys, table["relaxation_mt"], strict=True))


def two_markets(tmp_path, name: str, **tables) -> Path:
    """`tight_ndc`'s A and B, linked both ways (rows of `links` given replace the default),
    with more tables (limits, ...)."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 100, [10, 10, 10], [5, 12, 20]),
        one_market(tmp_path, "MB", "B", 100, 100, [10, 10], [1, 2]),
        {"ndc": [{"region": "A", "period": 2020, "target_mt": 60}]},
        {"links": both_ways("MA", "MB")} if "links" not in tables else {},
        tables,
    )
    return write_dataset(tmp_path / name, periods=[2020], regions=["A", "B"], **data)


def test_a_cap_beyond_the_abatement_potential_is_named_with_its_shortfall(tmp_path):
    data = merge(one_market(tmp_path, "MA", "A", 100, 60, [10, 10, 10], [5, 12, 20]))
    result = solve(write_dataset(tmp_path / "d", periods=[2020], regions=["A"], **data), "none")
    # A can emit no less than 100 − 30 = 70 against a cap of 60. Ending the horizon in debt
    # is not offered as a remedy: a bank must be ≥ 0 at the end, by the accounting.
    assert remedies(result) == {("cap", "MA", 2020): pytest.approx(10)}
    assert "the cap of MA in 2020" in result.summary["diagnosis"][-1]


@pytest.mark.parametrize(
    ("tables", "limit"),
    [
        # A may import 4% of its cap of 100: 4 of the 10 Mt B can sell it.
        (
            {"limits": [{"market": "MA", "period": 2020, "max_import_share": 0.04}]},
            ("import limit", "MA"),
        ),
        # B may export 4% of its cap.
        (
            {"limits": [{"market": "MB", "period": 2020, "max_export_share": 0.04}]},
            ("export limit", "MB"),
        ),
        # The link B → A carries 4 Mt/yr at most.
        (
            {
                "links": [
                    *both_ways("MA", "MB")[:1],
                    {**both_ways("MA", "MB")[1], "max_volume_mt": 4},
                ]
            },
            ("link capacity", "MB->MA"),
        ),
    ],
)
def test_a_transfer_limit_that_breaks_the_ndc_is_named_beside_it(tmp_path, tables, limit):
    result = solve(two_markets(tmp_path, "d", **tables), links="all")
    # A's NDC asks for 40 Mt of cuts: 30 at home and B's 10; 4 can cross, so 6 Mt/yr are
    # missing, and relaxing either the NDC or the transfer limit by 6 alone is enough.
    assert remedies(result) == {
        ("NDC target", "A", 2020): pytest.approx(6),
        (*limit, 2020): pytest.approx(6),
    }
    conflict = result.summary["diagnosis"][-1]
    assert conflict.startswith("in conflict (HiGHS's irreducible infeasible subset)")
    assert f"the {limit[0]} of {limit[1]} in 2020" in conflict
    assert "the NDC target of A in 2020" in conflict


def test_an_international_offset_limit_is_named_beside_the_cap(tmp_path):
    limits = [{"market": "MK", "period": 2020, "max_international_offset_share": 0.02}]
    data = merge(
        one_market(tmp_path, "MK", "K", 100, 65, [10, 10, 10], [5, 12, 20]),
        {"offset_supply": [offer("ROW", "MK", 50, 1.0)], "limits": limits},
    )
    folder = write_dataset(
        tmp_path / "k", periods=[2020], regions=["K"], outside_regions=["ROW"], **data
    )
    result = solve(folder, links="none")
    # K emits at least 70 against 65: 5 Mt of credits, of which 2% of 65 = 1.3 may be used.
    assert remedies(result) == {
        ("cap", "MK", 2020): pytest.approx(3.7),
        ("international offset limit", "MK", 2020): pytest.approx(3.7),
    }


def test_a_domestic_offset_limit_is_named_beside_the_cap(tmp_path):
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 65, [10, 10, 10], [5, 12, 20]),
        {
            "emitters": [{"emitter": "A-out", "region": "A", "sector": "all", "market": None}],
            "baseline": [{"emitter": "A-out", "period": 2020, "emissions_mt": 50}],
            "mac": steps("A-out", 2020, [20], [3]),
            "limits": [{"market": "MA", "period": 2020, "max_offset_share": 0.02}],
        },
    )
    folder = write_dataset(tmp_path / "o", periods=[2020], regions=["A"], **data)
    result = solve(folder, links="none")
    # 5 Mt short in the ETS; outside it A could cut 20, but only 1.3 may count as offsets.
    assert remedies(result) == {
        ("cap", "MA", 2020): pytest.approx(3.7),
        ("offset limit", "MA", 2020): pytest.approx(3.7),
    }


def banked(tmp_path, caps: dict[int, float], allowed: bool, borrow: float) -> Path:
    """One market over 2020 and 2025 (5 years each), potential 30 of 100 Mt/yr."""
    data = merge(
        two_periods("MA", "A", 100, caps, ([10, 10, 10], [5, 12, 20])),
        {"banking": [{"market": "MA", "banking_allowed": allowed, "max_borrow_share": borrow}]},
    )
    return write_dataset(tmp_path / "b", periods=[2020, 2025], regions=["A"], **data)


def test_a_borrowing_limit_is_named_in_mt_of_stock_beside_the_cap(tmp_path):
    result = solve(banked(tmp_path, {2020: 60, 2025: 100}, True, 0.05), links="none")
    # 2020 is 10 Mt/yr short for 5 years: 50 Mt to borrow, 5% of the cap (3 Mt) allowed; 2025
    # has 30 Mt/yr to spare to pay it back. Relax borrowing by 47 Mt, or the 2020 cap by 47/5.
    assert remedies(result) == {
        ("cap", "MA", 2020): pytest.approx(9.4),
        ("borrowing limit", "MA", 2020): pytest.approx(47),
    }
    table = result["diagnosis"].set_index("commitment")
    assert (table.at["cap", "unit"], table.at["borrowing limit", "unit"]) == ("Mt/yr", "Mt")


def test_a_banking_ban_is_named_beside_the_cap(tmp_path):
    result = solve(banked(tmp_path, {2020: 100, 2025: 60}, False, 0.0), links="none")
    # 2025 is 10 Mt/yr short for 5 years; 2020 could bank 50 of its 30 Mt/yr to spare.
    assert remedies(result) == {
        ("cap", "MA", 2025): pytest.approx(10),
        ("banking ban", "MA", 2020): pytest.approx(50),
    }


def test_when_no_kind_alone_is_enough_the_least_relaxation_of_all_together_is_given(tmp_path):
    # A's cap and its NDC are each 10 Mt/yr beyond reach, with no partner.
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 60, [10, 10, 10], [5, 12, 20]),
        {"ndc": [{"region": "A", "period": 2020, "target_mt": 60}]},
    )
    result = solve(write_dataset(tmp_path / "d", periods=[2020], regions=["A"], **data), "none")
    table = result["diagnosis"]
    assert set(table["remedy"]) == {"all together"}
    amounts = dict(zip(table["commitment"], table["relaxation_mt"], strict=True))
    assert amounts == {"cap": pytest.approx(10), "NDC target": pytest.approx(10)}
    assert "no one kind of commitment is enough alone" in result.summary["diagnosis"][0]


def test_the_cli_exits_2_prints_the_diagnosis_and_writes_it(tmp_path, capsys):
    tight_ndc(tmp_path)
    path = tmp_path / "tight.yaml"
    path.write_text(yaml.safe_dump({"name": "tight", "dataset": "d", "links": "none"}))
    assert main(["run", str(path)]) == 2
    out = capsys.readouterr().out
    assert "infeasible" in out and "diagnosis: relaxing the NDC target of A in 2020" in out
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
    # The diagnosis works on copies: the session re-solves as before.
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
