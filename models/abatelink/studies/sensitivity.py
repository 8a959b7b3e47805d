"""Sensitivity of a sweep's outputs: tornado tables, Morris μ*/σ, Sobol S1/ST with intervals.

Every kept output (output, item, period) is a scalar over the study's scenarios; the design
decides the analysis: one-at-a-time → tornado, morris → Morris screening, sobol → Sobol
indices (first order and total, with confidence intervals from SALib's bootstrap).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from abatelink.errors import InputError
from abatelink.inputs.study import Study, salib_problem
from abatelink.outputs import OutputFolder
from abatelink.studies.store import BATCHES, DESIGN, check_store_of, load_design, load_results

KEY = ["output", "item", "period"]
FILE_OF = {"oat": "tornado", "morris": "morris", "sobol": "sobol"}


def outputs_by_scenario(results: pd.DataFrame, n: int) -> dict[tuple, np.ndarray]:
    """(output, item, period) → values in scenario order; NaN where a scenario failed."""
    table = results.pivot_table(index="scenario_id", columns=KEY, values="value", dropna=False)
    table = table.reindex(range(n))
    return {key: table[key].to_numpy(dtype=float) for key in table.columns}


def analyse(study: Study, folder: Path) -> dict[str, pd.DataFrame]:
    """The sensitivity tables of a finished sweep of `study` stored in `folder` (its files
    verified against the store's manifest)."""
    design = load_design(folder, check_store_of(study, folder))
    results = load_results(folder)
    missing = set(design["scenario_id"]) - set(results["scenario_id"])
    if missing:
        raise InputError(
            folder,
            f"{len(missing)} scenarios are not run yet: finish the sweep "
            "with `abatelink sweep STUDY --resume`",
        )
    outputs = outputs_by_scenario(results, len(design))
    analyses = {"oat": tornado, "morris": morris, "sobol": sobol}
    if study.design not in analyses:
        raise InputError(
            study.file or folder,
            f"design {study.design} has no sensitivity "
            "analysis; use oat (tornado), morris or sobol",
            key="design",
        )
    return {study.design: analyses[study.design](study, design, outputs)}


def tornado(study: Study, design: pd.DataFrame, outputs: dict) -> pd.DataFrame:
    """Per output and parameter: the output at its lowest and highest value, others at base."""
    base_row = 0  # the one-at-a-time design puts the base scenario first
    rows = []
    for key, y in outputs.items():
        for name, p in study.parameters.items():
            varied = design.index[design[name] != p.base].tolist()
            if not varied:
                continue
            low, high = (
                min(varied, key=lambda i: design.at[i, name]),
                max(varied, key=lambda i: design.at[i, name]),
            )
            rows.append(
                (
                    *key,
                    name,
                    design.at[low, name],
                    design.at[high, name],
                    y[base_row],
                    y[low],
                    y[high],
                    abs(y[high] - y[low]),
                )
            )
    columns = [*KEY, "parameter", "low_value", "high_value", "base", "at_low", "at_high", "swing"]
    return pd.DataFrame(rows, columns=columns).sort_values([*KEY, "swing"], ascending=False)


def morris(study: Study, design: pd.DataFrame, outputs: dict) -> pd.DataFrame:
    from SALib.analyze import morris as analyze

    problem = salib_problem(study)
    x = design[problem["names"]].to_numpy(dtype=float)
    rows = []
    for key, y in outputs.items():
        if np.isnan(y).any():
            continue
        result = analyze.analyze(problem, x, y, num_levels=4, seed=study.seed)
        for i, name in enumerate(problem["names"]):
            rows.append(
                (*key, name, result["mu_star"][i], result["mu_star_conf"][i], result["sigma"][i])
            )
    return pd.DataFrame(rows, columns=[*KEY, "parameter", "mu_star", "mu_star_conf", "sigma"])


def sobol(study: Study, design: pd.DataFrame, outputs: dict) -> pd.DataFrame:
    from SALib.analyze import sobol as analyze

    problem = salib_problem(study)
    rows = []
    for key, y in outputs.items():
        if np.isnan(y).any() or np.ptp(y) == 0:
            continue
        result = analyze.analyze(problem, y, calc_second_order=False, seed=study.seed)
        for i, name in enumerate(problem["names"]):
            rows.append(
                (
                    *key,
                    name,
                    result["S1"][i],
                    result["S1_conf"][i],
                    result["ST"][i],
                    result["ST_conf"][i],
                )
            )
    return pd.DataFrame(rows, columns=[*KEY, "parameter", "S1", "S1_conf", "ST", "ST_conf"])


def write_sensitivity(
    tables: dict[str, pd.DataFrame], folder: Path, study: Study | None = None
) -> list[Path]:
    """Write each table as <folder>/sensitivity/<analysis>.csv, then its manifest."""
    inputs = [folder / DESIGN, folder / BATCHES, study.file if study is not None else None]
    with OutputFolder(folder / "sensitivity", "sensitivity", inputs=inputs) as out:
        paths = [out.write_csv(f"{FILE_OF[d]}.csv", frame) for d, frame in tables.items()]
        out.finish()
    return paths
