"""A compiled sweep path for studies whose parameters only move bounds, affinely.

Many studies vary caps, limits or targets: each scenario then changes a few row and column
bounds of the LP, and each bound is affine in each parameter's value. A worker probes this
once with the full machinery (overrides → levers → persistent interface): the base bounds,
one slope per parameter, then a check on held-out design rows that the affine prediction
equals what the full machinery gives, bound for bound. Only then does it sweep by writing
b₀ + Σ_k slope_k·(v_k − v_k0) straight into HiGHS and reading prices, trades and NDC prices
from its arrays. Anything else (costs or other outputs, scenario keys, a MILP, parameters that
interact) stays on the full path, which is always correct.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abatelink.inputs.scenario import Scenario, scenario_inputs
from abatelink.inputs.study import Study, scenario_for
from abatelink.model.build import Model
from abatelink.model.levers import set_inputs
from abatelink.solve.session import STATUS_OF_HIGHS, Session

OUTPUTS = {"prices", "trades", "ndc_prices"}
CHECK_ROWS = 3


@dataclass
class CompiledStudy:
    """Base bounds, the slope of every bound in each parameter, and where to read outputs."""

    names: list[str]
    origin: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    row_base: tuple[np.ndarray, np.ndarray]
    col_base: tuple[np.ndarray, np.ndarray]
    row_slopes: np.ndarray
    col_slopes: np.ndarray
    readers: list[tuple[str, list[str], Any, str, np.ndarray]]


def _bounds(session: Session) -> tuple[np.ndarray, ...]:
    lp = session.highs.getLp()
    return (
        np.array(lp.row_lower_),
        np.array(lp.row_upper_),
        np.array(lp.col_lower_),
        np.array(lp.col_upper_),
        np.array(lp.col_cost_),
    )


def _state(model: Model, session: Session, base: Scenario, study: Study, row: dict) -> tuple:
    set_inputs(model, scenario_inputs(scenario_for(base, study, row), model.dataset))
    session.push_changed_parameters()
    return _bounds(session)


def compile_study(
    model: Model, session: Session, base: Scenario, study: Study, design: pd.DataFrame
) -> CompiledStudy | None:
    """Probe whether the study only moves bounds, affinely; None if it does anything else."""
    if not set(study.outputs) <= OUTPUTS or any(p.table is None for p in study.parameters.values()):
        return None
    session.solve(base.solver)  # its options, and an LP while no build is free
    if session.solves_as_mip:
        return None  # a MILP: its prices need the fixed-build LP of the full path

    names = list(study.parameters)
    rows = design.to_dict("records")
    if len(rows) < 2 + CHECK_ROWS or not all(_numeric(rows[0][n]) for n in names):
        return None
    origin_row = rows[0]
    start = _state(model, session, base, study, origin_row)
    slopes = []
    for name in names:
        other = next((r for r in rows if r[name] != origin_row[name]), None)
        if other is None:
            return None
        moved = _state(model, session, base, study, {**origin_row, name: other[name]})
        if not np.array_equal(moved[4], start[4]):
            return None  # a cost changed: not a bounds-only study
        step = other[name] - origin_row[name]
        slopes.append([_slope(a, b, step) for a, b in zip(start[:4], moved[:4], strict=True)])
    compiled = _assemble(names, origin_row, start, slopes, model, session)
    checks = rows[-CHECK_ROWS:]
    for row in checks:
        actual = _state(model, session, base, study, row)
        if not _predicts(compiled, row, actual):
            return None
    set_inputs(model, scenario_inputs(base, model.dataset))
    session.push_changed_parameters()
    return compiled


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _slope(before: np.ndarray, after: np.ndarray, step: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        slope = (after - before) / step
    same = before == after  # infinite bounds that stay infinite have no slope
    return np.where(same, 0.0, slope)


def _assemble(names, origin_row, start, slopes, model: Model, session: Session) -> CompiledStudy:
    # slopes[k] = (row lower, row upper, col lower, col upper) slopes of parameter k
    row_lo, row_up, col_lo, col_up = (np.array([s[i] for s in slopes]) for i in range(4))
    rows = np.flatnonzero(np.any(row_lo != 0, axis=0) | np.any(row_up != 0, axis=0))
    cols = np.flatnonzero(np.any(col_lo != 0, axis=0) | np.any(col_up != 0, axis=0))
    return CompiledStudy(
        names=names,
        origin=np.array([float(origin_row[n]) for n in names]),
        rows=rows.astype(np.int32),
        cols=cols.astype(np.int32),
        row_base=(start[0][rows], start[1][rows]),
        col_base=(start[2][cols], start[3][cols]),
        row_slopes=np.stack([row_lo[:, rows], row_up[:, rows]]),
        col_slopes=np.stack([col_lo[:, cols], col_up[:, cols]]),
        readers=_readers(model, session),
    )


def _predicted(compiled: CompiledStudy, row: dict) -> tuple[np.ndarray, ...]:
    delta = np.array([float(row[n]) for n in compiled.names]) - compiled.origin
    return (
        compiled.row_base[0] + delta @ compiled.row_slopes[0],
        compiled.row_base[1] + delta @ compiled.row_slopes[1],
        compiled.col_base[0] + delta @ compiled.col_slopes[0],
        compiled.col_base[1] + delta @ compiled.col_slopes[1],
    )


def _predicts(compiled: CompiledStudy, row: dict, actual: tuple[np.ndarray, ...]) -> bool:
    """The affine prediction equals the full machinery's bounds, everywhere."""
    lo_r, up_r, lo_c, up_c = _predicted(compiled, row)
    expected = [actual[0].copy(), actual[1].copy(), actual[2].copy(), actual[3].copy()]
    got = [a.copy() for a in actual[:4]]
    got[0][compiled.rows], got[1][compiled.rows] = lo_r, up_r
    got[2][compiled.cols], got[3][compiled.cols] = lo_c, up_c
    return all(
        np.allclose(g, e, rtol=1e-12, atol=1e-9, equal_nan=True)
        for g, e in zip(got, expected, strict=True)
    )


def _readers(model: Model, session: Session) -> list:
    """(output, item labels, periods, 'row'/'col' kind with its sign and weights, indices)."""
    m, idx = model.pyomo, model.index
    out = []
    keys, rows = session.rows(m.market_balance)
    weights = np.array([idx.weight(t) for _, t in keys])
    out.append(("prices", [k[0] for k in keys], [k[1] for k in keys], ("row", -1.0, weights), rows))
    keys, rows = session.rows(m.tax_base)
    markets = {r: mk for mk, r in ((mk, idx.region_of_market[mk]) for mk in idx.tax_markets)}
    chosen = [(i, markets[r], t) for i, (r, t) in enumerate(keys) if r in markets]
    if chosen:
        pick = np.array([i for i, _, _ in chosen])
        weights = np.array([idx.weight(t) for _, _, t in chosen])
        out.append(
            (
                "prices",
                [mk for _, mk, _ in chosen],
                [t for _, _, t in chosen],
                ("row", 1.0, weights),
                rows[pick],
            )
        )
    keys, rows = session.rows(m.ndc_accounting)
    weights = np.array([idx.weight(t) for _, t in keys])
    out.append(
        ("ndc_prices", [k[0] for k in keys], [k[1] for k in keys], ("row", 1.0, weights), rows)
    )
    keys, cols = session.columns(m.trade_mt)
    out.append(
        (
            "trades",
            [f"{a}->{b}" for a, b, _ in keys],
            [t for _, _, t in keys],
            ("col", 1.0, None),
            cols,
        )
    )
    return out


def solve_compiled(
    compiled: CompiledStudy, session: Session, rows: list[dict], outputs: list[str]
) -> pd.DataFrame:
    """Each scenario: set its bounds in HiGHS, re-solve warm, read the kept outputs.

    The tidy rows of the whole batch are gathered as arrays and framed once.
    """
    chunks: dict[str, list] = {c: [] for c in COLUMNS}
    for row in rows:
        _solve_one(compiled, session.highs, row, outputs, chunks)
    frame = pd.DataFrame({c: np.concatenate(v) for c, v in chunks.items()})
    frame["period"] = pd.array(frame["period"], dtype="Int64")
    return frame[COLUMNS]


COLUMNS = ["scenario_id", "status", "objective_musd", "output", "item", "period", "value"]


def _solve_one(
    compiled: CompiledStudy, highs, row: dict, outputs: list[str], chunks: dict[str, list]
) -> None:
    lo_r, up_r, lo_c, up_c = _predicted(compiled, row)
    highs.changeRowsBounds(len(compiled.rows), compiled.rows, lo_r, up_r)
    highs.changeColsBounds(len(compiled.cols), compiled.cols, lo_c, up_c)
    highs.run()
    status = STATUS_OF_HIGHS.get(highs.getModelStatus(), "unknown")
    info = highs.getInfo()
    objective = info.objective_function_value if info.primal_solution_status == 2 else np.nan
    parts = [("objective", [""], [None], np.array([objective]))]
    if status == "optimal":
        solution = highs.getSolution()
        duals, values = np.asarray(solution.row_dual), np.asarray(solution.col_value)
        for name, items, periods, (kind, sign, weights), index in compiled.readers:
            if name in outputs:
                data = duals[index] if kind == "row" else values[index]
                parts.append(
                    (name, items, periods, sign * data / weights if weights is not None else data)
                )
    for name, items, periods, data in parts:
        n = len(data)
        chunks["scenario_id"].append(np.full(n, row["scenario_id"]))
        chunks["status"].append(np.full(n, status, dtype=object))
        chunks["objective_musd"].append(np.full(n, objective))
        chunks["output"].append(np.full(n, name, dtype=object))
        chunks["item"].append(np.asarray(items, dtype=object))
        chunks["period"].append(np.asarray(periods, dtype=object))
        chunks["value"].append(np.asarray(data, dtype=float))
