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

from abatelink.solve.highs import col_bounds, col_entries, row_bounds
from abatelink.solve.session import Session, Solution

TIGHT = 1e-9  # a reduced cost or dual above this is not zero
TIED = ("trade_mt", "bank_mt", "offsets_mt", "project_credits_mt")


def least_norm_flows(session: Session, solution: Solution) -> Solution:
    """`solution` with the primal values of the least-norm optimal plan of its LP (`TIED`
    columns), or `solution` itself for a MIP, without a solution or without such columns."""
    if solution.is_mip or not solution.has_solution or solution.objective is None:
        return solution
    m = session.model.pyomo
    tied = np.concatenate(
        [session.columns(getattr(m, name))[1] for name in TIED if hasattr(m, name)]
    ).astype(np.int64)
    if not len(tied):
        return solution
    face = Face.of(session.highs, solution)
    if not face.free[tied].any():
        return solution  # every flow is pinned by a reduced cost: one plan already
    highs = session.scratch()
    highs.passModel(face.reduced)
    _pass_diagonal(highs, face.reduced.num_col_, np.sort(face.position[tied[face.free[tied]]]))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return solution
    values = np.array(solution.col_value, dtype=float)
    values[face.free] = np.asarray(highs.getSolution().col_value)
    activity = solution.row_value - face.free_part + face.activity_of(values)
    return dataclasses.replace(solution, col_value=values, row_value=activity)


@dataclasses.dataclass(frozen=True)
class Face:
    """The optimal face of an LP as a smaller LP over the columns it leaves free.

    A column with a reduced cost is fixed at its value and leaves the problem, its terms
    moving into the row bounds; a row with a dual is fixed at its activity; rows left with no
    free column go. On plant-level data most MAC steps are fixed (taken whole or not at all),
    so the QP sees a fraction of the columns, and only their bounds and matrix entries are
    read from HiGHS.
    """

    reduced: highspy.HighsLp
    free: np.ndarray  # bool per column of the full LP
    position: np.ndarray  # a free column's index in `reduced` (−1 if fixed)
    entries: tuple[np.ndarray, np.ndarray, np.ndarray]  # free columns' (column, row, value)
    free_part: np.ndarray  # per row of the full LP: Σ over free columns a_ij x_j

    @classmethod
    def of(cls, highs: highspy.Highs, solution: Solution) -> Face:
        x = np.asarray(solution.col_value, dtype=float)
        num_col, num_row = highs.getNumCol(), highs.getNumRow()
        unpriced = np.flatnonzero(np.abs(np.asarray(solution.col_dual)) <= TIGHT)
        col_lower, col_upper = col_bounds(highs, unpriced)
        moves = col_lower < col_upper
        columns = unpriced[moves]
        free = np.zeros(num_col, dtype=bool)
        free[columns] = True
        start, rows, values = col_entries(highs, columns)
        cols = np.repeat(columns, np.diff(start))
        entries = (cols, rows, values)
        free_part = np.bincount(rows, values * x[cols], minlength=num_row)
        fixed_part = solution.row_value - free_part
        row_lower, row_upper = row_bounds(highs, np.arange(num_row))
        row_lower, row_upper = row_lower - fixed_part, row_upper - fixed_part
        binding = np.abs(np.asarray(solution.row_dual)) > TIGHT
        row_lower[binding] = row_upper[binding] = free_part[binding]
        kept_rows = np.unique(rows)
        position = np.full(num_col, -1, dtype=np.int64)
        position[columns] = np.arange(len(columns))
        row_at = np.full(num_row, -1, dtype=np.int64)
        row_at[kept_rows] = np.arange(len(kept_rows))
        reduced = highspy.HighsLp()
        reduced.num_col_, reduced.num_row_ = len(columns), len(kept_rows)
        reduced.col_cost_ = np.zeros(reduced.num_col_)
        reduced.col_lower_, reduced.col_upper_ = col_lower[moves], col_upper[moves]
        reduced.row_lower_, reduced.row_upper_ = row_lower[kept_rows], row_upper[kept_rows]
        order = np.lexsort((row_at[rows], position[cols]))
        new_cols = position[cols][order]
        reduced.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        reduced.a_matrix_.start_ = np.searchsorted(new_cols, np.arange(reduced.num_col_ + 1))
        reduced.a_matrix_.index_ = row_at[rows][order]
        reduced.a_matrix_.value_ = values[order]
        return cls(reduced, free, position, entries, free_part)

    def activity_of(self, x: np.ndarray) -> np.ndarray:
        """Σ over the free columns a_ij x_j per row, at other values `x` of the columns."""
        cols, rows, values = self.entries
        return np.bincount(rows, values * x[cols], minlength=len(self.free_part))


def _pass_diagonal(highs: highspy.Highs, dim: int, columns: np.ndarray) -> None:
    """Hessian Q = 2·I on `columns` (HiGHS minimises ½·xᵀQx), in column-wise triangular form."""
    start = np.searchsorted(columns, np.arange(dim + 1)).astype(np.int32)
    values = np.full(len(columns), 2.0)
    highs.passHessian(
        dim,
        len(columns),
        highspy.HessianFormat.kTriangular,
        start,
        columns.astype(np.int32),
        values,
    )
