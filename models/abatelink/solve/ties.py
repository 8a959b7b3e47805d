"""Degenerate flows: one optimal plan chosen by a rule, never by the solver's path.

With equal effective prices at both ends of two routes, or the same discounted price in two
periods, many trade and banking plans cost the same, and which vertex HiGHS returns depends on
its options and on the column order. Money follows the flows, so the plan reported is the one
that, among the optimal plans, has the least Σ_k x_k² over the trades, banks and offsets: a
strictly convex objective over the optimal face has one minimiser.

    min Σ_{k ∈ K} x_k²   over the optimal face of the LP

The optimal face is the feasible set with complementary slackness to one optimal dual: every
column with a reduced cost and every row with a dual other than 0 stays where the LP put it
(|d| > 1e-9), which is exact and needs no tolerance on the objective. The duals (prices) are
kept from the LP: every optimal dual pairs with every optimal primal.
"""

from __future__ import annotations

import dataclasses

import highspy
import numpy as np

from abatelink.solve.highs import new_highs
from abatelink.solve.session import Session, Solution

TIGHT = 1e-9  # a reduced cost or dual above this is not zero
TIED = ("trade_mt", "bank_mt", "offsets_mt", "project_credits_mt")


def least_norm_flows(session: Session, solution: Solution) -> Solution:
    """`solution` with the primal values of the least-norm optimal plan of its LP (`TIED`
    columns), or `solution` itself for a MIP, without a solution or without such columns."""
    if solution.is_mip or not solution.has_solution or solution.objective is None:
        return solution
    m = session.model.pyomo
    columns = np.concatenate(
        [session.columns(getattr(m, name))[1] for name in TIED if hasattr(m, name)]
    ).astype(np.int32)
    if not len(columns):
        return solution
    lp = session.highs.getLp()
    lp.integrality_ = []  # an LP: integer columns, if any, are fixed or relaxed already
    _fix_outside_the_face(lp, solution)
    highs = new_highs()
    highs.passModel(lp)
    dim = len(solution.col_value)
    highs.changeColsCost(dim, np.arange(dim, dtype=np.int32), np.zeros(dim))
    _pass_diagonal(highs, dim, np.sort(columns))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return solution
    values = np.asarray(highs.getSolution().col_value)
    return dataclasses.replace(solution, col_value=values)


def _fix_outside_the_face(lp: highspy.HighsLp, solution: Solution) -> None:
    """Fix each column with a reduced cost, and each row with a dual, at the LP's value."""
    x = np.asarray(solution.col_value)
    col_lower, col_upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    fixed = np.abs(np.asarray(solution.col_dual)) > TIGHT
    col_lower[fixed] = col_upper[fixed] = x[fixed]
    lp.col_lower_, lp.col_upper_ = col_lower, col_upper
    matrix = lp.a_matrix_
    start, index = np.asarray(matrix.start_), np.asarray(matrix.index_)
    outer = np.repeat(np.arange(len(start) - 1), np.diff(start))
    rows, cols = (
        (index, outer) if matrix.format_ == highspy.MatrixFormat.kColwise else (outer, index)
    )
    activity = np.zeros(lp.num_row_)
    np.add.at(activity, rows, np.asarray(matrix.value_) * x[cols])
    row_lower, row_upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    binding = np.abs(np.asarray(solution.row_dual)) > TIGHT
    row_lower[binding] = row_upper[binding] = activity[binding]
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper


def _pass_diagonal(highs: highspy.Highs, dim: int, columns: np.ndarray) -> None:
    """Hessian Q = 2·I on `columns` (HiGHS minimises ½·xᵀQx), in column-wise triangular form."""
    start = np.searchsorted(columns, np.arange(dim + 1)).astype(np.int32)
    values = np.full(len(columns), 2.0)
    highs.passHessian(dim, len(columns), highspy.HessianFormat.kTriangular, start, columns, values)
