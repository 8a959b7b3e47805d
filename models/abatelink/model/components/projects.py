"""Joint projects: the credits each generates where emissions fall, and what it costs.

`generated_mt` and `project_cost_musd` are variables fixed by equalities, so their values are
read straight from the solver and reported without repeating the formulas.
"""

from __future__ import annotations

import pyomo.environ as pyo

from abatelink.model.components import ccs, supergrid
from abatelink.model.index import ModelIndex

COST_TERM = "project_cost_total_musd"


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare generation per (project, emitter, period) and cost per (project, period)."""
    P = idx.projects
    cost_keys = [(p, t) for p in P.projects for t in idx.periods]
    m.generated_mt = pyo.Var(P.generation_keys, within=pyo.NonNegativeReals)
    m.generation = pyo.Constraint(P.generation_keys, rule=_generation)
    m.project_cost_scale = pyo.Param(P.projects, mutable=True, initialize=1.0)
    m.project_cost_musd = pyo.Var(cost_keys, within=pyo.Reals)  # net of avoided generation

    m.project_cost = pyo.Constraint(cost_keys, rule=_project_cost)
    m.project_cost_total_musd = pyo.Expression(
        idx.periods, rule=lambda m, t: pyo.quicksum(m.project_cost_musd[p, t] for p in P.projects)
    )


def _generation(m: pyo.ConcreteModel, project: str, emitter: str, t: int) -> pyo.Constraint:
    """G[p,e,t] = avoided by CCS units of p at e + displaced by p's supergrid at e's grid."""
    made = ccs.avoided(m, project, emitter, t) + supergrid.displaced(m, project, emitter, t)
    return m.generated_mt[project, emitter, t] == made


def _project_cost(m: pyo.ConcreteModel, project: str, t: int) -> pyo.Constraint:
    """C[p,t] = k_p · (CCS cost of p + supergrid cost of p)  (US$ million/yr).

    k_p is the scenario's cost multiplier of project p (1 unless a study varies it).
    """
    cost = ccs.cost(m, project, t) + supergrid.cost(m, project, t)
    return m.project_cost_musd[project, t] == m.project_cost_scale[project] * cost
