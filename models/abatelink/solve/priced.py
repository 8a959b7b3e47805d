"""The one road from a built model to a priced solution: `solve`.

Money needs prices, and prices must belong to the solution they value. For an LP they are its
duals. HiGHS gives no duals for a MIP, so the integer variables are fixed at their (rounded)
incumbent values *and* given a continuous domain, and the LP is re-solved: its duals are the
prices conditional on that build (the domains are restored afterwards). Projects that share
credits by offtake are iterated to their shares first. Every caller that turns a solve into
money — run, share, coalition values, sweeps, benchmarks — goes through `solve`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyomo.core as pyo

from abatelink.inputs.scenario import Inputs, SolverOptions
from abatelink.model.arrays import ArrayVar
from abatelink.model.build import Model
from abatelink.solve.kinks import central_duals
from abatelink.solve.offtake import delivered_energy as delivered_energy  # re-exported
from abatelink.solve.offtake import solve_offtake
from abatelink.solve.session import Session, Solution
from abatelink.solve.ties import least_norm_flows


@dataclass(frozen=True)
class Priced:
    """A solved scenario and the prices that belong to it.

    `solution` is what the scenario's solve returned (status, objective, the build of a MIP);
    `prices` is the solve whose primal values and duals the result tables read: `solution`
    itself for an LP, the LP with every build fixed at the incumbent for a MIP. Solved with
    `prices=False`, it holds quantities only (`with_prices` is False): enough for resource
    costs, which need no price. `offtake_rounds` counts the solves made to settle offtake
    shares at a fixed point (0 without offtake projects).
    """

    session: Session
    inputs: Inputs
    solution: Solution
    prices: Solution
    offtake_rounds: int = 0
    with_prices: bool = True

    @property
    def model(self) -> Model:
        return self.session.model

    @property
    def status(self) -> str:
        return self.solution.status

    @property
    def has_solution(self) -> bool:
        return self.solution.has_solution and self.prices.has_solution

    @property
    def conditional_on_build(self) -> bool:
        """Whether the prices are an LP's with the MIP's build fixed."""
        return self.prices is not self.solution


def solve(
    session: Session, inputs: Inputs, options: SolverOptions | None = None, *, prices: bool = True
) -> Priced:
    """Solve the scenario the session's model holds (set by `set_inputs` for `inputs`), with
    offtake shares at a fixed point, and price the result (unless `prices` is False). Never
    raises on a non-optimal status (`SolveError` if offtake shares have no fixed point)."""
    options = options or SolverOptions()
    solution, rounds = solve_offtake(session, inputs, options)
    if not prices:
        return Priced(session, inputs, solution, solution, rounds, with_prices=False)
    prices = solution
    if solution.is_mip and solution.has_solution:
        prices = conditional_prices(session, solution, options)
    elif solution.has_solution:
        prices = central(session, solution)
    return Priced(session, inputs, solution, prices, rounds)


def central(
    session: Session, solution: Solution, *, flows: bool = True, restore: bool = True
) -> Solution:
    """The LP solution with one dual at each kink (`kinks.central_duals`) for the rows the
    accounts read and the export limits, and its degenerate flows settled (`ties`) unless
    `flows` is False (a caller that reads prices only). `restore=False`: HiGHS keeps bounds
    and basis but not the solution (for a caller that re-solves next)."""
    rows, cols = priced_rows_and_columns(session)
    central = central_duals(session, solution, rows, cols, restore=restore)
    return least_norm_flows(session, central) if flows else central


def priced_rows_and_columns(session: Session) -> tuple[np.ndarray, np.ndarray]:
    """The HiGHS rows whose duals are prices — market balances, the NDC accounting of regions
    with a target, the tax bases of regions with a tax market — and the export limits."""
    m, idx = session.model.pyomo, session.model.index
    ndc_keys, ndc = session.rows(m.ndc_accounting)
    tax_keys, tax = session.rows(m.tax_base)
    taxed = set(idx.tax_market_of_region)
    rows = [
        session.rows(m.market_balance)[1],
        ndc[[m.ndc_target_mt[k].value < math.inf for k in ndc_keys]],
        tax[[region in taxed for region, _ in tax_keys]],
    ]
    return np.concatenate(rows).astype(np.int64), session.columns(m.exports_mt)[1]


def integer_variables(model: Model) -> list[pyo.Var | ArrayVar]:
    """The model's indexed integer variables (project build decisions)."""
    return [getattr(model.pyomo, name) for name in model.index.projects.integer_components]


def conditional_prices(
    session: Session, solution: Solution, options: SolverOptions | None = None
) -> Solution:
    """Re-solve as an LP with every integer variable fixed at `solution`'s rounded value; its
    duals, one at each kink (`central`), are the prices conditional on the build."""
    fixed, arrays = [], []
    for var in integer_variables(session.model):
        values = np.round(session.values(solution, var).to_numpy())
        if isinstance(var, ArrayVar):
            session.fix(var, values)
            arrays.append(var)
            continue
        for data, value in zip(var.values(), values, strict=True):
            fixed.append((data, data.domain))
            data.domain = pyo.Reals
            data.fix(float(value))
    variables = [data for data, _ in fixed]
    session.update_variables(variables)
    try:
        return central(session, session.solve(options))
    finally:
        for data, domain in fixed:
            data.unfix()
            data.domain = domain
        session.update_variables(variables)
        for var in arrays:
            session.release(var)
