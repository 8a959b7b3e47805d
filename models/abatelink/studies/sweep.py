"""Sweeps: many scenarios of a study, in batches, on Dask, into a resumable results store.

Each worker process keeps one built model per study: a scenario changes only the parameters
the study varies (levers.set_inputs with `changed`), re-solves warm, and returns tidy rows of
the outputs kept. The driver writes each finished batch as one Parquet file, atomically
(temporary name, then rename), so a sweep killed at any moment and started again with
`resume` redoes only unfinished batches: no scenario is lost or duplicated.

Store layout: <out>/manifest.json, <out>/design.parquet, <out>/batches/batch-NNNNN.parquet.
Every row carries scenario_id, the varied parameters, status and objective.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abatelink.errors import AbatelinkError, InputError
from abatelink.inputs.scenario import Scenario, scenario_dataset, scenario_inputs, scenario_periods
from abatelink.inputs.study import Study, base_scenario, design, load_study, scenario_for
from abatelink.model.build import Model, build
from abatelink.model.levers import set_inputs
from abatelink.solve.session import Session
from abatelink.studies.compiled import CompiledStudy, NotCompiled, compile_study, solve_compiled
from abatelink.studies.outputs import COLUMNS, extract
from abatelink.version import __version__

BATCHES = "batches"

log = logging.getLogger(__name__)


Evaluate = Callable[[pd.DataFrame], pd.DataFrame]
"""A stand-in for the model: a batch's design rows (scenario_id, one column per parameter)
in, its tidy rows (COLUMNS) out. Dask pickles it: give a module-level function."""


@dataclass
class WorkerModel:
    """What a worker keeps between batches of one study: the built model and its session.

    compiled: the compiled sweep path, or why the study takes the full path.
    """

    study: Study
    base: Scenario
    model: Model
    session: Session
    changed: set[str]
    compiled: CompiledStudy | NotCompiled


_WORKERS: dict[str, WorkerModel] = {}


def _worker_model(study_file: str) -> WorkerModel:
    """Build the study's model once per process (and per study file contents)."""
    study = load_study(study_file)
    key = f"{study_file}:{study.digest()}"
    if key not in _WORKERS:
        _WORKERS[key] = _build_worker(study)
    return _WORKERS[key]


def _build_worker(study: Study) -> WorkerModel:
    """The base scenario's model and session, compiled if the study only moves bounds."""
    base = base_scenario(study)
    dataset = scenario_dataset(base)
    model = build(dataset, scenario_periods(base, dataset))
    set_inputs(model, scenario_inputs(base, dataset))
    session = Session(model)
    changed = {p.changes for p in study.parameters.values()}
    compiled = compile_study(model, session, base, study, design(study))
    if isinstance(compiled, NotCompiled):
        log.info("study %s takes the full path: %s", study.name, compiled.reason)
    return WorkerModel(study, base, model, session, changed, compiled)


def run_batch(
    study_file: str, rows: list[dict[str, Any]], evaluate: Evaluate | None = None
) -> pd.DataFrame:
    """Solve the scenarios of one batch; a failing scenario becomes a row with its status.

    evaluate: computes the batch's tidy rows instead of the study's model (which is then
    not built), e.g. a test function with known sensitivity indices.
    """
    if evaluate is not None:
        return _tidy(evaluate(pd.DataFrame(rows)))
    worker = _worker_model(study_file)
    if isinstance(worker.compiled, CompiledStudy):
        return solve_compiled(worker.compiled, worker.session, rows, worker.study.outputs)
    frames = [_run_one(worker, row) for row in rows]
    return pd.concat(frames, ignore_index=True)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """An evaluator's rows in the store's columns; an error if some are missing."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the evaluator's rows lack the columns {', '.join(missing)}")
    return frame[COLUMNS]


def _run_one(worker: WorkerModel, row: dict[str, Any]) -> pd.DataFrame:
    study = worker.study
    try:
        scenario = scenario_for(worker.base, study, row)
        inputs = scenario_inputs(scenario, worker.model.dataset)
        set_inputs(worker.model, inputs, changed=worker.changed)
        return extract(
            worker.model,
            worker.session,
            inputs,
            study.outputs,
            row["scenario_id"],
            scenario.solver,
        )
    except AbatelinkError as err:
        return _failed(row["scenario_id"], f"error: {err}")


def _failed(scenario_id: int, status: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(scenario_id, status, np.nan, "objective", "", None, np.nan)], columns=COLUMNS
    )
    return frame.astype({"period": "Int64"})


# --- the driver: store, batches, Dask ---------------------------------------------------------


@dataclass
class SweepSummary:
    folder: Path
    scenarios: int
    batches: int
    batches_run: int
    seconds: float


def default_out(study: Study) -> Path:
    return study.folder / "results" / study.name


def sweep(
    study_file: str | Path,
    out: Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    max_batches: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    evaluate: Evaluate | None = None,
) -> SweepSummary:
    """Run every unfinished batch of a study and store its results.

    workers: Dask LocalCluster processes (default: the machine's cores; 0 = in this process).
    scheduler: address of an existing Dask scheduler (e.g. tcp://host:8786) instead.
    max_batches: stop after that many batches (run the rest later with resume=True).
    progress: called after each batch with (scenarios done, scenarios to do, seconds).
    evaluate: computes each batch instead of the study's model (see `run_batch`); Dask
    pickles it to the workers, so it must be a module-level function.
    """
    study_file = str(Path(study_file).resolve())
    study = load_study(study_file)
    folder = Path(out) if out is not None else default_out(study)
    table = _prepare_store(study, folder, resume)
    batches = list(_pending(table, study.batch_size, folder))[:max_batches]
    start = time.perf_counter()
    total = sum(len(rows) for _, rows in batches)
    done = 0
    for index, frame in _execute(study_file, batches, workers, scheduler, evaluate):
        _write_batch(folder, index, table, frame)
        done += frame["scenario_id"].nunique()
        if progress:
            progress(done, total, time.perf_counter() - start)

    return SweepSummary(
        folder,
        len(table),
        math.ceil(len(table) / study.batch_size),
        len(batches),
        time.perf_counter() - start,
    )


def _prepare_store(study: Study, folder: Path, resume: bool) -> pd.DataFrame:
    """Create the store, or check that an existing one belongs to this study."""
    manifest = folder / "manifest.json"
    if manifest.exists():
        stored = json.loads(manifest.read_text())
        if stored["study_digest"] != study.digest():
            raise InputError(
                folder,
                "holds results of a different study (its study file changed); "
                "choose another --out or remove the folder",
            )
        if not resume:
            raise InputError(
                folder,
                "already holds results of this study: pass --resume to run "
                "only what is unfinished, or remove the folder to start again",
            )
        return pd.read_parquet(folder / "design.parquet")
    table = design(study)
    (folder / BATCHES).mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / "design.parquet", lambda p: table.to_parquet(p, index=False))
    _atomic_write(manifest, lambda p: p.write_text(json.dumps(_manifest(study, table), indent=2)))
    return table


def _manifest(study: Study, table: pd.DataFrame) -> dict[str, Any]:
    return {
        "study": study.name,
        "study_file": str(study.file),
        "study_digest": study.digest(),
        "resolved_study": study.model_dump(mode="json"),
        "scenarios": len(table),
        "batch_size": study.batch_size,
        "abatelink": __version__,
    }


def batch_file(folder: Path, index: int) -> Path:
    return folder / BATCHES / f"batch-{index:05d}.parquet"


def _pending(table: pd.DataFrame, size: int, folder: Path) -> Iterator[tuple[int, list[dict]]]:
    """Batches whose Parquet file is not there yet (a file is only there once complete)."""
    for index, start in enumerate(range(0, len(table), size)):
        if not batch_file(folder, index).exists():
            yield index, table.iloc[start : start + size].to_dict("records")


def _execute(
    study_file: str,
    batches: list[tuple[int, list[dict]]],
    workers: int | None,
    scheduler: str | None,
    evaluate: Evaluate | None,
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Run batches in this process (workers=0) or on Dask, yielding them as they finish."""
    if workers == 0 and scheduler is None:
        for index, rows in batches:
            yield index, run_batch(study_file, rows, evaluate)
        return
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
    client = Client(scheduler or cluster)
    try:
        futures = {
            client.submit(run_batch, study_file, rows, evaluate, pure=False): index
            for index, rows in batches
        }
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _write_batch(folder: Path, index: int, table: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Join the varied parameters onto the batch's rows and write it atomically."""
    rows = frame.merge(table, on="scenario_id", how="left")
    _atomic_write(batch_file(folder, index), lambda p: rows.to_parquet(p, index=False))


def _atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    write(temporary)
    os.replace(temporary, path)


def load_results(folder: Path) -> pd.DataFrame:
    """Every stored row of a sweep (finished batches only)."""
    files = sorted((Path(folder) / BATCHES).glob("batch-*.parquet"))
    if not files:
        raise InputError(folder, "no finished batches: run `abatelink sweep` first")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
