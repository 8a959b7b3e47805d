"""Solve a built model with HiGHS through Pyomo's persistent interface, and read results back.

One `Session` per built model: the HiGHS model is written once; `solve` pushes only the
changed mutable parameters (and variables named by the caller) and re-solves from the last
basis. Values and duals are read straight from HiGHS's arrays for the components asked for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from abatelink.build import Model
from abatelink.errors import SolveError
from abatelink.highs import use_threads

STATUS_OF = {
    TerminationCondition.convergenceCriteriaSatisfied: "optimal",
    TerminationCondition.provenInfeasible: "infeasible",
    TerminationCondition.locallyInfeasible: "infeasible",
    TerminationCondition.infeasibleOrUnbounded: "infeasible_or_unbounded",
    TerminationCondition.unbounded: "unbounded",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.iterationLimit: "iteration_limit",
    TerminationCondition.objectiveLimit: "objective_limit",
    TerminationCondition.error: "error",
}


@dataclass(frozen=True)
class SolverOptions:
    """HiGHS settings of a run. `options` passes any other HiGHS option by its name."""

    time_limit: float | None = None
    mip_rel_gap: float = 1e-4
    threads: int = 1
    options: dict[str, Any] = field(default_factory=dict)


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
        self.instance_seconds = time.perf_counter() - start

        self._columns: dict[str, tuple[list, np.ndarray]] = {}
        self._rows: dict[str, tuple[list, np.ndarray]] = {}

    @property
    def highs(self):
        """The underlying `highspy.Highs` object."""
        return self.opt._solver_model

    def update_variables(self, variables: list) -> None:
        """Push bounds, fixing or domain of these variables (after fix/unfix/setub in Pyomo)."""
        self.opt.update_variables(variables)

    def solve(self, options: SolverOptions | None = None) -> Solution:
        """Re-solve after pushing changed parameters; never raises on a non-optimal status."""
        options = options or SolverOptions()
        highs_options = {"output_flag": False, **options.options}
        use_threads(options.threads)
        start = time.perf_counter()
        try:
            result = self.opt.solve(
                self.model.pyomo,
                load_solutions=False,
                raise_exception_on_nonoptimal_result=False,
                threads=options.threads,
                time_limit=options.time_limit,
                rel_gap=options.mip_rel_gap,
                solver_options=highs_options,
            )
        except (RuntimeError, ValueError) as err:
            raise SolveError(f"HiGHS failed: {err}") from None
        return self._solution(result, time.perf_counter() - start)

    def _solution(self, result, seconds: float) -> Solution:
        highs = self.highs
        info = highs.getInfo()
        sol = highs.getSolution()
        is_mip = info.mip_node_count >= 0
        has_solution = info.primal_solution_status == 2
        return Solution(
            status=STATUS_OF.get(result.termination_condition, "unknown"),
            has_solution=has_solution,
            objective=result.incumbent_objective,
            bound=result.objective_bound,
            is_mip=is_mip,
            col_value=np.asarray(sol.col_value) if has_solution else np.empty(0),
            col_dual=np.asarray(sol.col_dual) if sol.dual_valid else None,
            row_dual=np.asarray(sol.row_dual) if sol.dual_valid else None,
            solve_seconds=seconds,
            iterations=int(info.simplex_iteration_count),
        )

    def columns(self, var: pyo.Var) -> tuple[list, np.ndarray]:
        """Keys of an indexed variable and its HiGHS column numbers, in the same order."""
        name = var.name
        if name not in self._columns:
            col_of = self.opt._pyomo_var_to_solver_var_map
            keys = list(var.keys())
            cols = np.fromiter((col_of[id(var[k])] for k in keys), dtype=np.int64, count=len(keys))
            self._columns[name] = (keys, cols)
        return self._columns[name]

    def rows(self, con: pyo.Constraint) -> tuple[list, np.ndarray]:
        """Keys of an indexed constraint and its HiGHS row numbers, in the same order."""
        name = con.name
        if name not in self._rows:
            row_of = self.opt._pyomo_con_to_solver_con_map
            keys = list(con.keys())
            rows = np.fromiter((row_of[con[k]] for k in keys), dtype=np.int64, count=len(keys))
            self._rows[name] = (keys, rows)
        return self._rows[name]

    def values(self, solution: Solution, var: pyo.Var) -> pd.Series:
        """Primal values of an indexed variable, indexed by its keys."""
        keys, cols = self.columns(var)
        return _series(keys, solution.col_value[cols])

    def duals(self, solution: Solution, con: pyo.Constraint) -> pd.Series:
        """Row duals of an indexed constraint (HiGHS's sign convention), indexed by its keys."""
        keys, rows = self.rows(con)
        if solution.row_dual is None:
            return _series(keys, np.full(len(keys), np.nan))
        return _series(keys, solution.row_dual[rows])


def _series(keys: list, values: np.ndarray) -> pd.Series:
    if keys and isinstance(keys[0], tuple):
        return pd.Series(values, index=pd.MultiIndex.from_tuples(keys))
    return pd.Series(values, index=pd.Index(keys))
