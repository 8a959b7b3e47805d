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
    face = Face.of(session.highs.getLp(), solution)
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
    return dataclasses.replace(solution, col_value=values)


@dataclasses.dataclass(frozen=True)
class Face:
    """The optimal face of an LP as a smaller LP over the columns it leaves free.

    A column with a reduced cost is fixed at its value and leaves the problem, its terms
    moving into the row bounds; a row with a dual is fixed at its activity; rows left with no
    free column go. On plant-level data most MAC steps are fixed (taken whole or not at all),
    so the QP sees a fraction of the columns.
    """

    reduced: highspy.HighsLp
    free: np.ndarray  # bool per column of the full LP
    position: np.ndarray  # a free column's index in `reduced` (−1 if fixed)

    @classmethod
    def of(cls, lp: highspy.HighsLp, solution: Solution) -> Face:
        x = np.asarray(solution.col_value, dtype=float)
        col_lower, col_upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
        free = (np.abs(np.asarray(solution.col_dual)) <= TIGHT) & (col_lower < col_upper)
        rows, cols, values = _triplets(lp)
        keep = free[cols]
        terms = values * x[cols]
        fixed_part = np.bincount(rows[~keep], terms[~keep], minlength=lp.num_row_)
        free_part = np.bincount(rows[keep], terms[keep], minlength=lp.num_row_)
        row_lower = np.asarray(lp.row_lower_) - fixed_part
        row_upper = np.asarray(lp.row_upper_) - fixed_part
        binding = np.abs(np.asarray(solution.row_dual)) > TIGHT
        row_lower[binding] = row_upper[binding] = free_part[binding]
        kept_rows = np.unique(rows[keep])
        position = np.full(lp.num_col_, -1, dtype=np.int64)
        position[free] = np.arange(int(free.sum()))
        row_at = np.full(lp.num_row_, -1, dtype=np.int64)
        row_at[kept_rows] = np.arange(len(kept_rows))
        reduced = highspy.HighsLp()
        reduced.num_col_, reduced.num_row_ = int(free.sum()), len(kept_rows)
        reduced.col_cost_ = np.zeros(reduced.num_col_)
        reduced.col_lower_, reduced.col_upper_ = col_lower[free], col_upper[free]
        reduced.row_lower_, reduced.row_upper_ = row_lower[kept_rows], row_upper[kept_rows]
        order = np.lexsort((row_at[rows[keep]], position[cols[keep]]))
        new_cols = position[cols[keep]][order]
        reduced.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        reduced.a_matrix_.start_ = np.searchsorted(new_cols, np.arange(reduced.num_col_ + 1))
        reduced.a_matrix_.index_ = row_at[rows[keep]][order]
        reduced.a_matrix_.value_ = values[keep][order]
        return cls(reduced, free, position)


def _triplets(lp: highspy.HighsLp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of each non-zero of the LP's matrix."""
    matrix = lp.a_matrix_
    start, index = np.asarray(matrix.start_), np.asarray(matrix.index_)
    outer = np.repeat(np.arange(len(start) - 1), np.diff(start))
    rows, cols = (
        (index, outer) if matrix.format_ == highspy.MatrixFormat.kColwise else (outer, index)
    )
    return rows.astype(np.int64), cols.astype(np.int64), np.asarray(matrix.value_, dtype=float)


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
