"""The compiled sweep path keeps national costs: the same numbers as `run`, by hand, and a
study that moves what the accounts read stays on the full path."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from abatelink.inputs.study import base_scenario, design, load_study, scenario_for
from abatelink.results.costs import present_value
from abatelink.run import run
from abatelink.studies.compiled import CompiledStudy, NotCompiled
from abatelink.studies.sweep import _worker_model, load_results, sweep

from factory import both_ways, merge, one_market, write_dataset

CAP_AND_IMPORTS = {
    "a_cap": {
        "table": "caps",
        "where": {"market": "MA"},
        "scale": "cap_mt",
        "values": [0.9, 1.0, 1.05],
    },
    "b_imports": {
        "table": "limits",
        "where": {"market": "MB"},
        "set": "max_import_share",
        "values": [0.02, 0.1, 0.5],
    },
}


def study_file(tmp_path, parameters: dict, outputs: list[str]) -> str:
    """Two linked markets: A (cap 80 of 100; steps 10 Mt at 5, 12, 20, 40 US$/t) and B (cap 75
    of 100; steps 10 Mt at 15, 30, 60 US$/t)."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10, 10, 10, 10], [5, 12, 20, 40]),
        one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [15, 30, 60]),
        {
            "links": both_ways("MA", "MB"),
            "price_controls": [{"market": "MA", "period": 2020, "floor_usd_per_t": None}],
        },
    )
    write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B"], **data)
    (tmp_path / "base.yaml").write_text(
        yaml.safe_dump({"name": "base", "dataset": "data", "links": "all"})
    )
    study = {
        "name": "costs",
        "scenario": "base.yaml",
        "design": "grid",
        "batch_size": 4,
        "outputs": outputs,
        "parameters": parameters,
    }
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(study))
    return str(path)


def kept(folder, output: str) -> pd.DataFrame:
    results = load_results(folder)
    rows = results[results["output"] == output]
    return rows.sort_values(["scenario_id", "item", "period"]).reset_index(drop=True)


def test_compiled_costs_equal_run_and_the_hand_calculation(tmp_path):
    path = study_file(tmp_path, CAP_AND_IMPORTS, ["prices", "trades", "costs"])
    assert isinstance(_worker_model(path).compiled, CompiledStudy)
    sweep(path, tmp_path / "out", workers=0)
    costs, pv, trades = (kept(tmp_path / "out", o) for o in ("costs", "cost_pv", "trades"))
    study = load_study(path)
    base = base_scenario(study)
    for row in design(study).to_dict("records"):
        result = run(scenario_for(base, study, row))
        table = result["costs"].set_index("region")
        mine = costs[costs["scenario_id"] == row["scenario_id"]].set_index("item")
        for region in ("A", "B"):
            got = mine.loc[region, "value"]
            assert got == pytest.approx(table.loc[region, "national_cost_musd"], abs=1e-7)
        expected_pv = present_value(result["costs"], result.model.index)
        mine_pv = pv[pv["scenario_id"] == row["scenario_id"]].set_index("item")["value"]
        assert mine_pv.sort_index().to_numpy() == pytest.approx(expected_pv.to_numpy(), abs=1e-7)
        flows = result["trades"].assign(item=lambda f: f["from_market"] + "->" + f["to_market"])
        mine_flows = trades[trades["scenario_id"] == row["scenario_id"]].set_index("item")
        for item, volume in flows.set_index("item")["volume_mt"].items():
            assert mine_flows.loc[item, "value"] == pytest.approx(volume, abs=1e-7)
    # B may import 2% of its cap, 1.5 Mt. A abates 21.5 Mt (10@5 + 10@12 + 1.5@20, price 20)
    # and is paid 1.5 × 20 = 30; B abates 23.5 (10@15 + 10@30 + 3.5@60 = 660) and pays 30.
    limited = costs.merge(
        load_results(tmp_path / "out")[["scenario_id", "a_cap", "b_imports"]].drop_duplicates()
    )
    at = limited[(limited["a_cap"] == 1.0) & (limited["b_imports"] == 0.02)].set_index("item")
    assert at.loc["A", "value"] == pytest.approx(50 + 120 + 30 - 30)
    assert at.loc["B", "value"] == pytest.approx(660 + 30)


def test_a_study_moving_what_the_accounts_read_keeps_costs_on_the_full_path(tmp_path):
    floor = {
        "a_floor": {
            "table": "price_controls",
            "where": {"market": "MA"},
            "set": "floor_usd_per_t",
            "values": [1.0, 2.0, 3.0, 4.0, 6.0],
        }
    }
    with_costs = study_file(tmp_path / "c", floor, ["prices", "costs"])
    refused = _worker_model(with_costs).compiled
    assert isinstance(refused, NotCompiled) and "accounts read" in refused.reason
    sweep(with_costs, tmp_path / "c" / "out", workers=0)
    costs = kept(tmp_path / "c" / "out", "costs")
    study = load_study(with_costs)
    base = base_scenario(study)
    for row in design(study).to_dict("records"):
        table = run(scenario_for(base, study, row))["costs"].set_index("region")
        mine = costs[costs["scenario_id"] == row["scenario_id"]].set_index("item")
        assert mine.loc["A", "value"] == pytest.approx(table.loc["A", "national_cost_musd"])
    prices_only = _worker_model(study_file(tmp_path / "p", floor, ["prices"])).compiled
    assert not (isinstance(prices_only, NotCompiled) and "accounts" in prices_only.reason)
