"""Coal CCS with dust capture: a yes/no build per unit, operating for its lifetime.

Avoided CO2 lowers the host emitter's emissions; the pre-treatment that capture needs removes
particulate matter (PM), reported per receptor region and optionally valued in the objective.
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.index import ModelIndex

COST_TERM = "pm_benefit_musd"


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare build decisions, the build-once rule and the optional PM damage credit.

    PM benefit[t] = −Σ_u v_u · PM_u · o[u,t] / 10⁶  (US$ M/yr), with v_u = Σ_receptors
    share[region of u → receptor] · damage[receptor] over the receptors whose damage the
    deciding party counts (`model.levers.pm_values`).
    """
    units = list(idx.projects.units["unit"])
    keys = [(u, t) for u in units for t in idx.periods]
    m.ccs_build_max = pyo.Param(keys, mutable=True, initialize=0.0)
    m.ccs_new_build = pyo.Var(keys, within=pyo.Binary, bounds=lambda m, *k: (0, m.ccs_build_max[k]))
    m.ccs_build_once = pyo.Constraint(
        units, rule=lambda m, u: pyo.quicksum(m.ccs_new_build[u, t] for t in idx.periods) <= 1
    )
    m.pm_value_usd_per_t = pyo.Param(units, mutable=True, initialize=0.0)
    pm = dict(zip(units, idx.projects.units["pm_avoided_t"]))
    m.pm_benefit_musd = pyo.Expression(
        idx.periods,
        rule=lambda m, t: (
            -pyo.quicksum(
                m.pm_value_usd_per_t[u] * pm[u] * operating(m, u, t) for u in units if pm[u]
            )
            / 1e6
        ),
    )


def operating(m: pyo.ConcreteModel, unit: str, t: int):
    """o[u,t] = Σ_{τ ≤ t, t − τ < L_u} b[u,τ]: built in a period whose lifetime covers t."""
    window = m.index_sets.projects.operating_window[unit, t]
    return pyo.quicksum(m.ccs_new_build[unit, tau] for tau in window)


def avoided(m: pyo.ConcreteModel, project: str, emitter: str, t: int):
    """Σ_{u of p at e} avoided_u · o[u,t]  (Mt/yr)."""
    idx: ModelIndex = m.index_sets
    units = idx.projects.members("units_of_project_emitter", (project, emitter))
    avoided_mt = idx.projects.unit_avoided_mt
    return pyo.quicksum(avoided_mt[u] * operating(m, u, t) for u in units)


def cost(m: pyo.ConcreteModel, project: str, t: int):
    """Σ_{u of p} (capital annuity + fixed O&M + captured · cost per tonne) · o[u,t]  (US$ M/yr)."""
    idx: ModelIndex = m.index_sets
    annual = idx.projects.unit_annual_cost_musd
    units = idx.projects.members("units_of_project", project)
    return pyo.quicksum(annual[u] * operating(m, u, t) for u in units)
