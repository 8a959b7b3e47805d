"""Coal CCS with dust capture: a yes/no build per unit, operating for its lifetime.

Avoided CO2 lowers the host emitter's emissions; the pre-treatment that capture needs removes
particulate matter (PM), reported per receptor region and optionally valued in the objective.

The build decisions are the model's widest integer part (a column per unit and period, each in
several rows), so they are declared as arrays (`build_columns`), not Pyomo variables; the
session appends them to HiGHS after the Pyomo part.
"""

from __future__ import annotations

import numpy as np
import pyomo.core as pyo

from abatelink.model.arrays import ArrayVar, Entries, OwnRows
from abatelink.model.index import ModelIndex

COST_TERM = None  # the PM benefit is in the build columns' objective costs (build_columns)


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare the build decisions b[u,τ] ∈ {0, 1}, 0 ≤ b[u,τ] ≤ B_max[u,τ], and the
    parameters they depend on: B_max (`ccs_build_max`) and the PM value v_u
    (`pm_value_usd_per_t`, `model.levers.pm_values`)."""
    units = list(idx.projects.units["unit"])
    keys = [(u, t) for u in units for t in idx.periods]
    m.ccs_build_max = pyo.Param(keys, mutable=True, initialize=0.0)
    m.pm_value_usd_per_t = pyo.Param(units, mutable=True, initialize=0.0)
    m.ccs_new_build = build_columns(idx, keys)


def build_columns(idx: ModelIndex, keys: list[tuple[str, int]]) -> ArrayVar:
    """The columns b[u,τ] (keys unit × period), with o[u,t] = Σ_{τ ≤ t, t − τ < L_u} b[u,τ]
    the unit running in t:

        ccs_build_once[u]:     Σ_τ b[u,τ] ≤ 1
        generation[p,e,t]:     − Σ_{u of p at e} avoided_u·o[u,t]         (Mt/yr)
        ccs_cost[p,t]:         − Σ_{u of p} (annuity + fixed O&M + captured·cost/t)·o[u,t]
                                                                         (US$ M/yr)
        ccs_or_steps[e,t]:     + Q[p]·Σ_{u at e} E_u·o[u,t]   (p the host's own pool)
        objective:             − Σ_t w_t·v_u·PM_u·o[u,t] / 10⁶  (the PM benefit, US$ M)
    """
    units = idx.projects.units
    periods = np.asarray(idx.periods)
    n_units, n_periods = len(units), len(periods)
    unit, built, runs = _running(units["lifetime_years"].to_numpy(float), periods)
    column = unit * n_periods + built
    t = periods[runs]
    project, emitter = units["project"].to_numpy(), units["emitter"].to_numpy()
    quantity = _host_quantities(idx, emitter[unit], t)
    annual = (units["fixed_cost_musd"] + units["variable_cost_musd"]).to_numpy(float)
    weights = idx.weights(periods)
    pm = units["pm_avoided_t"].to_numpy(float)
    scale = -np.bincount(column, weights[runs], minlength=len(keys)) * np.repeat(pm, n_periods)
    return ArrayVar(
        name="ccs_new_build",
        index=keys,
        integer=True,
        upper="ccs_build_max",
        cost_param="pm_value_usd_per_t",
        cost_at=np.repeat(np.arange(n_units), n_periods),
        cost_scale=scale / 1e6,
        entries=(
            _entries(
                "generation",
                list(zip(project[unit], emitter[unit], t.tolist())),
                column,
                -units["avoided_mt"].to_numpy(float)[unit],
            ),
            _entries("ccs_cost", list(zip(project[unit], t.tolist())), column, -annual[unit]),
            _entries(
                "ccs_or_steps",
                list(zip(emitter[unit], t.tolist())),
                column,
                quantity * units["co2_mt"].to_numpy(float)[unit],
            ),
        ),
        rows=OwnRows(
            name="ccs_build_once",
            keys=list(units["unit"]),
            lower=np.full(n_units, -np.inf),
            upper=np.ones(n_units),
            rows=np.repeat(np.arange(n_units), n_periods),
            columns=np.arange(n_units * n_periods),
            values=np.ones(n_units * n_periods),
        ),
    )


def _running(life: np.ndarray, periods: np.ndarray) -> tuple[np.ndarray, ...]:
    """(unit, build period τ, running period t) positions of every build still running in t:
    τ ≤ t and t − τ < L_u, in unit, then τ, then t order."""
    age = periods[None, :] - periods[:, None]  # [τ, t]
    unit, built, runs = np.nonzero((age >= 0)[None] & (age[None] < life[:, None, None]))
    return unit, built, runs


def _host_quantities(idx: ModelIndex, emitters: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Q[p] of the host's own pool p in each (emitter, period): the most its MAC steps abate."""
    host_pools = idx.groups["pools_of_host"]
    pools = [host_pools[e, t][0] for e, t in zip(emitters.tolist(), periods.tolist())]
    return idx.pools["quantity_mt"].to_numpy(float)[np.asarray(pools, dtype=np.int64)]


def _entries(constraint: str, row_keys: list, columns: np.ndarray, values: np.ndarray) -> Entries:
    kept = values != 0.0
    return Entries(
        constraint=constraint,
        row_keys=[key for key, keep in zip(row_keys, kept.tolist()) if keep],
        columns=columns[kept],
        values=values[kept],
    )
