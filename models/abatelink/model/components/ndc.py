"""NDC accounting with corresponding adjustments (Paris Agreement Article 6).

A tonne transferred across a border is added back by the seller and subtracted by the buyer,
so it counts once. Adjustments count real tonnes. A flow x over a link with exchange rate k
takes x allowances from the exporter's cap and gives the importer's emitters k·x: the exporter
adds back x, the importer subtracts min(1, k)·x — never more than the tonnes the exporter gave
up, nor than those its emitters received. With k > 1 the (k − 1)·x its emitters emit beyond
that stays in the importer's accounted emissions; with k < 1 the (1 − k)·x the exporter cut
and nobody received counts for no NDC (a retired tonne, like Article 6.4's share for overall
mitigation). So a round trip over links with rates k and 1/k moves no tonne between NDCs;
subtracting x on both legs would let the region sending at k > 1 gain x of NDC each time round,
with no allowance moved (tests/test_instruments.py). The dual of `ndc_accounting` is the NDC's
shadow price.
"""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.index import ModelIndex

COST_TERM = None


def add_to(m: pyo.ConcreteModel, idx: ModelIndex) -> None:
    """Declare accounted emissions bounded by the NDC target (infinite where there is none)."""
    region_periods = idx.region_periods()
    m.ndc_target_mt = pyo.Param(region_periods, mutable=True, initialize=0.0)
    m.ndc_accounted_mt = pyo.Var(region_periods, bounds=lambda m, *k: (None, m.ndc_target_mt[k]))
    m.ndc_accounting = pyo.Constraint(region_periods, rule=_ndc_accounting)


def allowance_adjustment(m: pyo.ConcreteModel, region: str, t: int):
    """Σ_{l out of r} x[l,t] − Σ_{l into r} min(1, k_l)·x[l,t] over cross-border links (Mt/yr):
    tonnes sold abroad − tonnes bought from abroad (see the module's docstring)."""
    idx: ModelIndex = m.index_sets
    sold = pyo.quicksum(m.trade_mt[k] for k in idx.members("exports_abroad_of_region", (region, t)))
    bought = pyo.quicksum(
        min(1.0, idx.exchange_rate[k]) * m.trade_mt[k]
        for k in idx.members("imports_abroad_of_region", (region, t))
    )
    return sold - bought


def offset_adjustment(m: pyo.ConcreteModel, region: str, t: int):
    """−Σ_{m of r} V[m,t]: international offsets the region's markets surrender (Mt/yr).

    The seller's side cancels in its own row: its offset projects lower its inventory by the
    tonnes sold, outside every modelled emitter, and its corresponding adjustment adds them
    back; neither is in the model, so the seller's accounted emissions are unchanged.
    """
    idx: ModelIndex = m.index_sets
    markets = idx.members("offset_buyers_of_region", (region, t))
    return -pyo.quicksum(m.international_offsets_mt[mk, t] for mk in markets)


def project_adjustment(m: pyo.ConcreteModel, region: str, t: int):
    """Project credits given to other regions − project credits received from them (Mt/yr)."""
    return m.credits_given_mt[region, t] - m.credits_received_mt[region, t]


def _ndc_accounting(m: pyo.ConcreteModel, region: str, t: int) -> pyo.Constraint:
    """N[r,t] = inventory[r,t] + A[r,t] + J[r,t] + Q[r,t];  N[r,t] ≤ target[r,t].

    A allowance and J project-credit corresponding adjustments (given − received), Q
    international offsets bought (≤ 0, `offset_adjustment`).
    """
    adjusted = (
        m.inventory_emissions_mt[region, t]
        + allowance_adjustment(m, region, t)
        + project_adjustment(m, region, t)
        + offset_adjustment(m, region, t)
    )

    return m.ndc_accounted_mt[region, t] == adjusted
