"""The one place abatelink reaches inside Pyomo's persistent HiGHS interface, and why.

`pyomo.contrib.solver.solvers.highs.Highs` (checked with Pyomo 6.10) has no public way to

- hand over the `highspy.Highs` object it fills (`_solver_model`): abatelink appends the MAC
  step columns to it as arrays, re-solves it directly (Pyomo's `solve()` wrapper costs more
  than a small LP's solve) and reads solutions as arrays;
- say which HiGHS column or row a Pyomo variable or constraint became
  (`_pyomo_var_to_solver_var_map`, `_pyomo_con_to_solver_con_map`);
- push the bounds and coefficients that depend on *one* mutable parameter: its public
  `update_parameters` re-evaluates every mutable expression of the model; its helpers
  (`_mutable_helpers`, `_mutable_bounds`, `_mutable_objective`) each push one.

Everything else uses public Pyomo and highspy API. Every test that solves fails at once if a
Pyomo release renames any of these.
"""

from __future__ import annotations

from typing import Any

import highspy
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
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
