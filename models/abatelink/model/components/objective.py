"""The objective: discounted system cost over the periods."""

from __future__ import annotations

import pyomo.core as pyo

from abatelink.model.index import ModelIndex


def add_to(m: pyo.ConcreteModel, idx: ModelIndex, cost_terms: tuple[str, ...]) -> None:
    """min Σ_t w_t·Σ_c cost_c[t]  (US$ million, present value in the currency year).

    w_t = Σ over the period's years y of (1+r)^-(y − currency year) (`ModelIndex.weight`),
    cost_c[t] the annual cost terms of the components (transaction, reserve, tax, ...). The
    abatement cost term Σ_k c[k]·a[k,t] and the CCS units' PM benefit are not here: HiGHS holds
    them as the objective costs of the step columns (`abatement.step_columns`) and the build
    columns (`ccs.build_columns`).
    """
    m.total_cost = pyo.Objective(
        expr=pyo.quicksum(
            idx.weight(t) * getattr(m, term)[t] for t in idx.periods for term in cost_terms
        ),
        sense=pyo.minimize,
    )
