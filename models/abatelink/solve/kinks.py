"""One price at a kink: the midpoint of the left and right derivatives, whatever the basis.

With step MAC curves the optimal value is piecewise linear in a cap, an NDC target or a tax base.
Where a right-hand side sits exactly on a kink (a cap at a step boundary, which calibration to
round steps makes common), every dual in [left derivative, right derivative] is optimal, and
which one HiGHS returns depends on its basis — on solver options, threads and the path of warm
re-solves. Money settled at such a price would move between regions from one run to the next.

The rule: HiGHS's ranging says which of the rows the accounts price (market balances, NDC
accounting, tax bases) and which binding export limits (whose reduced costs are rents) sit at
an end of the interval on which their dual holds — a kink; a bound held by a basic row or
column (degenerate) counts as one too. Two warm re-solves move all of those bounds by +δ and
by −δ at once; off the kinks each re-solve has one dual, and each is optimal for the
unmoved problem too (the value function is linear on [b, b ± δ]). The reported duals are the
mean of the two: optimal, so every price identity (p_n + λ_n = p_m + λ_m + τ + rents) still
holds, and, for one kink, the midpoint of its left and right derivatives. With no kink the
basis's duals are unique and kept. Bounds and basis are restored afterwards, and the solution
with them by one more warm solve unless the caller re-solves anyway (`restore=False`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import highspy
import numpy as np

from abatelink.solve.session import Session, Solution

STEP = 1e-6  # δ, Mt/yr: far below any MAC step, above HiGHS's feasibility tolerance
AT_KINK = 1e-9  # how close (relative) a bound must be to its ranging interval's end


def central_duals(
    session: Session,
    solution: Solution,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    restore: bool = True,
) -> Solution:
    """`solution` with the duals of `rows` and the reduced costs of `cols` (each at a bound)
    replaced by the midpoint of their left and right values where they sit at a kink.

    HiGHS is left with the bounds and basis it had; with `restore` also with its solution (a
    warm solve of no iterations), which a caller that changes bounds and re-solves next (a
    compiled sweep) does without.

    A solve that left no basis (interior point without crossover, PDLP) is first repeated by
    simplex, and that vertex is the solution returned: prices and flows then do not depend on
    which algorithm the options chose.
    """
    if solution.is_mip or not solution.has_solution:
        return solution
    with _by_simplex(session.highs) as highs:
        if not highs.getBasis().valid:
            highs.run()  # a solve that left no basis is repeated by simplex
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return solution
            solution = session.current_solution(solution.solve_seconds)
        status, ranging = highs.getRanging()
        if status != highspy.HighsStatus.kOk or not ranging.valid:
            return solution
        return _central(highs, solution, ranging, rows, cols, restore)


@contextmanager
def _by_simplex(highs: highspy.Highs) -> Iterator[highspy.Highs]:
    """HiGHS with its `solver` option set to simplex, and set back afterwards."""
    _, chosen = highs.getOptionValue("solver")
    highs.setOptionValue("solver", "simplex")
    try:
        yield highs
    finally:
        highs.setOptionValue("solver", chosen)


def _central(
    highs: highspy.Highs,
    solution: Solution,
    ranging,
    rows: np.ndarray,
    cols: np.ndarray,
    restore: bool,
) -> Solution:
    """The mean of the two duals on either side of the kinks (see `central_duals`), from a
    solve that has a basis; `solution` itself where no priced bound sits at a kink."""
    lp = highs.getLp()
    bounds = _Bounds(lp)
    basis = highs.getBasis()
    row_status, col_status = basis.row_status, basis.col_status  # each read copies the list
    activity = np.asarray(highs.getSolution().row_value)
    up, down = np.asarray(ranging.row_bound_up.value_), np.asarray(ranging.row_bound_dn.value_)
    kinked_rows = [
        r for r in rows if _at_kink(bounds.row_bound(r, activity[r]), up[r], down[r], row_status[r])
    ]
    up, down = np.asarray(ranging.col_bound_up.value_), np.asarray(ranging.col_bound_dn.value_)
    kinked_cols = [
        c
        for c in cols
        if bounds.col_upper[c] < highspy.kHighsInf
        and solution.col_value[c] >= bounds.col_upper[c] - 1e-9
        and _at_kink(bounds.col_upper[c], up[c], down[c], col_status[c])
    ]
    if not kinked_rows and not kinked_cols:
        return solution
    sides = [bounds.duals_moved(highs, kinked_rows, kinked_cols, d) for d in (STEP, -STEP)]
    highs.setBasis(basis)
    if restore:
        highs.run()
    known = [side for side in sides if side is not None]
    if not known:
        return solution
    # Where one side has no optimum (a bound that cannot tighten), the other side's dual is
    # the only one that holds beyond the kink: it is reported alone.
    return dataclasses.replace(
        solution,
        row_dual=np.mean([rows for rows, _ in known], axis=0),
        col_dual=np.mean([cols for _, cols in known], axis=0),
    )


class _Bounds:
    """The LP's bounds, and re-solves with some of them moved together."""

    def __init__(self, lp: highspy.HighsLp) -> None:
        self.row_lower, self.row_upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
        self.col_lower, self.col_upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)

    def row_bound(self, row: int, activity: float) -> float | None:
        """The bound a row's dual belongs to: the equality's value, else the one it sits on."""
        lower, upper = self.row_lower[row], self.row_upper[row]
        if lower == upper:
            return upper
        for bound in (upper, lower):
            if abs(bound) < highspy.kHighsInf and abs(activity - bound) <= 1e-7 * max(
                1, abs(bound)
            ):
                return bound
        return None

    def duals_moved(
        self, highs: highspy.Highs, rows: list[int], cols: list[int], shift: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Row and column duals with every finite bound of `rows` and the upper bound of
        `cols` moved by `shift` at once (None if that has no optimum); bounds restored."""
        r = np.asarray(rows, dtype=np.int32)
        c = np.asarray(cols, dtype=np.int32)
        lower, upper = self.row_lower[r], self.row_upper[r]
        moved_lower = np.where(
            np.isfinite(lower) & (lower > -highspy.kHighsInf), lower + shift, lower
        )
        moved_upper = np.where(upper < highspy.kHighsInf, upper + shift, upper)
        col_lower, col_upper = self.col_lower[c], self.col_upper[c]
        highs.changeRowsBounds(len(r), r, moved_lower, moved_upper)
        highs.changeColsBounds(len(c), c, col_lower, np.maximum(col_lower, col_upper + shift))
        try:
            highs.run()
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            solved = highs.getSolution()
            return np.asarray(solved.row_dual), np.asarray(solved.col_dual)
        finally:
            highs.changeRowsBounds(len(r), r, lower, upper)
            highs.changeColsBounds(len(c), c, col_lower, col_upper)


def _at_kink(bound: float | None, up: float, down: float, status: highspy.HighsBasisStatus) -> bool:
    """Whether the bound sits at an end of the interval [down, up] on which the basis's dual
    holds: then the dual on one side (or both, for a zero-width interval) is another. A bound
    held by a basic row or column (degenerate) is taken to be at one: ranging describes a
    nonbasic bound, and where no kink is, the moved re-solves return the same dual."""
    if bound is None:
        return False
    if status == highspy.HighsBasisStatus.kBasic:
        return True
    scale = AT_KINK * max(1.0, abs(bound))
    return abs(up - bound) <= scale or abs(down - bound) <= scale
