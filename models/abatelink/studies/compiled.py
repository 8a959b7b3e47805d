"""A compiled sweep path for studies whose parameters only move bounds, affinely.

Many studies vary caps, limits or targets: each scenario then changes a few row and column
bounds of the LP, and each bound is affine in each parameter's value. A worker probes this
once with the full machinery (overrides → levers → persistent interface): the base bounds,
one slope per parameter, then a check on held-out design rows that the affine prediction
equals what the full machinery gives, bound for bound. Only then does it sweep by writing
b₀ + Σ_k slope_k·(v_k − v_k0) straight into HiGHS and reading prices, trades and NDC prices
from its arrays. Anything else (costs or other outputs, scenario keys, a MILP, parameters that
interact) stays on the full path, which is always correct: `compile_study` then says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd

from abatelink.inputs.scenario import Inputs, Scenario, scenario_inputs
from abatelink.inputs.study import Study, scenario_for
from abatelink.model.build import Model
from abatelink.model.levers import set_inputs
from abatelink.results.costs import cost_lines, present_values
from abatelink.results.extract import Extract, Recording, Unmoved, param_values
from abatelink.solve.priced import Priced, central, solve
from abatelink.solve.session import STATUS_OF_HIGHS, Session
from abatelink.studies.outputs import COLUMNS, national_costs

OUTPUTS = {"prices", "trades", "ndc_prices", "costs"}
CHECK_ROWS = 3


@dataclass(frozen=True)
class Bounds:
    """Row and column bounds of the LP, or their slopes in the parameters.

    Whole bounds are 1-D (one entry per row or column); the bounds a study moves are taken at
    its rows and columns; slopes carry one leading entry per parameter.
    """

    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray

    def arrays(self) -> list[np.ndarray]:
        """The four arrays, in field order."""
        return [getattr(self, f.name) for f in fields(self)]

    def at(self, rows: np.ndarray, cols: np.ndarray) -> Bounds:
        """The entries of these rows and columns (along the last axis)."""
        return Bounds(
            self.row_lower[..., rows],
            self.row_upper[..., rows],
            self.col_lower[..., cols],
            self.col_upper[..., cols],
        )

    def placed(self, rows: np.ndarray, cols: np.ndarray, part: Bounds) -> Bounds:
        """A copy with `part` written at these rows and columns."""
        out = Bounds(*(a.copy() for a in self.arrays()))
        out.row_lower[rows], out.row_upper[rows] = part.row_lower, part.row_upper
        out.col_lower[cols], out.col_upper[cols] = part.col_lower, part.col_upper
        return out


def combine(fn: Callable[..., np.ndarray], *bounds: Bounds) -> Bounds:
    """Bounds whose every array is `fn` of the same array of each of `bounds`."""
    return Bounds(*(fn(*arrays) for arrays in zip(*(b.arrays() for b in bounds), strict=True)))


@dataclass(frozen=True)
class LpState:
    """What a scenario makes of the LP where the compiled path looks: bounds and costs, and
    the values of the parameters the accounts read (`watched`)."""

    bounds: Bounds
    col_cost: np.ndarray
    watched: np.ndarray


@dataclass(frozen=True)
class Reader:
    """Where one output sits in HiGHS's solution, and how it becomes the output's values.

    A row reader takes duals, a column reader primal values; duals are turned into prices by
    `sign · dual / weight` (the period weights of the objective).
    """

    output: str
    items: list[str]
    periods: list[Any]
    kind: Literal["row", "col"]
    sign: float
    weights: np.ndarray | None
    index: np.ndarray

    def read(self, duals: np.ndarray, values: np.ndarray) -> np.ndarray:
        """This output's values from the solution's row duals and column values."""
        data = duals[self.index] if self.kind == "row" else values[self.index]
        return self.sign * data / self.weights if self.weights is not None else data


@dataclass(frozen=True)
class CompiledStudy:
    """Base bounds, the slope of every bound in each parameter, and where to read outputs.

    `base` holds the bounds at the origin design row, taken at the moved `rows` and `cols`;
    `slopes` holds, per parameter (first axis), the slope of each of those bounds. `inputs`:
    the base scenario's, which the accounts read beside the solution; `parameters`: the
    values of the parameters they read, which no scenario moves (`Unmoved`).
    """

    names: list[str]
    origin: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    base: Bounds
    slopes: Bounds
    readers: list[Reader]
    inputs: Inputs
    parameters: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class NotCompiled:
    """Why a study stays on the full path."""

    reason: str


def _lp_state(session: Session, watched: list[str]) -> LpState:
    """The bounds and column costs HiGHS holds now, and the watched parameters' values."""
    lp = session.highs.getLp()
    bounds = Bounds(
        np.array(lp.row_lower_),
        np.array(lp.row_upper_),
        np.array(lp.col_lower_),
        np.array(lp.col_upper_),
    )
    values = [param_values(session.model, name) for name in watched]
    return LpState(bounds, np.array(lp.col_cost_), np.concatenate([np.zeros(0), *values]))


def _state(
    model: Model, session: Session, base: Scenario, study: Study, watched: list[str], row: dict
) -> LpState:
    """The LP a design row makes, through the full machinery (overrides → levers → HiGHS)."""
    set_inputs(model, scenario_inputs(scenario_for(base, study, row), model.dataset))
    session.push_changed_parameters()
    return _lp_state(session, watched)


def compile_study(
    model: Model, session: Session, base: Scenario, study: Study, design: pd.DataFrame
) -> CompiledStudy | NotCompiled:
    """Probe whether the study only moves bounds, affinely: compiled if so, else the reason."""
    unfit = _unfit_study(study)
    if unfit is not None:
        return unfit
    inputs = scenario_inputs(base, model.dataset)
    priced = solve(session, inputs, base.solver)  # its options, and an LP while no build is free
    if session.solves_as_mip:
        return NotCompiled("a MILP: its prices need the fixed-build LP of the full path")
    names = list(study.parameters)
    rows = design.to_dict("records")
    unfit = _unfit_design(names, rows)
    if unfit is not None:
        return unfit
    watched = _watched(priced, study)
    if isinstance(watched, NotCompiled):
        return watched
    state = partial(_state, model, session, base, study, watched)
    start = state(rows[0])
    slopes = _probe_slopes(state, names, rows, start)
    if isinstance(slopes, NotCompiled):
        return slopes
    readers = _readers(model, session)
    compiled = _assemble(names, rows[0], start.bounds, slopes, readers, inputs)
    unfit = _check(compiled, state, start, rows[-CHECK_ROWS:])
    if unfit is not None:
        return unfit
    set_inputs(model, scenario_inputs(base, model.dataset))
    session.push_changed_parameters()
    return compiled


def _unfit_study(study: Study) -> NotCompiled | None:
    """Why the study's outputs or parameters need the full path, if they do."""
    other = sorted(set(study.outputs) - OUTPUTS)
    if other:
        return NotCompiled(f"outputs {', '.join(other)} are read by the full path only")
    keys = [name for name, p in study.parameters.items() if p.table is None]
    if keys:
        return NotCompiled(f"parameters {', '.join(keys)} change the scenario, not a table")
    return None


def _watched(priced: Priced, study: Study) -> list[str] | NotCompiled:
    """The parameters the accounts read, if the study keeps costs (none otherwise)."""
    if "costs" not in study.outputs:
        return []
    if priced.inputs.open_projects:
        return NotCompiled("costs of open joint projects read the scenario's data: full path")
    if not priced.has_solution:
        return NotCompiled(f"the base scenario has no solution ({priced.status})")
    recording = Recording(priced)
    cost_lines(recording)
    return sorted(recording.read)


def _unfit_design(names: list[str], rows: list[dict]) -> NotCompiled | None:
    """Why the design cannot be probed and checked, if it cannot."""
    if len(rows) < 2 + CHECK_ROWS:
        return NotCompiled(
            f"{len(rows)} scenarios: too few to probe and check ({2 + CHECK_ROWS} needed)"
        )
    text = [n for n in names if not _numeric(rows[0][n])]
    if text:
        return NotCompiled(f"parameters {', '.join(text)} take non-numeric values")
    return None


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _probe_slopes(
    state: Callable[[dict], LpState], names: list[str], rows: list[dict], start: LpState
) -> list[Bounds] | NotCompiled:
    """Each parameter's slope of every bound: move it alone from the origin row (rows[0])."""
    origin = rows[0]
    slopes = []
    for name in names:
        other = next((r for r in rows if r[name] != origin[name]), None)
        if other is None:
            return NotCompiled(f"parameter {name} takes a single value in the design")
        moved = state({**origin, name: other[name]})
        unfit = _unfit_state(f"parameter {name}", moved, start)
        if unfit is not None:
            return unfit
        step = other[name] - origin[name]
        slopes.append(combine(partial(_slope, step=step), start.bounds, moved.bounds))
    return slopes


def _unfit_state(what: str, state: LpState, start: LpState) -> NotCompiled | None:
    """Why a state the compiled path cannot reach by bounds alone, if so."""
    if not np.array_equal(state.col_cost, start.col_cost):
        return NotCompiled(f"{what} changes costs, not only bounds")
    if not np.array_equal(state.watched, start.watched, equal_nan=True):
        return NotCompiled(f"{what} changes parameters the accounts read (costs kept)")
    return None


def _slope(before: np.ndarray, after: np.ndarray, step: float) -> np.ndarray:
    """(after − before) / step; 0 where the bound did not move (e.g. stays infinite)."""
    with np.errstate(invalid="ignore"):
        slope = (after - before) / step
    same = before == after  # infinite bounds that stay infinite have no slope
    return np.where(same, 0.0, slope)


def _assemble(
    names: list[str],
    origin_row: dict,
    start: Bounds,
    slopes: list[Bounds],
    readers: list[Reader],
    inputs: Inputs,
) -> CompiledStudy:
    """Keep only the rows and columns some parameter moves, with their base and slopes."""
    stacked = combine(lambda *per_parameter: np.array(per_parameter), *slopes)
    rows = np.flatnonzero(
        np.any(stacked.row_lower != 0, axis=0) | np.any(stacked.row_upper != 0, axis=0)
    )
    cols = np.flatnonzero(
        np.any(stacked.col_lower != 0, axis=0) | np.any(stacked.col_upper != 0, axis=0)
    )
    return CompiledStudy(
        names=names,
        origin=np.array([float(origin_row[n]) for n in names]),
        rows=rows.astype(np.int32),
        cols=cols.astype(np.int32),
        base=start.at(rows, cols),
        slopes=stacked.at(rows, cols),
        readers=readers,
        inputs=inputs,
    )


def _check(
    compiled: CompiledStudy, state: Callable[[dict], LpState], start: LpState, rows: list[dict]
) -> NotCompiled | None:
    """Held-out rows: the affine prediction must match the full machinery on each."""
    for row in rows:
        actual = state(row)
        unfit = _unfit_state(f"scenario {row['scenario_id']}", actual, start)
        if unfit is not None:
            return unfit
        if not _predicts(compiled, row, actual.bounds):
            return NotCompiled(
                f"scenario {row['scenario_id']}: its bounds differ from the affine "
                "prediction (parameters interact, or a bound is not affine)"
            )
    return None


def _predicted(compiled: CompiledStudy, row: dict) -> Bounds:
    """The moved bounds of a design row: base + Σ_k slope_k·(v_k − v_k0)."""
    delta = np.array([float(row[n]) for n in compiled.names]) - compiled.origin
    return combine(lambda base, slope: base + delta @ slope, compiled.base, compiled.slopes)


def _predicts(compiled: CompiledStudy, row: dict, actual: Bounds) -> bool:
    """The affine prediction equals the full machinery's bounds, everywhere."""
    got = actual.placed(compiled.rows, compiled.cols, _predicted(compiled, row))
    return all(
        np.allclose(g, e, rtol=1e-12, atol=1e-9, equal_nan=True)
        for g, e in zip(got.arrays(), actual.arrays(), strict=True)
    )


def _readers(model: Model, session: Session) -> list[Reader]:
    """Where prices (market balances, tax bases), NDC prices and trades sit in HiGHS."""
    m, idx = model.pyomo, model.index
    keys, rows = session.rows(m.market_balance)
    weights = np.array([idx.weight(t) for _, t in keys])
    out = [Reader("prices", [k[0] for k in keys], [k[1] for k in keys], "row", -1.0, weights, rows)]
    keys, rows = session.rows(m.tax_base)
    markets = {r: mk for mk, r in ((mk, idx.region_of_market[mk]) for mk in idx.tax_markets)}
    chosen = [(i, markets[r], t) for i, (r, t) in enumerate(keys) if r in markets]
    if chosen:
        pick = np.array([i for i, _, _ in chosen])
        weights = np.array([idx.weight(t) for _, _, t in chosen])
        items, periods = [mk for _, mk, _ in chosen], [t for _, _, t in chosen]
        out.append(Reader("prices", items, periods, "row", 1.0, weights, rows[pick]))
    keys, rows = session.rows(m.ndc_accounting)
    weights = np.array([idx.weight(t) for _, t in keys])
    items, periods = [k[0] for k in keys], [k[1] for k in keys]
    out.append(Reader("ndc_prices", items, periods, "row", 1.0, weights, rows))
    keys, cols = session.columns(m.trade_mt)
    items, periods = [f"{a}->{b}" for a, b, _ in keys], [t for _, _, t in keys]
    out.append(Reader("trades", items, periods, "col", 1.0, None, cols))
    return out


def solve_compiled(
    compiled: CompiledStudy, session: Session, rows: list[dict], outputs: list[str]
) -> pd.DataFrame:
    """Each scenario: set its bounds in HiGHS, re-solve warm, read the kept outputs.

    The tidy rows of the whole batch are gathered as arrays and framed once.
    """
    chunks: dict[str, list] = {c: [] for c in COLUMNS}
    for row in rows:
        _solve_one(compiled, session, row, outputs, chunks)
    frame = pd.DataFrame({c: np.concatenate(v) for c, v in chunks.items()})
    frame["period"] = pd.array(frame["period"], dtype="Int64")
    return frame[COLUMNS]


def _solve_one(
    compiled: CompiledStudy,
    session: Session,
    row: dict,
    outputs: list[str],
    chunks: dict[str, list],
) -> None:
    """Solve one scenario and append its tidy rows (objective, then kept outputs) to chunks;
    prices at a kink and degenerate flows are those `run` reports (`solve.priced.central`)."""
    highs = session.highs
    bounds = _predicted(compiled, row)
    highs.changeRowsBounds(len(compiled.rows), compiled.rows, bounds.row_lower, bounds.row_upper)
    highs.changeColsBounds(len(compiled.cols), compiled.cols, bounds.col_lower, bounds.col_upper)
    highs.run()
    status = STATUS_OF_HIGHS.get(highs.getModelStatus(), "unknown")
    info = highs.getInfo()
    objective = info.objective_function_value if info.primal_solution_status == 2 else np.nan
    append = partial(_append, chunks, row["scenario_id"], status, objective)
    append("objective", [""], [None], np.array([objective]))
    if status == "optimal":
        flows = not {"trades", "costs"}.isdisjoint(outputs)
        solution = central(session, session.current_solution(), flows=flows, restore=False)
        duals, values = solution.row_dual, solution.col_value
        for reader in compiled.readers:
            if reader.output in outputs:
                append(reader.output, reader.items, reader.periods, reader.read(duals, values))
        if "costs" in outputs:
            priced = Priced(session, compiled.inputs, solution, solution)
            _append_costs(Unmoved(priced, compiled.parameters), append)


def _append_costs(x: Extract, append: Callable[..., None]) -> None:
    """The national costs per region and period (costs) and their present values (cost_pv)."""
    idx = x.model.index
    national = national_costs(x)
    keys = idx.region_periods()
    append("costs", [r for r, _ in keys], [t for _, t in keys], national)
    regions = list(idx.regions)
    append("cost_pv", regions, [None] * len(regions), present_values(national, idx))


def _append(
    chunks: dict[str, list],
    scenario_id: int,
    status: str,
    objective: float,
    output: str,
    items: list[str],
    periods: list[Any],
    data: np.ndarray,
) -> None:
    """Append the tidy rows of one output of one scenario, column by column."""
    n = len(data)
    chunks["scenario_id"].append(np.full(n, scenario_id))
    chunks["status"].append(np.full(n, status, dtype=object))
    chunks["objective_musd"].append(np.full(n, objective))
    chunks["output"].append(np.full(n, output, dtype=object))
    chunks["item"].append(np.asarray(items, dtype=object))
    chunks["period"].append(np.asarray(periods, dtype=object))
    chunks["value"].append(np.asarray(data, dtype=float))
