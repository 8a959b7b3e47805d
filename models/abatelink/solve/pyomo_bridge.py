"""The one place abatelink reaches inside Pyomo's persistent HiGHS interface, and why.

`pyomo.contrib.solver.solvers.highs.Highs` (checked with Pyomo 6.10) has no public way to

- hand over the `highspy.Highs` object it fills (`_solver_model`): abatelink appends the MAC
  step columns to it as arrays, re-solves it directly (Pyomo's `solve()` wrapper costs more
  than a small LP's solve) and reads solutions as arrays;
- say which HiGHS column or row a Pyomo variable or constraint became
  (`_pyomo_var_to_solver_var_map`, `_pyomo_con_to_solver_con_map`);
- push the bounds and coefficients that depend on *one* mutable parameter: its public
  `update_parameters` re-evaluates every mutable expression of the model; its helpers
  (`_mutable_helpers`, `_mutable_bounds`, `_mutable_objective`) each push one, and say which
  column or row they change (`Pusher` sends a batch of them to HiGHS as arrays).

Everything else uses public Pyomo and highspy API. Every test that solves fails at once if a
Pyomo release renames any of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import highspy
import numpy as np
from pyomo.contrib.solver.solvers.highs import (
    Highs,
    _MutableConstraintBounds,
    _MutableObjectiveCoefficient,
    _MutableVarBounds,
)
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
from pyomo.core.expr.numvalue import value
from pyomo.core.expr.visitor import identify_mutable_parameters


def highs_of(opt: Highs) -> highspy.Highs:
    """The `highspy.Highs` object the interface built."""
    return opt._solver_model


def column_of(opt: Highs, var: VarData) -> int:
    """The HiGHS column of a Pyomo variable."""
    return opt._pyomo_var_to_solver_var_map[id(var)]


def row_of(opt: Highs, con: ConstraintData) -> int:
    """The HiGHS row of a Pyomo constraint."""
    return opt._pyomo_con_to_solver_con_map[con]


def helpers_by_parameter(opt: Highs) -> dict[int, list]:
    """For each mutable parameter (by id), the interface's helpers that evaluate it.

    A helper pushes one mutable bound or coefficient to HiGHS (`update()`); each is indexed by
    the parameters of its expressions.
    """
    helpers = [h for group in opt._mutable_helpers.values() for h in group]
    helpers += [helper for _, helper in opt._mutable_bounds.values()]
    objective = opt._mutable_objective
    helpers += [*objective.linear_coefs, objective.constant]
    out: dict[int, list] = {}
    for helper in helpers:
        for expr in _expressions(helper):
            for data in identify_mutable_parameters(expr):
                out.setdefault(id(data), []).append(helper)
    return out


def _expressions(helper: Any) -> list:
    names = ("expr", "lower_expr", "upper_expr")
    return [getattr(helper, name) for name in names if hasattr(helper, name)]


class Pusher:
    """Sends the helpers that depend on changed parameters to HiGHS in batches: column
    bounds, column costs and row bounds as one array call each, matrix coefficients one by one
    (HiGHS changes one at a time), anything else through the helper itself. HiGHS ends up with
    what each helper's `update()` would have sent.

    What a helper evaluates to is kept by the values of the parameters in it, so a helper
    seen again with the same values (coalition games revisit a few) is not evaluated again;
    at most MEMO entries are kept.
    """

    MEMO = 200_000

    def __init__(self, opt: Highs) -> None:
        self.opt = opt
        self.by_parameter = helpers_by_parameter(opt)
        self._parameters: dict[int, tuple] = {}
        for helpers in self.by_parameter.values():
            for helper in helpers:
                if id(helper) not in self._parameters:
                    found = {id(d): d for e in _expressions(helper) for d in _parameters(e)}
                    self._parameters[id(helper)] = tuple(found.values())
        self._memo: dict[tuple, tuple[float, ...]] = {}

    def push(self, helpers: Iterable[Any]) -> None:
        """Evaluate these helpers and send what they hold to HiGHS (class docstring)."""
        highs = self.opt._solver_model
        columns, rows = self.opt._pyomo_var_to_solver_var_map, self.opt._pyomo_con_to_solver_con_map
        col_bounds: list[tuple[int, float, float]] = []
        costs: list[tuple[int, float]] = []
        row_bounds: list[tuple[int, float, float]] = []
        for helper in helpers:
            if isinstance(helper, _MutableVarBounds):
                col_bounds.append((columns[helper.pyomo_var_id], *self._values(helper)))
            elif isinstance(helper, _MutableObjectiveCoefficient):
                costs.append((columns[helper.pyomo_var_id], *self._values(helper)))
            elif isinstance(helper, _MutableConstraintBounds):
                row_bounds.append((rows[helper.con], *self._values(helper)))
            else:  # a matrix coefficient or the objective's constant
                helper.update()
        if col_bounds:
            index, lower, upper = _arrays(col_bounds)
            highs.changeColsBounds(len(index), index, lower, upper)
        if costs:
            index, cost = _arrays(costs)
            highs.changeColsCost(len(index), index, cost)
        if row_bounds:
            index, lower, upper = _arrays(row_bounds)
            highs.changeRowsBounds(len(index), index, lower, upper)

    def refresh(self, variables: Iterable[VarData]) -> None:
        """After the interface's `update_variables`: forget the variables' old bound helpers
        (and what was kept of them) and take their new ones, instead of mapping every helper
        of the model again."""
        ids = {id(v) for v in variables}
        gone = {
            id(h)
            for helpers in self.by_parameter.values()
            for h in helpers
            if isinstance(h, _MutableVarBounds) and h.pyomo_var_id in ids
        }
        for key, helpers in self.by_parameter.items():
            self.by_parameter[key] = [h for h in helpers if id(h) not in gone]
        for helper_id in gone:
            self._parameters.pop(helper_id, None)
        self._memo = {k: v for k, v in self._memo.items() if k[0] not in gone}
        for v_id in ids:
            entry = self.opt._mutable_bounds.get(v_id)
            if entry is not None:
                self._add(entry[1])

    def _add(self, helper: Any) -> None:
        found = {id(d): d for e in _expressions(helper) for d in _parameters(e)}
        self._parameters[id(helper)] = tuple(found.values())
        for parameter in found:
            self.by_parameter.setdefault(parameter, []).append(helper)

    def _values(self, helper: Any) -> tuple[float, ...]:
        """value() of the helper's expressions, kept by the values of its parameters."""
        key = (id(helper), *(d.value for d in self._parameters.get(id(helper), ())))
        if key not in self._memo:
            if len(self._memo) >= self.MEMO:
                self._memo.clear()
            self._memo[key] = tuple(value(e) for e in _expressions(helper))
        return self._memo[key]


def _parameters(expr: Any) -> list:
    return list(identify_mutable_parameters(expr))


def _arrays(entries: list[tuple]) -> tuple[np.ndarray, ...]:
    """Columns of (index, value, ...) tuples: int32 indices, float64 values."""
    index, *values = zip(*entries, strict=True)
    return (np.asarray(index, dtype=np.int32), *(np.asarray(v, dtype=float) for v in values))
