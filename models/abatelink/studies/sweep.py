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

The batch size is the study's, or for `batch_size: auto` chosen at the first sweep from the
measured time of its first scenarios (`choose_batch_size`), recorded in the manifest before any
batch and reused by every resume.
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
    Partition,
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


# --- the batch size ---------------------------------------------------------------------------

# Per-batch costs besides the scenarios' own, measured on an idle 2-core machine (dask
# 2026.8.0): 1000-2000 trivial tasks returning a 50-row DataFrame on a LocalCluster of 1 or 2
# workers, all submitted at once and gathered with as_completed: 4.4-5.1 ms a task (3.4 ms
# returning an int; a lone task's round trip 13-16 ms; twice as much while another process
# kept a core busy). Dask documents about 1 ms a task (https://distributed.dask.org/); on
# two cores the client, scheduler and worker processes share them. `save_batch` (Parquet
# file, then the manifest) of 10-1000 scenarios × 10 rows: 1.9-7.7 ms.
DASK_TASK_SECONDS = 0.005
STORE_WRITE_SECONDS = 0.005
MAX_OVERHEAD = 0.05  # of a batch's compute time
BATCHES_PER_WORKER = 4  # at least, so that workers finishing early find more work
MAX_BATCH = 1000  # scenarios; with MAX_BATCH_SECONDS, what an interrupted batch loses
MAX_BATCH_SECONDS = 30.0
PROBE_SCENARIOS = 128  # at most, solved to time a scenario (and kept)
PROBE_SECONDS = 1.0  # of timed solving, at most about


def batch_overhead(on_dask: bool) -> float:
    """Seconds a batch costs besides its scenarios: the store's write, and Dask's task."""
    return STORE_WRITE_SECONDS + (DASK_TASK_SECONDS if on_dask else 0.0)


def choose_batch_size(
    seconds_per_scenario: float, scenarios: int, workers: int, overhead: float
) -> int:
    """Scenarios per batch for `batch_size: auto`: the fewest whose `overhead` (seconds a batch)
    stays ≤ MAX_OVERHEAD of the compute time of the batches finishing meanwhile; but not so
    many that each of `workers` gets fewer than BATCHES_PER_WORKER batches of the
    `scenarios`, nor more than MAX_BATCH scenarios or MAX_BATCH_SECONDS of work; at least 1.

    The overhead is paid where batches queue one after another (the driver writes each batch,
    the scheduler runs each task): W workers finish batches W times as often, so a batch of B
    scenarios needs W·overhead ≤ MAX_OVERHEAD·B·seconds (W = 1 in this process)."""
    per = max(seconds_per_scenario, 1e-9)
    serial = max(workers, 1) * overhead
    fewest = math.ceil(round(serial / (MAX_OVERHEAD * per), 6))
    balanced = scenarios // (BATCHES_PER_WORKER * max(workers, 1))
    short = math.floor(round(MAX_BATCH_SECONDS / per, 6))
    return max(1, min(fewest, balanced, short, MAX_BATCH))


@dataclass(frozen=True)
class Job:
    """What each batch of a sweep runs (see `run_batch`)."""

    study_file: str
    evaluate: Evaluate | None
    inputs: str


@dataclass
class Probe:
    """The first scenarios of a sweep, solved to time them: their ids, their rows (`COLUMNS`)
    and the measured seconds per scenario."""

    ids: set[int]
    frame: pd.DataFrame
    seconds_per_scenario: float


def _timed_batch(job: Job, rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, float]:
    """`run_batch`, and its seconds once the worker's model is built."""
    if job.evaluate is None:
        _worker_model(job.study_file, job.inputs)
    start = time.perf_counter()
    frame = run_batch(job.study_file, rows, job.evaluate, job.inputs)
    return frame, time.perf_counter() - start


def _probe(client: Any, job: Job, rows: list[dict[str, Any]]) -> Probe:
    """Solve `rows` in chunks [0, 1), [1, 2), [2, 4), [4, 8), ... on one worker until about
    PROBE_SECONDS of timed work. The first chunk is not timed (a model's first solve is
    cold); the seconds per scenario are the largest timed chunk's."""
    run = _on_one_worker(client, job)
    frames: list[pd.DataFrame] = []
    start, end, timed = 0, 1, 0.0
    largest = (0, 0.0)
    while start < len(rows) and timed < PROBE_SECONDS:
        frame, seconds = run(rows[start:end])
        frames.append(frame)
        if start == 0 or end - start >= largest[0]:
            largest = (end - start, seconds)
        timed += seconds if start > 0 else 0.0
        start, end = end, min(2 * end, len(rows))
    ids = {row["scenario_id"] for row in rows[:start]}
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return Probe(ids, frame, largest[1] / largest[0] if largest[0] else 0.0)


def _on_one_worker(
    client: Any, job: Job
) -> Callable[[list[dict[str, Any]]], tuple[pd.DataFrame, float]]:
    """`_timed_batch` in this process (client None), or on Dask, kept on the worker that ran
    the first call (on another if that one has left)."""
    if client is None:
        return lambda rows: _timed_batch(job, rows)
    chosen: list[str] = []

    def run(rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, float]:
        where = {"workers": chosen, "allow_other_workers": True} if chosen else {}
        future = client.submit(_timed_batch, job, rows, pure=False, **where)
        result = future.result()
        if not chosen:
            chosen.extend(client.who_has([future]).get(future.key, ()))
        return result

    return run


def _parallelism(client: Any) -> int:
    """Threads running batches at once: Dask's, or 1 in this process."""
    return 1 if client is None else max(1, sum(client.nthreads().values()))


def _choose(client: Any, probe: Probe, scenarios: int) -> Partition:
    workers = _parallelism(client)
    overhead = batch_overhead(client is not None)
    size = choose_batch_size(probe.seconds_per_scenario, scenarios, workers, overhead)
    log.info(
        "batch size %d: %.4g s a scenario, %d workers", size, probe.seconds_per_scenario, workers
    )
    return Partition(size, probe.seconds_per_scenario, workers)


# --- the driver: store, batches, Dask ---------------------------------------------------------


@dataclass
class SweepSummary:
    """seconds_per_scenario: measured to choose batch_size (auto), None if the study gives it."""

    folder: Path
    scenarios: int
    batches: int
    batches_run: int
    seconds: float
    batch_size: int
    seconds_per_scenario: float | None = None

    @property
    def batching(self) -> str:
        """The batch size, and for auto what it was chosen from: for the command's summary."""
        if self.seconds_per_scenario is None:
            return f"batch size {self.batch_size}"
        per = 1000 * self.seconds_per_scenario
        return f"batch size {self.batch_size} (auto: {per:.3g} ms a scenario)"


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

    `batch_size: auto` is chosen at the first sweep into `out` (`choose_batch_size`) from
    the first scenarios, solved on one worker (`_probe`); their results are kept (those
    outside the batches run, with max_batches, are solved again by a resume). The manifest
    records the choice before any batch, and a resume reuses it.
    """
    _check_counts(workers, max_batches)
    study_file = str(Path(study_file).resolve())
    study = load_study(study_file)
    folder = Path(out) if out is not None else default_out(study)
    key, inputs = input_key(study, model_needed=evaluate is None)
    if evaluate is None:
        check_against_base(study)
    with OutputFolder(folder, "sweep", inputs=inputs) as store:
        table, done, partition = open_store(store, study, key, resume)
        start = time.perf_counter()
        job = Job(study_file, evaluate, "/".join(key.values()))
        idle = partition is not None and set(range(partition.batches(len(table)))) <= done
        with contextlib.nullcontext() if idle else _dask(workers, scheduler) as client:
            probe = None
            if partition is None:
                probe = _probe(client, job, table.iloc[:PROBE_SCENARIOS].to_dict("records"))
                partition = _choose(client, probe, len(table))
                store.save_manifest(**header(study, table, key, partition))
            about = header(study, table, key, partition)
            batches = list(_pending(table, partition.size, done))[:max_batches]
            total = sum(len(rows) for _, rows in batches)
            finished = 0
            for index, frame in _solve(client, job, batches, probe):
                save_batch(store, index, frame.merge(table, on="scenario_id", how="left"), about)
                finished += frame["scenario_id"].nunique()
                if progress:
                    progress(finished, total, time.perf_counter() - start)

    return SweepSummary(
        folder,
        len(table),
        partition.batches(len(table)),
        len(batches),
        time.perf_counter() - start,
        partition.size,
        partition.seconds_per_scenario,
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


def _solve(
    client: Any, job: Job, batches: list[tuple[int, list[dict]]], probe: Probe | None
) -> Iterator[tuple[int, pd.DataFrame]]:
    """The batches' rows as they finish; the probe's scenarios are taken from it, not solved
    again (a batch it holds whole comes first)."""
    heads: dict[int, pd.DataFrame] = {}
    rest = []
    for index, rows in batches:
        solved = {row["scenario_id"] for row in rows} & (probe.ids if probe else set())
        left = [row for row in rows if row["scenario_id"] not in solved]
        if probe is not None and solved:
            heads[index] = probe.frame[probe.frame["scenario_id"].isin(solved)]
        if left:
            rest.append((index, left))
        else:
            yield index, heads.pop(index)
    for index, frame in _execute(client, job, rest):
        head = heads.get(index)
        yield index, frame if head is None else pd.concat([head, frame], ignore_index=True)


def _execute(
    client: Any, job: Job, batches: list[tuple[int, list[dict]]]
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Run batches in this process (client None) or on Dask, yielding them as they finish."""
    if client is None:
        for index, rows in batches:
            yield index, run_batch(job.study_file, rows, job.evaluate, job.inputs)
        return
    from dask.distributed import as_completed

    futures = {
        client.submit(run_batch, job.study_file, rows, job.evaluate, job.inputs, pure=False): index
        for index, rows in batches
    }
    for future in as_completed(futures):
        yield futures[future], future.result()


@contextlib.contextmanager
def _dask(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client of a new local cluster or of `scheduler`; None for workers=0 (this
    process)."""
    if workers == 0 and scheduler is None:
        yield None
        return
    from dask.distributed import Client

    cluster = client = None
    try:
        with _connecting(scheduler), _workers_ignore_ctrl_c():
            if scheduler is None:
                with _ctrl_c_after():
                    cluster = _local_cluster(workers)
            client = Client(scheduler or cluster)
        yield client
    finally:
        with _quiet_dask():
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()


def _local_cluster(workers: int | None) -> Any:
    """Single-threaded worker processes, `workers` or one per core, without Dask's statistical
    profiler: it samples each worker thread's stack every 10 ms for profiles nothing here reads
    (a one-worker sweep of 8,000 scenarios: 21.1 s with it, 19.6 s without, medians of 18 and
    26 alternating runs, about 7 %). Each nanny hands its worker process the Dask config in
    force when it is made."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            # any free port: Dask's default, 8787, may be another cluster's
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.CRITICAL,
        )


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
