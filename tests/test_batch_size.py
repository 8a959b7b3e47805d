"""`batch_size: auto`: chosen from the measured time of a scenario, recorded in the store at
the first sweep and reused by every resume; a number in the study works as before."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
import yaml

from abatelink.errors import InputError
from abatelink.inputs.study import load_study
from abatelink.studies import sweep as sweep_module
from abatelink.studies.sweep import (
    BATCHES_PER_WORKER,
    MAX_BATCH,
    MAX_BATCH_SECONDS,
    MAX_OVERHEAD,
    SweepSummary,
    batch_file,
    choose_batch_size,
    load_results,
    sweep,
)

from ishigami import objective_rows

EVALUATED: list[int] = []  # scenario ids the stand-in computed, in this process
FAILING = {"now": False}


def stand_in(rows: pd.DataFrame) -> pd.DataFrame:
    """objective = x + 100 y: a scenario's id is readable from its value."""
    if FAILING["now"]:
        raise RuntimeError("killed")
    EVALUATED.extend(rows["scenario_id"].tolist())
    value = rows["x"].to_numpy(dtype=float) + 100 * rows["y"].to_numpy(dtype=float)
    return objective_rows(rows, value)


def grid_study(tmp_path, xs: int = 20, ys: int = 10, **keys) -> str:
    """A grid of xs × ys scenarios for the stand-in (which never reads the base scenario)."""
    params = {
        "x": {"scenario": "project_cost_scale.x", "values": list(range(xs))},
        "y": {"scenario": "project_cost_scale.y", "values": list(range(ys))},
    }
    content = {"name": "grid", "scenario": "base.yaml", "parameters": params, "outputs": []}
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump({**content, **keys}))
    return str(path)


def manifest(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def partition(folder) -> dict[int, list[int]]:
    """The scenario ids of each batch file the manifest lists."""
    entries = [e for e in manifest(folder)["files"] if "batch" in e]
    return {e["batch"]: sorted(pd.read_parquet(folder / e["path"])["scenario_id"]) for e in entries}


def contiguous(size: int, scenarios: int) -> dict[int, list[int]]:
    starts = range(0, scenarios, size)
    return {i: list(range(s, min(s + size, scenarios))) for i, s in enumerate(starts)}


def no_probe(*args, **kwargs):
    raise AssertionError("the batch size was chosen again")


# --- the choice, by hand ---------------------------------------------------------------------


def test_the_rules_the_hand_computed_cases_assume():
    assert (MAX_OVERHEAD, BATCHES_PER_WORKER, MAX_BATCH, MAX_BATCH_SECONDS) == (0.05, 4, 1000, 30)


@pytest.mark.parametrize(
    ("seconds", "scenarios", "workers", "overhead", "size", "why"),
    [
        # 2 workers × 10 ms of overhead ≤ 5 % of 40 × 10 ms = 20 ms; 39: 20 / 390 = 5.1 %
        (0.010, 10_000, 2, 0.010, 40, "overhead"),
        # one worker: 10 ms ≤ 5 % of 20 × 10 ms
        (0.010, 10_000, 1, 0.010, 20, "overhead"),
        # 64 workers, 2 ms a scenario, 10 ms a batch: 64 × 10 / (0.05 × 2) = 6400, at most 1000
        (0.002, 10_000_000, 64, 0.010, 1000, "size"),
        # 1 ms a scenario, 15 ms a batch: 300 needed, but 1000 // (4 × 4) = 62 keeps 4 each
        (0.001, 1_000, 4, 0.015, 62, "workers"),
        # 1 µs a scenario: 300 000 needed, 312 500 would balance, at most 1000
        (1e-6, 10_000_000, 8, 0.015, 1000, "size"),
        # 0.5 s a scenario, 2 s a batch: 80 needed, but 30 s of work is 60 scenarios
        (0.5, 100_000, 2, 2.0, 60, "seconds"),
        # a 20 s scenario: one alone is 0.075 % overhead
        (20.0, 100, 2, 0.015, 1, "overhead"),
        # fewer scenarios than 4 batches for each worker: batches of one
        (0.001, 6, 2, 0.015, 1, "workers"),
        # in this process (workers 0): as one worker; a clock too coarse to see a scenario
        (0.0, 50_000, 0, 0.005, 1000, "size"),
        (0.0, 400, 0, 0.005, 100, "workers"),
    ],
)
def test_the_batch_size_by_hand(seconds, scenarios, workers, overhead, size, why):
    assert choose_batch_size(seconds, scenarios, workers, overhead) == size
    if why == "overhead":
        serial = max(workers, 1) * overhead
        assert serial <= MAX_OVERHEAD * size * seconds
        assert size == 1 or serial > MAX_OVERHEAD * (size - 1) * seconds
    if why == "workers":
        assert math.ceil(scenarios / size) >= BATCHES_PER_WORKER * max(workers, 1) or size == 1


def test_the_overhead_stays_under_five_percent_unless_a_bound_binds():
    for seconds in (1e-4, 3e-4, 1e-3, 7e-3, 0.02, 0.1, 0.9, 3.0):
        for overhead in (0.002, 0.015, 0.05):
            size = choose_batch_size(seconds, 10**9, 1, overhead)
            bound = min(MAX_BATCH, math.floor(MAX_BATCH_SECONDS / seconds))
            assert overhead / (size * seconds) <= MAX_OVERHEAD or size == bound


# --- the study file --------------------------------------------------------------------------


def test_auto_is_the_default_and_a_number_works_as_before(tmp_path):
    assert load_study(grid_study(tmp_path)).batch_size == "auto"
    assert load_study(grid_study(tmp_path, batch_size="auto")).batch_size == "auto"
    assert load_study(grid_study(tmp_path, batch_size=25)).batch_size == 25


@pytest.mark.parametrize("bad", ["fast", 0, -3, 2.5, True, None, "AUTO"])
def test_a_bad_batch_size_names_the_file_and_the_key(tmp_path, bad):
    with pytest.raises(InputError) as caught:
        load_study(grid_study(tmp_path, batch_size=bad))
    assert caught.value.key == "batch_size"
    assert "study.yaml" in str(caught.value)
    assert "whole number ≥ 1, or auto" in str(caught.value)


# --- sweeps ----------------------------------------------------------------------------------


def test_an_auto_sweep_solves_each_scenario_once_probe_included(tmp_path):
    EVALUATED.clear()
    summary = sweep(grid_study(tmp_path), tmp_path / "out", workers=0, evaluate=stand_in)
    size = summary.batch_size
    assert 1 <= size <= 200 // BATCHES_PER_WORKER  # in this process: as one worker
    assert summary.seconds_per_scenario is not None and summary.seconds_per_scenario >= 0
    assert (summary.scenarios, summary.batches) == (200, math.ceil(200 / size))
    assert sorted(EVALUATED) == list(range(200))  # the probe's scenarios were kept
    assert partition(tmp_path / "out") == contiguous(size, 200)
    recorded = manifest(tmp_path / "out")
    assert recorded["batch_size"] == size
    assert recorded["seconds_per_scenario"] == summary.seconds_per_scenario
    assert recorded["batch_size_workers"] == 1
    assert recorded["resolved_study"]["batch_size"] == "auto"
    assert f"batch size {size} (auto: " in summary.batching


def test_an_interrupted_auto_sweep_resumes_with_the_same_partition(tmp_path, monkeypatch):
    path, out = grid_study(tmp_path), tmp_path / "out"
    first = sweep(path, out, workers=0, max_batches=1, evaluate=stand_in)
    size = first.batch_size
    assert first.batches_run == 1 and first.batches >= BATCHES_PER_WORKER
    assert batch_file(out, 0).exists() and not batch_file(out, 1).exists()
    assert manifest(out)["batch_size"] == size

    monkeypatch.setattr(sweep_module, "_probe", no_probe)
    monkeypatch.setattr(sweep_module, "choose_batch_size", no_probe)
    second = sweep(path, out, workers=0, resume=True, evaluate=stand_in)
    assert (second.batch_size, second.batches) == (size, first.batches)
    assert second.seconds_per_scenario == first.seconds_per_scenario
    assert second.batches_run == first.batches - 1
    assert partition(out) == contiguous(size, 200)
    results = load_results(out)
    assert sorted(results["scenario_id"]) == list(range(200))  # each exactly once
    assert (results["value"] == results["x"] + 100 * results["y"]).all()
    assert sweep(path, out, workers=0, resume=True, evaluate=stand_in).batches_run == 0


def test_a_sweep_killed_while_probing_chooses_when_resumed(tmp_path):
    path, out = grid_study(tmp_path, xs=5, ys=4), tmp_path / "out"
    FAILING["now"] = True
    try:
        with pytest.raises(RuntimeError, match="killed"):
            sweep(path, out, workers=0, evaluate=stand_in)
    finally:
        FAILING["now"] = False
    assert manifest(out)["batch_size"] is None  # nothing chosen, no batch written
    summary = sweep(path, out, workers=0, resume=True, evaluate=stand_in)
    assert manifest(out)["batch_size"] == summary.batch_size <= 20 // BATCHES_PER_WORKER
    assert partition(out) == contiguous(summary.batch_size, 20)


def test_batches_without_a_recorded_size_are_refused(tmp_path):
    path, out = grid_study(tmp_path), tmp_path / "out"
    sweep(path, out, workers=0, max_batches=1, evaluate=stand_in)
    edited = manifest(out) | {"batch_size": None}
    (out / "manifest.json").write_text(json.dumps(edited))
    with pytest.raises(InputError, match="does not record the batch size"):
        sweep(path, out, workers=0, resume=True, evaluate=stand_in)


def test_a_given_batch_size_is_used_as_given(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_module, "_probe", no_probe)
    path, out = grid_study(tmp_path, xs=6, ys=5, batch_size=7), tmp_path / "out"
    first = sweep(path, out, workers=0, max_batches=2, evaluate=stand_in)
    assert (first.batch_size, first.batches, first.batches_run) == (7, 5, 2)
    assert first.seconds_per_scenario is None and first.batching == "batch size 7"
    second = sweep(path, out, workers=0, resume=True, evaluate=stand_in)
    assert second.batches_run == 3
    assert partition(out) == contiguous(7, 30)
    assert (manifest(out)["batch_size"], manifest(out)["seconds_per_scenario"]) == (7, None)


@pytest.mark.parametrize(("before", "after"), [("auto", "recorded"), (7, "auto"), (7, 8)])
def test_changing_the_batch_size_refuses_to_resume_like_any_study_change(tmp_path, before, after):
    """The batch size is part of the study, whose digest keys the store: switching between
    auto and a number (even the number auto chose) is a changed study, as 7 → 8 always was."""
    out = tmp_path / "out"
    study = grid_study(tmp_path, batch_size=before)
    first = sweep(study, out, workers=0, max_batches=1, evaluate=stand_in)
    size = first.batch_size if after == "recorded" else after
    changed = grid_study(tmp_path, batch_size=size)
    with pytest.raises(InputError, match="the study file changed"):
        sweep(changed, out, workers=0, resume=True, evaluate=stand_in)


def test_an_auto_sweep_on_two_dask_workers(tmp_path):
    """The probe runs on one worker, the size is chosen for both, nothing is lost."""
    summary = sweep(grid_study(tmp_path), tmp_path / "out", workers=2, evaluate=stand_in)
    assert manifest(tmp_path / "out")["batch_size_workers"] == 2
    assert summary.batch_size <= 200 // (2 * BATCHES_PER_WORKER)
    results = load_results(tmp_path / "out")
    assert sorted(results["scenario_id"]) == list(range(200))
    assert partition(tmp_path / "out") == contiguous(summary.batch_size, 200)


def test_the_summary_line(tmp_path):
    summary = SweepSummary(tmp_path, 10, 2, 2, 1.0, 5, 0.0042)
    assert summary.batching == "batch size 5 (auto: 4.2 ms a scenario)"
