"""NDC accounting with corresponding adjustments (Paris Agreement Article 6).

A tonne transferred across a border is added back by the seller and subtracted by the buyer,
so it counts once. The dual of `ndc_accounting` is the NDC's shadow price.
"""

from __future__ import annotations

import pyomo.environ as pyo

from abatelink.model.index import ModelIndex

COST_TERM = None


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare accounted emissions bounded by the NDC target (infinite where there is none)."""
    region_periods = idx.region_periods()
    m.ndc_target_mt = pyo.Param(region_periods, mutable=True, initialize=0.0)
    m.ndc_accounted_mt = pyo.Var(region_periods, bounds=lambda m, *k: (None, m.ndc_target_mt[k]))
    m.ndc_accounting = pyo.Constraint(region_periods, rule=_ndc_accounting)


def allowance_adjustment(m: pyo.ConcreteModel, region: str, t: int):
    """Σ allowances sold abroad − Σ allowances bought from abroad (Mt/yr)."""
    idx: ModelIndex = m.index_sets
    sold = pyo.quicksum(m.trade_mt[k] for k in idx.members("exports_abroad_of_region", (region, t)))
    bought = pyo.quicksum(
        m.trade_mt[k] for k in idx.members("imports_abroad_of_region", (region, t))
    )
    return sold - bought


def project_adjustment(m: pyo.ConcreteModel, region: str, t: int):
    """Project credits given to other regions − project credits received from them (Mt/yr)."""
    return m.credits_given_mt[region, t] - m.credits_received_mt[region, t]


def _ndc_accounting(m: pyo.ConcreteModel, region: str, t: int) -> pyo.Constraint:
    """N[r,t] = inventory[r,t] + A[r,t] + J[r,t] − σ[r,t];  N[r,t] ≤ target[r,t].

    A allowance and J project-credit corresponding adjustments (given − received); σ the
    elastic slack, zero unless diagnosing.
    """

    adjusted = (
        m.inventory_emissions_mt[region, t]
        + allowance_adjustment(m, region, t)
        + project_adjustment(m, region, t)
        - m.ndc_slack_mt[region, t]  # zero unless diagnosing
    )

    return m.ndc_accounted_mt[region, t] == adjusted
