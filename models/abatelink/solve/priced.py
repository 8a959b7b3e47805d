"""Prices from a MILP: fix the build at the incumbent, relax integrality, re-solve the LP.

HiGHS gives no duals for a MIP, and a fixed integer variable is still sent as integer, so the
integer variables are fixed at their (rounded) incumbent values *and* given a continuous
domain. The LP's duals are the prices conditional on that build; the domains are restored.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from abatelink.model.build import Model
from abatelink.solve.session import Session, Solution, SolverOptions


def integer_variables(model: Model) -> list[pyo.Var]:
    """The model's indexed integer variables (project build decisions)."""
    return [getattr(model.pyomo, name) for name in model.index.projects.integer_components]


def conditional_prices(
    session: Session, solution: Solution, options: SolverOptions | None = None
) -> Solution:
    """Re-solve as an LP with every integer variable fixed at `solution`'s rounded value."""
    components = integer_variables(session.model)
    fixed = []
    for var in components:
        values = np.round(session.values(solution, var).to_numpy())
        for data, value in zip(var.values(), values, strict=True):
            fixed.append((data, data.domain))
            data.domain = pyo.Reals
            data.fix(float(value))
    variables = [data for data, _ in fixed]
    session.update_variables(variables)
    try:
        return session.solve(options)
    finally:
        for data, domain in fixed:
            data.unfix()
            data.domain = domain
        session.update_variables(variables)
