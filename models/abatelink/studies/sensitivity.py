"""Sensitivity of a sweep's outputs: tornado tables, Morris μ*/σ, Sobol S1/ST with intervals.

Every kept output (output, item, period) is a scalar over the study's scenarios; the design
decides the analysis: one-at-a-time (oat) → tornado, morris → Morris screening, sobol → Sobol
indices (first order and total, with confidence intervals from SALib's bootstrap). Outputs
that never vary, or lack a value in some scenario (it failed, or did not produce them), have
no sensitivity: they are left out of the table, listed in dropped.csv and counted in a note.
Each headline output of the study (`headlines`) gets a figure (`studies/figures.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abatelink.errors import InputError
from abatelink.extras import NO_FIGURES, has, need
from abatelink.inputs.study import Headline, Study, salib_problem
from abatelink.outputs import OutputFolder
from abatelink.studies import figures
from abatelink.studies.store import BATCHES, DESIGN, check_store_of, load_design, load_results

KEY = ["output", "item", "period"]
FILE_OF = {"oat": "tornado", "morris": "morris", "sobol": "sobol"}
WHAT = {"oat": "tornado", "morris": "Morris μ*, σ", "sobol": "Sobol S1, ST"}
SHIPPED = "runs/studies/tornado.yaml, morris.yaml and sobol.yaml"
NEVER_VARIES = "constant in every scenario"
NO_VALUE = "missing in some scenario"
RELATIVE_TOLERANCE = 1e-9

Outputs = dict[tuple, np.ndarray]


@dataclass(frozen=True)
class Analysis:
    """The sensitivity of a sweep: one table (tornado, morris or sobol), the outputs left out
    and why (output, item, period, reason), the outputs to draw."""

    name: str
    table: pd.DataFrame
    dropped: pd.DataFrame
    headlines: tuple[Headline, ...] = ()

    def drawn(self) -> list[tuple]:
        """The (output, item, period) keys of the table that a headline names, in order."""
        keys = list(dict.fromkeys(self.table[KEY].itertuples(index=False, name=None)))
        return list(dict.fromkeys(k for h in self.headlines for k in keys if h.matches(k)))

    @property
    def notes(self) -> list[str]:
        """What a reader of the table should know: outputs dropped, headlines not drawn."""
        notes = []
        if len(self.dropped):
            counts = self.dropped["reason"].value_counts()
            reasons = ", ".join(f"{n} {reason}" for reason, n in counts.items())
            n = len(self.dropped)
            notes.append(f"{n} output{'s' * (n != 1)} left out ({reasons}): see dropped.csv")
        drawn = self.drawn()
        for h in self.headlines:
            if not any(h.matches(k) for k in drawn):
                notes.append(f"no figure for headline {_named(h)}: no such output varies")
        return notes


def check_design(study: Study, folder: Path | None = None) -> None:
    """Refuse a design that has no sensitivity analysis, naming those that have one."""
    if study.design not in FILE_OF:
        accepted = ", ".join(f"{d} ({a})" for d, a in WHAT.items())
        raise InputError(
            study.file or folder or study.folder,
            f"design {study.design} has no sensitivity analysis; `abatelink sensitivity` "
            f"takes design {accepted}: see the studies {SHIPPED}",
            key="design",
        )


def outputs_by_scenario(results: pd.DataFrame, n: int) -> Outputs:
    """(output, item, period) → values in scenario order (ids 0 … n−1); NaN where a scenario
    failed or did not produce that output."""
    outputs = {}
    for key, rows in results.groupby(KEY, dropna=False, sort=True):
        y = np.full(n, np.nan)
        y[rows["scenario_id"].to_numpy(dtype=int)] = rows["value"].to_numpy(dtype=float)
        outputs[key] = y
    return outputs


def usable(outputs: Outputs) -> tuple[Outputs, pd.DataFrame]:
    """The outputs that vary and have a value in every scenario; the others, with why."""
    kept, dropped = {}, []
    for key, y in outputs.items():
        if np.isnan(y).any():
            dropped.append((*key, NO_VALUE))
        elif np.ptp(y) <= RELATIVE_TOLERANCE * max(1.0, np.abs(y).max()):
            dropped.append((*key, NEVER_VARIES))
        else:
            kept[key] = y
    return kept, pd.DataFrame(dropped, columns=[*KEY, "reason"])


def analyse(study: Study, folder: Path) -> Analysis:
    """The sensitivity of a finished sweep of `study` stored in `folder` (its files verified
    against the store's manifest)."""
    check_design(study, folder)
    design = load_design(folder, check_store_of(study, folder))
    results = load_results(folder)
    missing = set(design["scenario_id"]) - set(results["scenario_id"])
    if missing:
        raise InputError(
            folder,
            f"{len(missing)} scenarios are not run yet: finish the sweep "
            "with `abatelink sweep STUDY --resume`",
        )
    kept, dropped = usable(outputs_by_scenario(results, len(design)))
    table = ANALYSES[study.design](study, design, kept)
    return Analysis(FILE_OF[study.design], table, dropped, tuple(study.headlines))


def tornado(study: Study, design: pd.DataFrame, outputs: Outputs) -> pd.DataFrame:
    """Per output and parameter: the output at base and at the parameter's lowest and highest
    value (the others at base), and the swing between; ranked by swing within each output."""
    base_row = 0  # the one-at-a-time design puts the base scenario first
    ends = {name: _ends(design, name, p.base) for name, p in study.parameters.items()}
    rows = [
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
        for key, y in outputs.items()
        for name, (low, high) in ends.items()
    ]
    columns = [*KEY, "parameter", "low_value", "high_value", "base", "at_low", "at_high", "swing"]
    return _ranked(pd.DataFrame(rows, columns=columns), "swing")


def _ends(design: pd.DataFrame, name: str, base: object) -> tuple[int, int]:
    """The scenarios at a parameter's lowest and highest value, the others at base (the base
    scenario itself when the base value is an end)."""
    at = [0, *design.index[design[name] != base]]
    return min(at, key=lambda i: design.at[i, name]), max(at, key=lambda i: design.at[i, name])


def morris(study: Study, design: pd.DataFrame, outputs: Outputs) -> pd.DataFrame:
    """Morris μ* (mean |elementary effect|, per parameter range), its bootstrap confidence
    interval and σ; ranked by μ* within each output."""
    need("SALib", "a Morris analysis")
    from SALib.analyze import morris as analyze

    problem = salib_problem(study)
    x = design[problem["names"]].to_numpy(dtype=float)
    rows = []
    for key, y in outputs.items():
        result = analyze.analyze(problem, x, y, num_levels=4, seed=study.seed)
        for i, name in enumerate(problem["names"]):
            rows.append(
                (*key, name, result["mu_star"][i], result["mu_star_conf"][i], result["sigma"][i])
            )
    columns = [*KEY, "parameter", "mu_star", "mu_star_conf", "sigma"]
    return _ranked(pd.DataFrame(rows, columns=columns), "mu_star")


def sobol(study: Study, design: pd.DataFrame, outputs: Outputs) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices with SALib's bootstrap confidence
    intervals; ranked by ST within each output."""
    need("SALib", "a Sobol analysis")
    from SALib.analyze import sobol as analyze

    problem = salib_problem(study)
    rows = []
    for key, y in outputs.items():
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
    return _ranked(
        pd.DataFrame(rows, columns=[*KEY, "parameter", "S1", "S1_conf", "ST", "ST_conf"]), "ST"
    )


def _ranked(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Outputs in order, parameters by `by` (largest first) within each, with their rank."""
    frame = frame.sort_values([*KEY, by], ascending=[True, True, True, False], kind="stable")
    frame.insert(len(KEY) + 1, "rank", frame.groupby(KEY, dropna=False).cumcount() + 1)
    return frame.reset_index(drop=True)


ANALYSES: dict[str, Callable[[Study, pd.DataFrame, Outputs], pd.DataFrame]] = {
    "oat": tornado,
    "morris": morris,
    "sobol": sobol,
}
FIGURES = {
    "tornado": figures.tornado_figure,
    "morris": figures.morris_figure,
    "sobol": figures.sobol_figure,
}


def write_sensitivity(analysis: Analysis, folder: Path, study: Study | None = None) -> list[Path]:
    """Write <folder>/sensitivity/: the analysis's table as <name>.csv, dropped.csv (if any
    output was left out), figures/<name>-<output>.png and .svg per headline output, then the
    manifest (with the notes)."""
    inputs = [folder / DESIGN, folder / BATCHES, study.file if study is not None else None]
    with OutputFolder(folder / "sensitivity", "sensitivity", inputs=inputs) as out:
        paths = [out.write_csv(f"{analysis.name}.csv", analysis.table)]
        if len(analysis.dropped):
            paths.append(out.write_csv("dropped.csv", analysis.dropped))
        draw = FIGURES[analysis.name]
        notes = list(analysis.notes)
        if not has("matplotlib"):
            notes.append(NO_FIGURES)
        for key in analysis.drawn() if has("matplotlib") else ():
            rows = analysis.table[_selects(analysis.table, key)]
            paths += figures.save(out, draw(rows, key), figures.file_stem(analysis.name, key))
        out.finish(notes=notes)
    return paths


def _selects(table: pd.DataFrame, key: tuple) -> pd.Series:
    output, item, period = key
    same_period = table["period"].isna() if pd.isna(period) else table["period"] == period
    return (table["output"] == output) & (table["item"] == item) & same_period


def _named(h: Headline) -> str:
    return "/".join(str(p) for p in (h.output, h.item, h.period) if p is not None)
