"""Why a scenario has no answer: the smallest relaxations of its commitments that give one.

The built model carries an elastic slack on every cap, NDC target, import, export and offset
limit (components/elastic.py). Diagnosing raises their bound from 0 to ∞ and prices them at
`PENALTY_USD_PER_T`, re-solves the same persistent model, reads which slacks are used and by
how much, and puts the bound back. The relaxations found are those of least total size (Mt/yr)
— each one, on its own, a commitment the scenario cannot keep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from abatelink.inputs.scenario import SolverOptions
from abatelink.model.build import Model
from abatelink.model.components.elastic import RELAXATIONS
from abatelink.solve.session import Session, Solution

PENALTY_USD_PER_T = 1e5
MIN_RELAXATION_MT = 1e-6
COLUMNS = ["commitment", "market_or_region", "period", "relaxation_mt"]


@dataclass(frozen=True)
class Diagnosis:
    """The relaxations found (commitment, market_or_region, period, relaxation_mt) and the
    status of the relaxed solve."""

    table: pd.DataFrame
    status: str

    @property
    def lines(self) -> list[str]:
        """The diagnosis in plain words, one line per relaxation."""
        return describe(self.table, self.status)


def diagnose(model: Model, session: Session, options: SolverOptions | None = None) -> Diagnosis:
    """Relaxations (commitment, market or region, period, Mt/yr) that make the scenario feasible."""
    m = model.pyomo
    m.elastic_max_mt = math.inf
    m.elastic_penalty_usd_per_t = PENALTY_USD_PER_T
    try:
        solution = session.solve(options)
        frame = (
            _relaxations(model, session, solution)
            if solution.has_solution
            else pd.DataFrame(columns=COLUMNS)
        )
    finally:
        m.elastic_max_mt = 0.0
        m.elastic_penalty_usd_per_t = 0.0
    return Diagnosis(frame, solution.status)


def _relaxations(model: Model, session: Session, solution: Solution) -> pd.DataFrame:
    rows = []
    for name, (commitment, _) in RELAXATIONS.items():
        values = session.values(solution, getattr(model.pyomo, name))
        for (scope, period), amount in values[values > MIN_RELAXATION_MT].items():
            rows.append((commitment, scope, period, float(amount)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values("relaxation_mt", ascending=False).reset_index(drop=True)


def describe(frame: pd.DataFrame, status: str) -> list[str]:
    """The diagnosis in plain words, one line per relaxation."""
    if status != "optimal":
        return [
            f"even with every cap, NDC target and transfer limit relaxed the solver "
            f"returned {status}: look for data that no relaxation reaches (e.g. MAC steps, "
            "banking or price-control settings)"
        ]
    if frame.empty:
        return ["no commitment needs relaxing: the scenario is feasible as it stands"]
    return [
        f"the {row.commitment} of {row.market_or_region} in {row.period} cannot be kept: "
        f"it must be relaxed by {row.relaxation_mt:,.3f} Mt/yr"
        for row in frame.itertuples(index=False)
    ]
