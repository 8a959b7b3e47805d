"""Solve a built model with HiGHS through Pyomo's persistent interface, and read results back.

One `Session` per built model: the HiGHS model is written once — the Pyomo model through
the persistent interface, then the MAC step columns and the variables the build declared as
arrays (`model.arrays`); `solve` pushes only the changed mutable parameters (and variables
named by the caller) and re-solves from the last basis. Values and duals are read straight
from HiGHS's arrays for the components asked for.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pyomo.core as pyo
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.core.base.param import ParamData

from abatelink.errors import SolveError
from abatelink.inputs.scenario import SolverOptions
from abatelink.model.arrays import ArrayVar, OwnRows, costs, param_values
from abatelink.model.build import Model
from abatelink.model.components.abatement import StepColumns
from abatelink.solve.highs import new_highs, use_threads
from abatelink.solve.pyomo_bridge import Pusher, column_of, highs_of, row_of

_S = highspy.HighsModelStatus
STATUS_OF_HIGHS = {
    _S.kOptimal: "optimal",
    _S.kInfeasible: "infeasible",
    _S.kUnboundedOrInfeasible: "infeasible_or_unbounded",
    _S.kUnbounded: "unbounded",
    _S.kTimeLimit: "time_limit",
    _S.kIterationLimit: "iteration_limit",
    _S.kSolutionLimit: "solution_limit",
    _S.kObjectiveBound: "objective_limit",
    _S.kObjectiveTarget: "objective_limit",
    _S.kLoadError: "error",
    _S.kModelError: "error",
    _S.kPresolveError: "error",
    _S.kSolveError: "error",
    _S.kPostsolveError: "error",
}


@dataclass(frozen=True)
class Solution:
    """What HiGHS returned: status, objective, and the raw primal and dual arrays."""

    status: str
    has_solution: bool
    objective: float | None
    bound: float | None
    is_mip: bool
    col_value: np.ndarray
    col_dual: np.ndarray | None
    row_dual: np.ndarray | None
    solve_seconds: float
    iterations: int
    row_value: np.ndarray  # each row's activity at col_value

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def gap(self) -> float | None:
        """Relative MIP gap |objective − bound| / |objective| (0 for an optimal LP)."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


class Session:
    """A persistent HiGHS model for one built model."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.opt = Highs(treat_fixed_vars_as_params=False)
        if not self.opt.available():
            raise SolveError("HiGHS is not available: install highspy (pip install highspy)")
        updates = self.opt.config.auto_updates
        updates.check_for_new_or_removed_constraints = False
        updates.check_for_new_or_removed_vars = False
        updates.check_for_new_or_removed_params = False
        updates.check_for_new_objective = False
        updates.update_constraints = False
        updates.update_vars = False
        updates.update_named_expressions = False
        updates.update_objective = False
        updates.update_parameters = True
        start = time.perf_counter()
        self.opt.set_instance(model.pyomo)
        self.highs.setOptionValue("output_flag", False)  # also silences updates between solves
        self.highs.HandleKeyboardInterrupt = True
        self._indexes: dict[str, pd.Index] = {}
        self._columns: dict[str, tuple[list, np.ndarray]] = {}
        self._rows: dict[str, tuple[list, np.ndarray]] = {}
        # Appended after every Pyomo column and row, so the interface's own numbering holds;
        # nothing is added to or removed from the Pyomo model once it is in HiGHS.
        _, pool_columns = self.columns(model.pyomo.pool_abatement_mt)
        self.step_columns = _append_steps(self.highs, model.steps, pool_columns)
        for var in model.arrays:
            self._append_array(var)
        self._fixed: set[str] = set()
        self.instance_seconds = time.perf_counter() - start
        self._options: dict[str, Any] = {}
        self._integers_on = True
        self._after_mip = False
        self._parameters = [
            data
            for param in model.pyomo.component_objects(pyo.Param)
            if param.mutable
            for data in param.values()
        ]
        self._pushed = {id(data): data.value for data in self._parameters}
        self._array_parameters = _array_parameters(model)
        self._pusher: Pusher | None = None
        self._scratch: highspy.Highs | None = None

    @property
    def highs(self) -> highspy.Highs:
        """The underlying `highspy.Highs` object."""
        return highs_of(self.opt)

    def scratch(self) -> highspy.Highs:
        """A second HiGHS object for auxiliary solves (`solve.ties`), made once: each use
        passes its own model. It runs on the session's threads and time limit."""
        if self._scratch is None:
            self._scratch = new_highs(self.highs.getOptionValue("threads")[1])
        for name in ("threads", "time_limit"):
            self._scratch.setOptionValue(name, self.highs.getOptionValue(name)[1])
        return self._scratch

    def _append_array(self, var: ArrayVar) -> None:
        """Append an array variable's own rows, then its columns with their entries in the
        Pyomo model's rows and in those (`ArrayVar`), after everything already in HiGHS; record
        both under their names, as `columns` and `rows` do for Pyomo's."""
        highs, m = self.highs, self.model.pyomo
        own, n = var.rows, len(var)
        first_row, first_column = highs.getNumRow(), highs.getNumCol()
        none = np.empty(0, dtype=np.int32)
        highs.addRows(len(own.keys), own.lower, own.upper, 0, none, none, np.empty(0))
        rows = [first_row + own.rows]
        for entries in var.entries:
            keys, at = self.rows(getattr(m, entries.constraint))
            row_of_key = dict(zip(keys, at.tolist()))
            rows.append(np.array([row_of_key[k] for k in entries.row_keys], dtype=np.int64))
        columns = np.concatenate([own.columns, *(e.columns for e in var.entries)])
        values = np.concatenate([own.values, *(e.values for e in var.entries)])
        order = np.argsort(columns, kind="stable")
        starts = np.searchsorted(columns[order], np.arange(n)).astype(np.int32)
        highs.addCols(
            n,
            costs(m, var),
            np.zeros(n),
            param_values(m, var.upper),
            len(order),
            starts,
            np.concatenate(rows)[order].astype(np.int32),
            values[order],
        )
        added = np.arange(first_column, first_column + n)
        if var.integer:
            kind = np.full(n, highspy.HighsVarType.kInteger)
            highs.changeColsIntegrality(n, added.astype(np.int32), kind)
        self._columns[var.name] = (list(var.index), added)
        self._rows[own.name] = (list(own.keys), np.arange(first_row, first_row + len(own.keys)))

    def update_variables(self, variables: list) -> None:
        """Push bounds, fixing or domain of these variables (after fix/unfix/setub in Pyomo)."""
        self.opt.update_variables(variables)
        if self._pusher is not None:
            self._pusher.refresh(variables)  # the interface made new bound helpers for them

    def solve(self, options: SolverOptions | None = None, *, push: bool = True) -> Solution:
        """Push changed parameters through the persistent interface, then re-solve in place.

        HiGHS runs directly on the model the interface keeps (from its last basis); Pyomo's
        `solve()` wrapper is skipped because its per-call overhead exceeds a small LP's solve.
        `push=False` skips the scan for changed parameters, for a caller that pushed what it
        changed (`push_parameters`). Never raises on a non-optimal status.
        """
        options = options or SolverOptions()
        use_threads(options.threads)
        if push:
            self.push_changed_parameters()
        self._set_options(options)
        as_mip = self._integrality_where_needed()
        if self._after_mip and not as_mip:
            # The basis HiGHS keeps after a MIP is no basis of this LP, and holding one makes
            # it skip presolve: 2,815 simplex iterations (2.7 s) on plant-level data against
            # 43 (0.9 s) from scratch (benchmarks/scale.py, the LP for MILP prices).
            self.highs.clearSolver()
        start = time.perf_counter()
        status = self.highs.run()
        if status == highspy.HighsStatus.kError and self.highs.getModelStatus() in (
            highspy.HighsModelStatus.kNotset,
            highspy.HighsModelStatus.kSolveError,
        ):
            raise SolveError(f"HiGHS failed to run ({self.highs.getModelStatus()})")
        self._after_mip = as_mip
        return self._solution(time.perf_counter() - start)

    def push_changed_parameters(self) -> int:
        """Send HiGHS only what depends on parameters whose value changed since the last push.

        Pyomo's `update_parameters` re-evaluates every mutable bound and coefficient (about a
        thousand expressions in the national model); a scenario usually changes a few dozen.
        Returns the number of bounds and coefficients pushed.
        """
        changed = [data for data in self._parameters if data.value != self._pushed[id(data)]]
        return self.push_parameters(changed)

    def push_parameters(self, changed: Iterable[ParamData]) -> int:
        """Send HiGHS what depends on these parameters (their new values already set in Pyomo),
        bounds and costs as arrays (`pyomo_bridge.Pusher`). A caller that knows what it changed
        (coalition values) saves the scan of every parameter; returns the number pushed.
        The map from parameters to what they feed is built at the first change: a model
        solved once, as `run` does, never needs it."""
        changed = list(changed)
        for data in changed:
            self._pushed[id(data)] = data.value
        to_arrays = [d for d in changed if id(d) in self._array_parameters]
        to_pyomo = [d for d in changed if id(d) not in self._array_parameters]
        pushed = self._push_to_arrays(to_arrays)
        if not to_pyomo:
            return pushed
        if self._pusher is None:
            self._pusher = Pusher(self.opt)
        stale: dict[int, Any] = {}
        for data in to_pyomo:
            for helper in self._pusher.by_parameter.get(id(data), ()):
                stale[id(helper)] = helper
        self._pusher.push(stale.values())
        return pushed + len(stale)

    def _push_to_arrays(self, changed: list[ParamData]) -> int:
        """Send the upper bounds and costs of array columns that depend on these parameters
        (`ArrayVar`); a fixed column keeps its value until `release`."""
        bounds: dict[str, dict[int, float]] = {}
        cost: dict[str, dict[int, float]] = {}
        for data in changed:
            var, kind, at = self._array_parameters[id(data)]
            if kind == "upper" and var.name not in self._fixed:
                bounds.setdefault(var.name, {}).update(dict.fromkeys(at.tolist(), data.value))
            elif kind == "cost":
                scaled = var.cost_scale[at] * data.value
                cost.setdefault(var.name, {}).update(zip(at.tolist(), scaled.tolist()))
        for name, values in bounds.items():
            cols = self._columns[name][1][list(values)].astype(np.int32)
            upper = np.fromiter(values.values(), float, count=len(values))
            self.highs.changeColsBounds(len(cols), cols, np.zeros(len(cols)), upper)
        for name, values in cost.items():
            cols = self._columns[name][1][list(values)].astype(np.int32)
            self.highs.changeColsCost(len(cols), cols, np.fromiter(values.values(), float))
        return sum(map(len, bounds.values())) + sum(map(len, cost.values()))

    def fix(self, var: ArrayVar, values: np.ndarray) -> None:
        """Hold an array variable's columns at `values` as continuous columns (what fixing a
        Pyomo variable and relaxing its domain does) until `release`."""
        cols = self._columns[var.name][1].astype(np.int32)
        kind = np.full(len(cols), highspy.HighsVarType.kContinuous)
        self.highs.changeColsIntegrality(len(cols), cols, kind)
        self.highs.changeColsBounds(len(cols), cols, values, values)
        self._fixed.add(var.name)

    def release(self, var: ArrayVar) -> None:
        """Give fixed columns back their bounds (from the parameters) and their integrality."""
        self._fixed.discard(var.name)
        cols = self._columns[var.name][1].astype(np.int32)
        integer = var.integer and self._integers_on
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        self.highs.changeColsIntegrality(len(cols), cols, np.full(len(cols), kind))
        upper = param_values(self.model.pyomo, var.upper)
        self.highs.changeColsBounds(len(cols), cols, np.zeros(len(cols)), upper)

    @property
    def solves_as_mip(self) -> bool:
        """Whether the last solve kept integer columns integer (a build was free to choose)."""
        return self._after_mip

    def _integrality_where_needed(self) -> bool:
        """Solve as an LP while every integer column is pinned to 0 by its bounds; whether
        the next solve is a MIP.

        A model with project build variables is a MIP even when no project is open, and a
        MIP re-solve costs presolve and branching set-up each time; with every integer
        variable bounded to [0, 0] the LP is the same problem.
        """
        columns, bounds = self._integer_columns()
        if not len(columns):
            return False
        free = bool((bounds > 0).any())
        if free != self._integers_on:
            kind = highspy.HighsVarType.kInteger if free else highspy.HighsVarType.kContinuous
            self.highs.changeColsIntegrality(len(columns), columns, np.full(len(columns), kind))
            self._integers_on = free
        return free

    def _integer_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """HiGHS columns of the integer variables that are not fixed, and their upper bounds."""
        m = self.model.pyomo
        columns, bounds = [np.empty(0, np.int64)], [np.empty(0)]
        for name in self.model.index.projects.integer_components:
            var = getattr(m, name)
            keys, cols = self.columns(var)
            if isinstance(var, ArrayVar):
                if var.integer and name not in self._fixed:
                    columns.append(cols)
                    bounds.append(param_values(m, var.upper))
                continue
            for key, col in zip(keys, cols):
                data = var[key]
                if not data.fixed and data.is_integer():
                    columns.append(np.array([col]))
                    bounds.append(np.array([pyo.value(data.ub)], dtype=float))
        return np.concatenate(columns).astype(np.int32), np.concatenate(bounds)

    def _set_options(self, options: SolverOptions) -> None:
        wanted = {
            # HiGHS's parallel rows-and-columns presolve rule (bit 8192) takes most of the solve
            # on plant-level data, whose MAC step columns all look alike: 19 s with it, 0.6 s
            # without, same optimum (benchmarks/scale.py). A scenario may set it back.
            "presolve_rule_off": 8192,
            "threads": options.threads,
            "time_limit": options.time_limit if options.time_limit is not None else math.inf,
            "mip_rel_gap": options.mip_rel_gap,
            "output_flag": False,
            **options.options,
        }
        for name, value in wanted.items():
            if self._options.get(name) != value:
                if self.highs.setOptionValue(name, value) == highspy.HighsStatus.kError:
                    raise SolveError(f"HiGHS rejected option {name}={value!r}")
                self._options[name] = value

    def current_solution(self, seconds: float = 0.0) -> Solution:
        """What HiGHS holds now (after a solve made outside `solve`, e.g. by `kinks`)."""
        return self._solution(seconds)

    def _solution(self, seconds: float) -> Solution:
        highs = self.highs
        info = highs.getInfo()
        sol = highs.getSolution()
        is_mip = info.mip_node_count >= 0
        has_solution = info.primal_solution_status == 2
        status = STATUS_OF_HIGHS.get(highs.getModelStatus(), "unknown")
        objective = info.objective_function_value if has_solution else None
        bound = info.mip_dual_bound if is_mip else (objective if status == "optimal" else None)
        return Solution(
            status=status,
            has_solution=has_solution,
            objective=objective,
            bound=bound,
            is_mip=is_mip,
            col_value=np.asarray(sol.col_value) if has_solution else np.empty(0),
            row_value=np.asarray(sol.row_value) if has_solution else np.empty(0),
            col_dual=np.asarray(sol.col_dual) if sol.dual_valid else None,
            row_dual=np.asarray(sol.row_dual) if sol.dual_valid else None,
            solve_seconds=seconds,
            iterations=int(info.simplex_iteration_count),
        )

    def columns(self, var: pyo.Var | ArrayVar) -> tuple[list, np.ndarray]:
        """Keys of an indexed variable and its HiGHS column numbers, in the same order."""
        name = var.name
        if name not in self._columns:
            keys = list(var.keys())
            cols = np.fromiter(
                (column_of(self.opt, var[k]) for k in keys), dtype=np.int64, count=len(keys)
            )
            self._columns[name] = (keys, cols)
        return self._columns[name]

    def rows(self, con: pyo.Constraint | OwnRows) -> tuple[list, np.ndarray]:
        """Keys of an indexed constraint (or an array variable's own rows) and its HiGHS row
        numbers, in the same order."""
        name = con.name
        if name not in self._rows:
            keys = list(con.keys())
            rows = np.fromiter(
                (row_of(self.opt, con[k]) for k in keys), dtype=np.int64, count=len(keys)
            )
            self._rows[name] = (keys, rows)
        return self._rows[name]

    def step_values(self, solution: Solution) -> np.ndarray:
        """Abatement of each MAC step (Mt/yr), in `index.steps` order."""
        return solution.col_value[self.step_columns]

    def values(self, solution: Solution, var: pyo.Var) -> pd.Series:
        """Primal values of an indexed variable, indexed by its keys."""
        _, cols = self.columns(var)
        return pd.Series(solution.col_value[cols], index=self._index(var.name, self.columns(var)))

    def duals(self, solution: Solution, con: pyo.Constraint) -> pd.Series:
        """Row duals of an indexed constraint (HiGHS's sign convention), indexed by its keys."""
        _, rows = self.rows(con)
        index = self._index(con.name, self.rows(con))
        if solution.row_dual is None:
            return pd.Series(np.full(len(rows), np.nan), index=index)
        return pd.Series(solution.row_dual[rows], index=index)

    def reduced_costs(self, solution: Solution, var: pyo.Var) -> pd.Series:
        """Column duals (reduced costs) of an indexed variable, indexed by its keys: ≤ 0 at an
        upper bound that binds in this minimisation, its value per unit of the bound."""
        _, cols = self.columns(var)
        index = self._index(var.name, self.columns(var))
        if solution.col_dual is None:
            return pd.Series(np.full(len(cols), np.nan), index=index)
        return pd.Series(solution.col_dual[cols], index=index)

    def _index(self, name: str, keyed: tuple[list, np.ndarray]) -> pd.Index:
        """The pandas index of a component's keys, built once."""
        if name not in self._indexes:
            keys = keyed[0]
            multi = bool(keys) and isinstance(keys[0], tuple)
            self._indexes[name] = pd.MultiIndex.from_tuples(keys) if multi else pd.Index(keys)
        return self._indexes[name]


def _array_parameters(model: Model) -> dict[int, tuple[ArrayVar, str, np.ndarray]]:
    """For each parameter value an array variable depends on (by id): the variable, what it
    sets ("upper" or "cost") and the positions of the columns it sets."""
    m = model.pyomo
    out: dict[int, tuple[ArrayVar, str, np.ndarray]] = {}
    for var in model.arrays:
        for at, data in enumerate(getattr(m, var.upper).values()):
            out[id(data)] = (var, "upper", np.array([at]))
        if var.cost_param is not None:
            order = np.argsort(var.cost_at, kind="stable")
            starts = np.searchsorted(
                var.cost_at[order], np.arange(len(getattr(m, var.cost_param)) + 1)
            )
            for j, data in enumerate(getattr(m, var.cost_param).values()):
                out[id(data)] = (var, "cost", order[starts[j] : starts[j + 1]])
    return out


def _append_steps(highs: highspy.Highs, steps: StepColumns, pool_columns: np.ndarray) -> np.ndarray:
    """Append the build's step rows and columns (`StepColumns`) after every Pyomo row and
    column, so the interface's own numbering holds; return the steps' HiGHS columns."""
    first_row, first_column = highs.getNumRow(), highs.getNumCol()
    n_pools, n_steps = steps.n_pools, len(steps.cost)
    zeros = np.zeros(n_pools)
    pools = np.arange(n_pools, dtype=np.int32)
    highs.addRows(
        n_pools, zeros, zeros, n_pools, pools, pool_columns.astype(np.int32), np.full(n_pools, -1.0)
    )
    steps_at = np.arange(n_steps, dtype=np.int32)
    highs.addCols(
        n_steps,
        steps.cost,
        np.zeros(n_steps),
        steps.upper,
        n_steps,
        steps_at,
        first_row + steps.pool,
        np.ones(n_steps),
    )
    return np.arange(first_column, first_column + n_steps)
