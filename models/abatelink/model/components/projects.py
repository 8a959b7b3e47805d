"""Joint projects: the credits each generates where emissions fall, and what it costs.

`generated_mt`, `project_cost_musd` and `co_financed_musd` are variables fixed by equalities,
so their values are read straight from the solver and reported without repeating the formulas.
The CCS units' terms of these rows are entries of their build columns (`ccs.build_columns`):
`generation` and `ccs_cost` hold only the Pyomo part of each equation.
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.components import supergrid
from abatelink.model.index import ModelIndex

COST_TERM = "project_cost_total_musd"


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare generation per (project, emitter, period) and cost per (project, period)."""
    P = idx.projects
    cost_keys = [(p, t) for p in P.projects for t in idx.periods]
    m.generated_mt = pyo.Var(P.generation_keys, within=pyo.NonNegativeReals)
    m.generation = pyo.Constraint(P.generation_keys, rule=_generation)
    ccs_keys = [(p, t) for p in P.units["project"].unique() for t in idx.periods]
    m.ccs_cost_musd = pyo.Var(ccs_keys, within=pyo.Reals)
    m.ccs_cost = pyo.Constraint(ccs_keys, rule=lambda m, p, t: m.ccs_cost_musd[p, t] == 0.0)
    m.project_cost_scale = pyo.Param(P.projects, mutable=True, initialize=1.0)
    m.project_cost_musd = pyo.Var(cost_keys, within=pyo.Reals)  # net of avoided generation

    m.project_cost = pyo.Constraint(cost_keys, rule=_project_cost)
    m.co_finance_share = pyo.Param(P.projects, mutable=True, initialize=0.0)
    m.co_financed_musd = pyo.Var(cost_keys, within=pyo.Reals)
    m.co_financing = pyo.Constraint(cost_keys, rule=_co_financing)
    m.project_cost_total_musd = pyo.Expression(
        idx.periods,
        rule=lambda m, t: pyo.quicksum(
            m.project_cost_musd[p, t] - m.co_financed_musd[p, t] for p in P.projects
        ),
    )


def _generation(m: pyo.ConcreteModel, project: str, emitter: str, t: int) -> pyo.Constraint:
    """G[p,e,t] − Σ_{u of p at e} avoided_u·o[u,t] − displaced by p's supergrid at e's grid = 0.

    The CCS sum is the build columns' entries in this row (`ccs.build_columns`).
    """
    displaced = supergrid.displaced(m, project, emitter, t)
    return m.generated_mt[project, emitter, t] - displaced == 0.0


def _project_cost(m: pyo.ConcreteModel, project: str, t: int) -> pyo.Constraint:
    """C[p,t] = k_p · (CCS cost of p + supergrid capital of p) − generation it saves  (US$ M/yr).

    k_p is the scenario's cost multiplier of project p (1 unless a study varies it); the
    generation saved is valued at the receiving grids' costs, which k_p does not touch.
    """
    cost = m.project_cost_scale[project] * _capital(m, project, t)
    return m.project_cost_musd[project, t] == cost - supergrid.saved(m, project, t)


def _co_financing(m: pyo.ConcreteModel, project: str, t: int) -> pyo.Constraint:
    """F[p,t] = φ_p · k_p · (CCS cost of p + supergrid capital of p)  (US$ M/yr): the share φ_p
    of the capital and running costs a third party pays; the regions pay C[p,t] − F[p,t]."""
    scale = m.co_finance_share[project] * m.project_cost_scale[project]
    return m.co_financed_musd[project, t] == scale * _capital(m, project, t)


def _capital(m: pyo.ConcreteModel, project: str, t: int):
    """K[p,t] + supergrid capital of p, K[p,t] the CCS cost of p's units:

        ccs_cost[p,t]:  K[p,t] − Σ_{u of p} (annuity + fixed O&M + captured·cost/t)·o[u,t] = 0

    (the sum is the build columns' entries in that row, `ccs.build_columns`).
    """
    ccs = m.ccs_cost_musd[project, t] if (project, t) in m.ccs_cost_musd else 0.0  # noqa: SIM401
    return ccs + supergrid.capital(m, project, t)
