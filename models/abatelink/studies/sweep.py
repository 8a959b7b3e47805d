"""Sweeps: many scenarios of a study, in batches, on Dask, into a resumable results store.

Each worker process keeps one built model per study: a scenario changes only the parameters
the study varies (levers.set_inputs with `changed`), re-solves warm, and returns tidy rows of
the outputs kept. The driver writes each finished batch as one Parquet file, atomically
(temporary name, then rename), then the manifest that lists it, so a sweep killed at any
moment and started again with `resume` redoes only unfinished batches: no scenario is lost or
duplicated. The store (`studies/store.py`) is keyed by everything a result depends on, and a
lock file keeps a second sweep off it while one runs (`outputs.OutputFolder`).

Store layout: <out>/manifest.json, <out>/design.parquet, <out>/batches/batch-NNNNN.parquet.
Every row carries scenario_id, the varied parameters, status and objective.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abatelink.errors import AbatelinkError, OutputError
from abatelink.inputs.scenario import Scenario, scenario_dataset, scenario_inputs, scenario_periods
from abatelink.inputs.study import (
    Study,
    base_scenario,
    check_against_base,
    design,
    load_study,
    scenario_for,
)
from abatelink.model.build import Model, build
from abatelink.model.levers import set_inputs
from abatelink.outputs import OutputFolder, results_folder
from abatelink.solve.session import Session
from abatelink.studies.compiled import CompiledStudy, NotCompiled, compile_study, solve_compiled
from abatelink.studies.outputs import COLUMNS, extract
from abatelink.studies.store import (  # noqa: F401  (batch_file, load_results: the API)
    batch_file,
    header,
    input_key,
    load_results,
    open_store,
    save_batch,
)

MAX_WORKERS = max(64, 4 * (os.cpu_count() or 1))

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


def _worker_model(study_file: str, inputs: str = "") -> WorkerModel:
    """Build the study's model once per process (and per study file contents and inputs:
    `inputs` names the base scenario's and data set's versions)."""
    study = load_study(study_file)
    key = f"{study_file}:{study.digest()}:{inputs}"
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
    study_file: str,
    rows: list[dict[str, Any]],
    evaluate: Evaluate | None = None,
    inputs: str = "",
) -> pd.DataFrame:
    """Solve the scenarios of one batch; a failing scenario becomes a row with its status.

    evaluate: computes the batch's tidy rows instead of the study's model (which is then
    not built), e.g. a test function with known sensitivity indices.
    inputs: the sweep's input key (a worker rebuilds its model when it changes).
    """
    if evaluate is not None:
        return _tidy(evaluate(pd.DataFrame(rows)))
    worker = _worker_model(study_file, inputs)
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
    return results_folder(study.folder / "results", study.name, study.file or study.folder)


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

    workers: Dask LocalCluster processes (default: the machine's cores; 0 = in this process;
    at most `MAX_WORKERS`).
    scheduler: address of an existing Dask scheduler (e.g. tcp://host:8786) instead.
    resume: run only the batches not yet done in `out`; refused if the inputs changed since
    (see `studies/store.py`).
    max_batches: stop after that many batches (≥ 1; run the rest later with resume=True).
    progress: called after each batch with (scenarios done, scenarios to do, seconds).
    evaluate: computes each batch instead of the study's model (see `run_batch`); Dask
    pickles it to the workers, so it must be a module-level function.
    """
    _check_counts(workers, max_batches)
    study_file = str(Path(study_file).resolve())
    study = load_study(study_file)
    folder = Path(out) if out is not None else default_out(study)
    key, inputs = input_key(study, model_needed=evaluate is None)
    if evaluate is None:
        check_against_base(study)
    with OutputFolder(folder, "sweep", inputs=inputs) as store:
        table, done = open_store(store, study, key, resume)
        about = header(study, table, key)
        batches = list(_pending(table, study.batch_size, done))[:max_batches]
        start = time.perf_counter()
        total = sum(len(rows) for _, rows in batches)
        finished = 0
        version = "/".join(key.values())
        for index, frame in _execute(study_file, batches, workers, scheduler, evaluate, version):
            save_batch(store, index, frame.merge(table, on="scenario_id", how="left"), about)
            finished += frame["scenario_id"].nunique()
            if progress:
                progress(finished, total, time.perf_counter() - start)

    return SweepSummary(
        folder,
        len(table),
        math.ceil(len(table) / study.batch_size),
        len(batches),
        time.perf_counter() - start,
    )


def _check_counts(workers: int | None, max_batches: int | None) -> None:
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= MAX_WORKERS
    ):
        raise ValueError(f"workers must be a whole number from 0 to {MAX_WORKERS}, not {workers!r}")
    if max_batches is not None and (
        isinstance(max_batches, bool) or not isinstance(max_batches, int) or max_batches < 1
    ):
        raise ValueError(f"max_batches must be a whole number ≥ 1, not {max_batches!r}")


def _pending(table: pd.DataFrame, size: int, done: set[int]) -> Iterator[tuple[int, list[dict]]]:
    """Batches not done yet (done: listed in the manifest and verified)."""
    for index, start in enumerate(range(0, len(table), size)):
        if index not in done:
            yield index, table.iloc[start : start + size].to_dict("records")


def _execute(
    study_file: str,
    batches: list[tuple[int, list[dict]]],
    workers: int | None,
    scheduler: str | None,
    evaluate: Evaluate | None,
    inputs: str = "",
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Run batches in this process (workers=0) or on Dask, yielding them as they finish."""
    if not batches:
        return
    if workers == 0 and scheduler is None:
        for index, rows in batches:
            yield index, run_batch(study_file, rows, evaluate, inputs)
        return
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = client = None
    try:
        with _connecting(scheduler), _workers_ignore_ctrl_c():
            if scheduler is None:
                with _ctrl_c_after():
                    cluster = LocalCluster(
                        n_workers=workers or os.cpu_count() or 1,
                        threads_per_worker=1,
                        processes=True,
                        # any free port: Dask's default, 8787, may be another cluster's
                        dashboard_address="127.0.0.1:0",
                        silence_logs=logging.CRITICAL,
                    )
            client = Client(scheduler or cluster)
        futures = {
            client.submit(run_batch, study_file, rows, evaluate, inputs, pure=False): index
            for index, rows in batches
        }
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        with _quiet_dask():
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()


@contextlib.contextmanager
def _connecting(scheduler: str | None) -> Iterator[None]:
    """A scheduler that cannot be reached (or a cluster that cannot start) is one line."""
    try:
        yield
    except (OSError, TimeoutError) as err:
        what = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        raise OutputError(scheduler or "dask", f"cannot reach {what}: {err}") from None


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Worker processes started meanwhile block Ctrl-C (SIGINT) for good.

    A Ctrl-C at the terminal reaches every process of its group: without this, each worker
    prints its own traceback. The sweep ends through this process alone, which closes the
    cluster. (Python's `multiprocessing` starts Dask's workers with `spawnv_passfds`, from a
    thread of Dask's; a process started with a signal blocked keeps it blocked.)
    """
    import multiprocessing.util as mp_util

    original = mp_util.spawnv_passfds

    def spawn(*args: Any, **kwargs: Any) -> Any:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            return original(*args, **kwargs)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    mp_util.spawnv_passfds = spawn
    try:
        yield
    finally:
        mp_util.spawnv_passfds = original


@contextlib.contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Hold a Ctrl-C back while a local cluster starts, then act on it: a cluster interrupted
    half-started cannot be closed cleanly (Dask prints tracebacks at exit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's loggers print tracebacks while a cluster shuts down early (workers killed,
    connections closed, e.g. after Ctrl-C): keep them quiet then, and after an interruption
    until the process ends."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in DASK_LOGGERS]
    loggers = [logging.getLogger(n) for n in (*DASK_LOGGERS, *names)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    yield
    if sys.exc_info()[0] is None:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


DASK_LOGGERS = ("distributed", "tornado", "asyncio")
