"""A renewable supergrid: sites (GW), corridors built in integer modules, energy flows (TWh/yr).

Energy absorbed by a region's grid displaces power at its emission factor; the displaced
emissions lower that grid's emitter and are the project's credits.
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.index import ModelIndex
from abatelink.model.project_index import TWH_PER_GW_YEAR

COST_TERM = None


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare capacities, flows, absorption and their balances."""
    P = idx.projects
    site_keys = [(s, t) for s in P.sites["site"] for t in idx.periods]
    corridor_keys = [(c, t) for c in P.corridors["corridor"] for t in idx.periods]
    m.site_max_gw = pyo.Param(site_keys, mutable=True, initialize=0.0)
    m.site_gw = pyo.Var(
        site_keys, within=pyo.NonNegativeReals, bounds=lambda m, *k: (0.0, m.site_max_gw[k])
    )
    m.site_twh = pyo.Var(site_keys, within=pyo.NonNegativeReals)
    m.corridor_max_modules = pyo.Param(corridor_keys, mutable=True, initialize=0.0)
    m.corridor_modules = pyo.Var(
        corridor_keys,
        within=pyo.NonNegativeIntegers,
        bounds=lambda m, *k: (0, m.corridor_max_modules[k]),
    )
    m.flow_twh = pyo.Var(corridor_keys, within=pyo.NonNegativeReals)
    m.absorbed_twh = pyo.Var(P.absorption_keys, within=pyo.NonNegativeReals)
    m.grid_max_twh = pyo.Param(P.grid_keys, mutable=True, initialize=0.0)
    m.site_growth = pyo.Constraint(P.growth_keys("site"), rule=_grows("site_gw"))
    m.corridor_growth = pyo.Constraint(P.growth_keys("corridor"), rule=_grows("corridor_modules"))
    m.site_output = pyo.Constraint(site_keys, rule=_site_output)
    m.corridor_capacity = pyo.Constraint(corridor_keys, rule=_corridor_capacity)
    m.node_balance = pyo.Constraint(P.node_keys, rule=_node_balance)
    m.grid_absorption = pyo.Constraint(P.grid_keys, rule=_grid_absorption)


def _grows(name: str):
    """Rule: capacity never shrinks, k[x,t] ≥ k[x,t−1]."""

    def rule(m: pyo.ConcreteModel, item: str, t: int, before: int) -> pyo.Constraint:
        var = getattr(m, name)
        return var[item, t] >= var[item, before]

    return rule


def _site_output(m: pyo.ConcreteModel, site: str, t: int) -> pyo.Constraint:
    """g[s,t] ≤ 8.76 · CF_s · K[s,t]  (TWh/yr from GW)."""
    factor = m.index_sets.projects.site_capacity_factor[site]
    return m.site_twh[site, t] <= TWH_PER_GW_YEAR * factor * m.site_gw[site, t]


def _corridor_capacity(m: pyo.ConcreteModel, corridor: str, t: int) -> pyo.Constraint:
    """f[c,t] ≤ 8.76 · u_c · size_c · n[c,t]  (n integer modules of size_c GW, utilisation u_c)."""
    per_module = m.index_sets.projects.corridor_twh_per_module[corridor]
    return m.flow_twh[corridor, t] <= per_module * m.corridor_modules[corridor, t]


def _node_balance(m: pyo.ConcreteModel, project: str, region: str, t: int) -> pyo.Constraint:
    """Σ g[s of r] + Σ_{c into r} (1 − loss_c)·f[c] − Σ_{c out of r} f[c] − a[p,r] = 0."""
    P = m.index_sets.projects
    made = pyo.quicksum(
        m.site_twh[s, t] for s in P.members("sites_of_project_region", (project, region))
    )
    arriving = pyo.quicksum(
        (1.0 - P.corridor_loss[c]) * m.flow_twh[c, t]
        for c in P.members("corridors_into", (project, region))
    )
    leaving = pyo.quicksum(
        m.flow_twh[c, t] for c in P.members("corridors_out_of", (project, region))
    )
    absorbed = m.absorbed_twh[project, region, t] if (project, region, t) in P.absorption_set else 0
    return made + arriving - leaving - absorbed == 0


def _grid_absorption(m: pyo.ConcreteModel, region: str, t: int) -> pyo.Constraint:
    """Σ_p a[p,r,t] ≤ what the grid of r can absorb (TWh/yr)."""
    projects = m.index_sets.projects.members("projects_absorbed_by", (region, t))
    total = pyo.quicksum(m.absorbed_twh[p, region, t] for p in projects)
    return total <= m.grid_max_twh[region, t]


def displaced(m: pyo.ConcreteModel, project: str, emitter: str, t: int):
    """a[p,r,t] · EF[r,t]: TWh × t/MWh = Mt displaced at the grid emitter of region r."""
    P = m.index_sets.projects
    key = (project, P.region_of_emitter[emitter], t)
    if key not in P.absorption_set or P.grid_emitter.get(key[1:]) != emitter:
        return 0.0
    return P.emission_factor[key[1:]] * m.absorbed_twh[key]


def capital(m: pyo.ConcreteModel, project: str, t: int):
    """Σ_s K[s,t]·(capex·CRF + O&M) + Σ_c n[c,t]·size·length·capex per GW·km·CRF  (US$ M/yr).

    US$/kW equals US$ million/GW: no unit factor.
    """
    P = m.index_sets.projects
    sites = pyo.quicksum(
        P.site_annual_musd_per_gw[s] * m.site_gw[s, t]
        for s in P.members("sites_of_project", project)
    )
    lines = pyo.quicksum(
        P.corridor_annual_musd_per_module[c] * m.corridor_modules[c, t]
        for c in P.members("corridors_of_project", project)
    )
    return sites + lines


def saved(m: pyo.ConcreteModel, project: str, t: int):
    """Σ_r a[p,r,t]·avoided generation cost[r,t]  (US$ M/yr): the fuel and O&M the receiving
    grids no longer spend (TWh × US$/MWh = US$ million)."""
    P = m.index_sets.projects
    return pyo.quicksum(
        P.avoided_generation_usd_per_mwh[r, t] * m.absorbed_twh[p, r, t]
        for p, r, _ in P.members("absorption_of_project_period", (project, t))
    )
