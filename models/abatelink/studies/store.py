"""The results store of a sweep: its design, its batches and the manifest that vouches for them.

Layout: <out>/manifest.json, <out>/design.parquet, <out>/batches/batch-NNNNN.parquet.

The manifest (`outputs.OutputFolder`, kind "sweep") holds the *input key* — hashes of
everything a result depends on: the study, the base scenario, the data set's files and the
package version — and one entry per file written (size, SHA-256; rows for a batch). It is
rewritten, atomically, after each batch. A batch counts as done only when the manifest lists
it and its file verifies (size, checksum, a readable Parquet schema with the store's columns,
the row count); anything else — a truncated file, one written after the manifest was last
saved — is computed again. Resuming on other inputs is refused with the reason: the store
would mix results of two different models.

Batch i holds the scenarios i·size ... (i + 1)·size − 1 of the design, so the manifest records
the batch size (`Partition`). A study's `batch_size: auto` is chosen once, at the first sweep,
and recorded before any batch is written; a resumed sweep reads it back and never chooses
again. Changing the study's batch_size (auto or a number) changes the study's digest: like any
other change of the study, resuming is then refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from abatelink.errors import InputError
from abatelink.inputs.highs_options import written_files
from abatelink.inputs.scenario import Scenario
from abatelink.inputs.study import AUTO, Study, base_scenario, design
from abatelink.outputs import (
    MANIFEST,
    OutputFolder,
    entry_problem,
    files_digest,
    read_manifest,
    warn,
)
from abatelink.studies.outputs import COLUMNS
from abatelink.version import __version__

BATCHES = "batches"
DESIGN = "design.parquet"
CHANGED = {
    "study": "the study file changed",
    "scenario": "the base scenario changed",
    "dataset": "the data set's files changed",
    "abatelink": "they were computed by another version of abatelink",
}
NOT_READ = "not read: an evaluator stands in for the model"


@dataclass(frozen=True)
class Partition:
    """How a sweep cuts its design into batches: `size` scenarios each. For `batch_size: auto`,
    also the measured seconds per scenario and the workers the size was chosen for."""

    size: int
    seconds_per_scenario: float | None = None
    workers: int | None = None

    def batches(self, scenarios: int) -> int:
        return -(-scenarios // self.size)


def given_partition(study: Study) -> Partition | None:
    """The study's own batch size; None for auto (chosen when its first sweep starts)."""
    return None if study.batch_size == AUTO else Partition(study.batch_size)


def batch_name(index: int) -> str:
    return f"{BATCHES}/batch-{index:05d}.parquet"


def batch_file(folder: Path, index: int) -> Path:
    return Path(folder) / batch_name(index)


def input_key(study: Study, *, model_needed: bool = True) -> tuple[dict[str, str], list[Path]]:
    """The input key of a sweep of `study` and the paths it reads.

    model_needed: False when an evaluator stands in for the model; the base scenario is then
    hashed only if it can be read.
    """
    key = {"abatelink": __version__, "study": study.digest()}
    inputs: list[Path] = [p for p in (study.file,) if p is not None]
    try:
        base = base_scenario(study)
    except InputError:
        if model_needed:
            raise
        return key | {"scenario": NOT_READ, "dataset": NOT_READ}, inputs
    _check_no_solver_files(base)
    scenario = json.dumps(base.model_dump(mode="json"), sort_keys=True)
    key["scenario"] = hashlib.sha256(scenario.encode()).hexdigest()
    key["dataset"] = files_digest(base.dataset_path)
    return key, [*inputs, *(p for p in (base.file, base.dataset_path) if p is not None)]


def _check_no_solver_files(base: Scenario) -> None:
    names = written_files(base.solver.options)
    if names:
        raise InputError(
            base.source,
            f"solver options that write files ({', '.join(names)}) are not allowed in a "
            "sweep: every scenario would write the same file; run one scenario with "
            "`abatelink run` for that",
            key="solver.options",
        )


def header(
    study: Study, table: pd.DataFrame, key: dict[str, str], partition: Partition | None
) -> dict[str, Any]:
    """What the manifest says about the sweep besides its files (batch_size None: auto, not
    chosen yet)."""
    return {
        "study": study.name,
        "study_file": str(study.file),
        "study_digest": study.digest(),
        "key": key,
        "resolved_study": study.model_dump(mode="json"),
        "scenarios": len(table),
        "batch_size": partition.size if partition else None,
        "seconds_per_scenario": partition.seconds_per_scenario if partition else None,
        "batch_size_workers": partition.workers if partition else None,
    }


def open_store(
    store: OutputFolder, study: Study, key: dict[str, str], resume: bool
) -> tuple[pd.DataFrame, set[int], Partition | None]:
    """Create the store, or check that an existing one holds results of these very inputs;
    return the design, the batches already done (verified) and the partition they were
    written with (None: auto, to be chosen)."""
    previous = store.previous
    if previous is None:
        table = design(study)
        partition = given_partition(study)
        store.write(DESIGN, lambda p: table.to_parquet(p, index=False))
        store.save_manifest(**header(study, table, key, partition))
        return table, set(), partition
    _check_same_inputs(store.folder, previous, key)
    if not resume:
        raise InputError(
            store.folder,
            "already holds results of this study: pass --resume to run only what is "
            "unfinished, or remove the folder to start again",
        )
    table = load_design(store.folder, previous)
    done = set()
    for entry in previous.get("files", []):
        if not isinstance(entry, dict):
            continue
        if entry.get("path") == DESIGN:
            store.written[DESIGN] = entry
        elif isinstance(entry.get("batch"), int):
            problem = batch_problem(store.folder, entry)
            if problem is None:
                store.written[entry["path"]] = entry
                done.add(entry["batch"])
            else:
                warn(f"{store.folder / str(entry['path'])}: {problem}; computed again")
    return table, done, recorded_partition(store.folder, previous, study, done)


def recorded_partition(
    folder: Path, previous: dict[str, Any], study: Study, done: set[int]
) -> Partition | None:
    """The partition of a store being resumed: the study's batch size, or the one auto chose at
    the first sweep; None if auto had not chosen yet and no batch is done."""
    given = given_partition(study)
    if given is not None:
        return given
    size = previous.get("batch_size")
    if isinstance(size, int) and not isinstance(size, bool) and size >= 1:
        seconds = previous.get("seconds_per_scenario")
        workers = previous.get("batch_size_workers")
        return Partition(
            size,
            float(seconds) if isinstance(seconds, int | float) else None,
            workers if isinstance(workers, int) else None,
        )
    if done:
        raise InputError(
            folder,
            "its manifest does not record the batch size its batches were written with: "
            "remove the folder to start again",
        )
    return None


def _check_same_inputs(folder: Path, previous: dict[str, Any], key: dict[str, str]) -> None:
    stored = previous.get("key")
    if not isinstance(stored, dict):
        raise InputError(
            folder,
            "holds results of an earlier abatelink that did not record the sweep's inputs: "
            "choose another --out or remove the folder to start again",
        )
    reasons = [CHANGED[part] for part in CHANGED if stored.get(part) != key.get(part)]
    if reasons:
        raise InputError(
            folder,
            f"holds results computed from other inputs ({'; '.join(reasons)}): resuming would "
            "mix old and new results; choose another --out or remove the folder to start again",
        )


def save_batch(store: OutputFolder, index: int, rows: pd.DataFrame, about: dict[str, Any]) -> None:
    """Write a batch atomically, then the manifest that lists it."""
    store.write(
        batch_name(index),
        lambda p: rows.to_parquet(p, index=False),
        batch=index,
        rows=len(rows),
        scenarios=int(rows["scenario_id"].nunique()),
    )
    store.save_manifest(**about)


def batch_problem(folder: Path, entry: dict[str, Any]) -> str | None:
    """Why a batch the manifest lists does not count as done, or None."""
    problem = entry_problem(folder, entry)
    if problem is not None:
        return problem
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(Path(folder) / entry["path"])
    except Exception:  # pyarrow raises its own errors for a damaged file
        return "not a readable Parquet file"
    missing = [c for c in COLUMNS if c not in meta.schema.names]
    if missing:
        return f"lacks the columns {', '.join(missing)}"
    if meta.num_rows != entry.get("rows"):
        return f"{meta.num_rows} rows, {entry.get('rows')} written"
    return None


def read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise InputError(path, "not found: run `abatelink sweep` first") from None
    except Exception as err:  # pyarrow's ArrowInvalid and kin
        raise InputError(path, f"not a readable Parquet file ({type(err).__name__})") from None


def _manifest_of(folder: Path) -> dict[str, Any]:
    manifest = read_manifest(folder)
    if manifest is None:
        raise InputError(folder, f"no {MANIFEST}: not the results of `abatelink sweep`")
    if manifest.get("kind") != "sweep":
        raise InputError(folder, f"holds the results of `abatelink {manifest['kind']}`")
    return manifest


def load_design(folder: Path, manifest: dict[str, Any] | None = None) -> pd.DataFrame:
    """The design of a sweep's store, verified against its manifest."""
    manifest = manifest if manifest is not None else _manifest_of(folder)
    entries = [e for e in manifest.get("files", []) if isinstance(e, dict)]
    entry = next((e for e in entries if e.get("path") == DESIGN), None)
    path = Path(folder) / DESIGN
    if entry is not None:
        problem = entry_problem(folder, entry)
        if problem is not None:
            raise InputError(
                path, f"{problem}: the store is damaged; remove the folder to start again"
            )
    return read_parquet(path)


def check_store_of(study: Study, folder: Path) -> dict[str, Any]:
    """The manifest of `folder`, if it holds results of this study as it is now."""
    manifest = _manifest_of(folder)
    if manifest.get("study_digest") != study.digest():
        raise InputError(
            folder,
            "holds results of a different study (its study file changed since the sweep): "
            "run the sweep again into another --out",
        )
    return manifest


def load_results(folder: Path) -> pd.DataFrame:
    """Every stored row of a sweep: the batches its manifest lists, each verified."""
    folder = Path(folder)
    manifest = _manifest_of(folder)
    entries = [e for e in manifest.get("files", []) if isinstance(e, dict) and "batch" in e]
    if "files" not in manifest:  # a store of an earlier abatelink: every file there
        files = sorted((folder / BATCHES).glob("batch-*.parquet"))
    else:
        files = []
        for entry in sorted(entries, key=lambda e: e["batch"]):
            problem = batch_problem(folder, entry)
            if problem is not None:
                raise InputError(
                    folder / str(entry["path"]),
                    f"{problem}: run `abatelink sweep STUDY --resume` to compute it again",
                )
            files.append(folder / entry["path"])
    if not files:
        raise InputError(folder, "no finished batches: run `abatelink sweep` first")
    return pd.concat([read_parquet(f) for f in files], ignore_index=True)
