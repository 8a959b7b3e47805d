"""Sweeps: the same numbers on Dask as one by one, resumable, failures kept, SALib wiring."""

from __future__ import annotations

import math

import dask
import numpy as np
import pandas as pd
import pytest
import yaml
from distributed import Worker

from abatelink.cli import main
from abatelink.inputs.study import base_scenario, design, load_study, scenario_for
from abatelink.run import run
from abatelink.studies.compiled import CompiledStudy, NotCompiled
from abatelink.studies.sensitivity import analyse
from abatelink.studies.sweep import batch_file, load_results, sweep

from factory import both_ways, merge, one_market, write_dataset
from ishigami import S1, ST, ishigami


def study_file(tmp_path, **study) -> str:
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10, 10, 10, 10], [5, 12, 20, 40]),
        one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [15, 30, 60]),
        {"links": both_ways("MA", "MB")},
    )
    write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B"], **data)
    (tmp_path / "base.yaml").write_text(
        yaml.safe_dump({"name": "base", "dataset": "data", "links": "all"})
    )
    content = {
        "name": "grid",
        "scenario": "base.yaml",
        "design": "grid",
        "batch_size": 2,
        "outputs": ["prices", "costs", "trades"],
        "parameters": {
            "b_cap": {
                "table": "caps",
                "where": {"market": "MB"},
                "scale": "cap_mt",
                "values": [0.95, 1.0, 1.05],
            },
            "b_imports": {
                "table": "limits",
                "where": {"market": "MB"},
                "set": "max_import_share",
                "values": [0.02, 0.5],
            },
        },
        **study,
    }
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(content))
    return str(path)


def one_by_one(path: str) -> pd.DataFrame:
    """Prices of each scenario from a fresh `run` each: the reference for the sweep."""
    study = load_study(path)
    base = base_scenario(study)
    rows = []
    for row in design(study).to_dict("records"):
        prices = run(scenario_for(base, study, row))["prices"]
        rows += [
            (row["scenario_id"], m, p)
            for m, p in prices[["market", "price_usd_per_t"]].itertuples(index=False)
        ]
    return pd.DataFrame(rows, columns=["scenario_id", "item", "value"])


def swept_prices(folder) -> pd.DataFrame:
    results = load_results(folder)
    prices = results[results["output"] == "prices"]
    return prices[["scenario_id", "item", "value"]].sort_values(["scenario_id", "item"])


def test_a_two_worker_sweep_equals_the_scenarios_run_one_by_one(tmp_path):
    path = study_file(tmp_path)
    summary = sweep(path, tmp_path / "out", workers=2)
    assert (summary.scenarios, summary.batches, summary.batches_run) == (6, 3, 3)
    expected = one_by_one(path).sort_values(["scenario_id", "item"])
    got = swept_prices(tmp_path / "out")
    assert got["scenario_id"].tolist() == expected["scenario_id"].tolist()
    assert got["value"].to_numpy() == pytest.approx(expected["value"].to_numpy(), abs=1e-9)
    # A 2% import limit on B (1.5 Mt at cap 75) splits the prices: B keeps most of its own steps.
    results = load_results(tmp_path / "out")
    row = results[
        (results["b_imports"] == 0.02)
        & (results["b_cap"] == 1.0)
        & (results["output"] == "prices")
        & (results["item"] == "MB")
    ]
    assert row["value"].iloc[0] == pytest.approx(60)


def profiling(dask_worker: Worker) -> tuple[bool, bool]:
    """A worker's profiler setting, and whether its stack-sampling callback is scheduled."""
    enabled = dask.config.get("distributed.worker.profile.enabled")
    return enabled, "profile" in dask_worker.periodic_callbacks


def test_the_local_cluster_workers_run_without_the_statistical_profiler():
    from abatelink.studies.sweep import _dask

    ours = dask.config.get("distributed.worker.profile.enabled")
    with _dask(1, None) as client:
        assert list(client.run(profiling).values()) == [(False, False)]
    assert dask.config.get("distributed.worker.profile.enabled") == ours  # this process's kept


def test_an_interrupted_sweep_resumes_with_every_scenario_exactly_once(tmp_path):
    path = study_file(tmp_path)
    first = sweep(path, tmp_path / "out", workers=0, max_batches=1)
    assert first.batches_run == 1 and batch_file(tmp_path / "out", 0).exists()
    assert not batch_file(tmp_path / "out", 1).exists()
    with pytest.raises(Exception, match="--resume"):
        sweep(path, tmp_path / "out", workers=0)
    second = sweep(path, tmp_path / "out", workers=0, resume=True)
    assert second.batches_run == 2
    results = load_results(tmp_path / "out")
    objectives = results[results["output"] == "objective"]
    assert sorted(objectives["scenario_id"]) == list(range(6))
    assert third_run_does_nothing(path, tmp_path / "out")


def third_run_does_nothing(path, folder) -> bool:
    return sweep(path, folder, workers=0, resume=True).batches_run == 0


def test_an_infeasible_scenario_is_recorded_and_the_sweep_goes_on(tmp_path):
    path = study_file(
        tmp_path,
        parameters={
            "a_ndc": {
                "table": "ndc",
                "where": {"region": "A"},
                "set": "target_mt",
                "values": [10.0, 90.0],
            }
        },
        outputs=["prices"],
    )
    sweep(path, tmp_path / "out", workers=0)
    results = load_results(tmp_path / "out")
    status = results.groupby("a_ndc")["status"].first()
    assert status[10.0] in ("infeasible", "infeasible_or_unbounded")
    assert status[90.0] == "optimal"
    assert results[results["a_ndc"] == 90.0]["output"].eq("prices").any()


def ishigami_study(tmp_path, design: str, samples: int) -> str:
    """A study of x1, x2, x3 on [−π, π] for the Ishigami evaluator.

    The evaluator stands in for the model, so the base scenario (every study names one) is
    never read.
    """
    params = {
        x: {"range": [-math.pi, math.pi], "scenario": f"project_cost_scale.{x}"}
        for x in ("x1", "x2", "x3")
    }
    path = tmp_path / f"{design}.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": design,
                "scenario": "base.yaml",
                "design": design,
                "samples": samples,
                "seed": 3,
                "batch_size": 2000,
                "parameters": params,
                "outputs": [],
            }
        )
    )
    return str(path)


def test_sobol_indices_of_the_ishigami_function_through_the_batch_runner(tmp_path):
    path = ishigami_study(tmp_path, "sobol", 2048)
    sweep(path, tmp_path / "out", workers=0, evaluate=ishigami)
    table = analyse(load_study(path), tmp_path / "out").table.set_index("parameter")
    for name in S1:
        assert table.loc[name, "S1"] == pytest.approx(S1[name], abs=0.05)
        assert table.loc[name, "ST"] == pytest.approx(ST[name], abs=0.05)
        assert table.loc[name, "S1_conf"] < 0.1


def test_morris_screening_matches_elementary_effects_computed_by_hand(tmp_path):
    path = ishigami_study(tmp_path, "morris", 50)
    sweep(path, tmp_path / "out", workers=0, evaluate=ishigami)
    table = analyse(load_study(path), tmp_path / "out").table.set_index("parameter")
    x = pd.read_parquet(tmp_path / "out" / "design.parquet")[["x1", "x2", "x3"]].to_numpy()
    y = load_results(tmp_path / "out").sort_values("scenario_id")["value"].to_numpy()
    effects: dict[int, list[float]] = {0: [], 1: [], 2: []}
    for start in range(0, len(x), 4):  # trajectories of D + 1 = 4 points
        for a in range(start, start + 3):
            moved = np.flatnonzero(x[a + 1] != x[a])[0]
            step = (x[a + 1, moved] - x[a, moved]) / (2 * math.pi)  # in units of the range
            effects[moved].append((y[a + 1] - y[a]) / step)
    for i, name in enumerate(("x1", "x2", "x3")):
        assert table.loc[name, "mu_star"] == pytest.approx(np.mean(np.abs(effects[i])), rel=1e-9)
    assert table.loc["x1", "mu_star"] > table.loc["x3", "mu_star"] > 0


def test_sweep_and_sensitivity_commands(tmp_path, capsys):
    path = study_file(
        tmp_path,
        design="oat",
        parameters={
            "b_cap": {
                "table": "caps",
                "where": {"market": "MB"},
                "scale": "cap_mt",
                "values": [0.9, 1.1],
                "base": 1.0,
            }
        },
        outputs=["prices"],
    )
    assert main(["sweep", path, "--workers", "0", "--out", str(tmp_path / "o")]) == 0
    assert main(["sensitivity", path, "--out", str(tmp_path / "o")]) == 0
    tornado = pd.read_csv(tmp_path / "o" / "sensitivity" / "tornado.csv")
    row = tornado[(tornado["output"] == "prices") & (tornado["item"] == "MB")].iloc[0]
    # Linked, 45 Mt at base (price 30); B's cap × 0.9 → 52.5 Mt (price 40); × 1.1 → 37.5 (20).
    assert (row["at_low"], row["base"], row["at_high"]) == pytest.approx((40, 30, 20))
    assert "scenarios" in capsys.readouterr().out


def test_a_bounds_only_study_is_compiled_and_gives_the_same_numbers(tmp_path):
    from abatelink.studies.sweep import _worker_model

    path = study_file(
        tmp_path,
        outputs=["prices", "trades", "ndc_prices"],
        parameters={
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
        },
    )
    compiled = _worker_model(path).compiled
    assert isinstance(compiled, CompiledStudy)  # each bound is affine in each parameter
    sweep(path, tmp_path / "out", workers=0)
    expected = one_by_one(path).sort_values(["scenario_id", "item"])
    got = swept_prices(tmp_path / "out")
    assert got["scenario_id"].tolist() == expected["scenario_id"].tolist()
    assert got["value"].to_numpy() == pytest.approx(expected["value"].to_numpy(), abs=1e-7)
    results = load_results(tmp_path / "out")
    trades = results[
        (results["output"] == "trades")
        & (results["a_cap"] == 1.0)
        & (results["b_imports"] == 0.02)
        & (results["item"] == "MA->MB")
    ]
    assert trades["value"].iloc[0] == pytest.approx(0.02 * 75)  # B's import limit binds


def test_interacting_parameters_fall_back_to_the_full_path(tmp_path):
    from abatelink.studies.sweep import _worker_model

    path = study_file(tmp_path, outputs=["prices"])  # B's cap × B's import share: bilinear
    bilinear = _worker_model(path).compiled
    assert isinstance(bilinear, NotCompiled) and "prediction" in bilinear.reason
    builds = study_file(tmp_path / "c", outputs=["prices", "builds"])
    needs_tables = _worker_model(builds).compiled  # builds are read by the full path
    assert isinstance(needs_tables, NotCompiled) and "builds" in needs_tables.reason
