"""One price at a kink: the midpoint of the left and right derivatives, whatever the basis.

With step MAC curves the optimal value is piecewise linear in a cap, an NDC target or a tax base.
Where a right-hand side sits exactly on a kink (a cap at a step boundary, which calibration to
round steps makes common), every dual in [left derivative, right derivative] is optimal, and
which one HiGHS returns depends on its basis — on solver options, threads and the path of warm
re-solves. Money settled at such a price would move between regions from one run to the next.

The rule: a ratio test on the optimal basis says which of the rows the accounts price (market
balances, NDC accounting, tax bases) and which binding export limits (whose reduced costs are
rents) sit at an end of the interval on which their dual holds — a kink. Moving a bound either
way moves the basic variables along B⁻¹ of its column; where one of them already sits on a
bound of its own (degeneracy), the basis, and with it the dual, changes on that side. A bound
held by a basic row or column counts as a kink too. This is the test HiGHS's ranging makes,
made for the priced bounds only (ranging computes some sixteen values for every column of the
LP). Two warm re-solves move all of those bounds by +δ and by −δ at once; off the kinks each
re-solve has one dual, and each is optimal for the unmoved problem too (the value function is
linear on [b, b ± δ]). The reported duals are the mean of the two: optimal, so every price
identity (p_n + λ_n = p_m + λ_m + τ + rents) still holds, and, for one kink, the midpoint of
its left and right derivatives. With no kink the basis's duals are unique and kept. Bounds
and basis are restored afterwards, and the solution with them by one more warm solve unless
the caller re-solves anyway (`restore=False`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import highspy
import numpy as np

from abatelink.solve.highs import col_bounds, row_bounds
from abatelink.solve.session import Session, Solution

STEP = 1e-6  # δ, Mt/yr: far below any MAC step, above HiGHS's feasibility tolerance
AT_KINK = 1e-9  # how far (relative to the bound) a bound may move before the basis changes
MOVES = 1e-9  # an entry of B⁻¹a below this is taken as zero: that basic variable stays put


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
        return _central(highs, solution, _Moved.at_kinks(highs, solution, rows, cols), restore)


@contextmanager
def _by_simplex(highs: highspy.Highs) -> Iterator[highspy.Highs]:
    """HiGHS with its `solver` option set to simplex, and set back afterwards."""
    _, chosen = highs.getOptionValue("solver")
    highs.setOptionValue("solver", "simplex")
    try:
        yield highs
    finally:
        highs.setOptionValue("solver", chosen)


def _central(highs: highspy.Highs, solution: Solution, moved: _Moved, restore: bool) -> Solution:
    """The mean of the two duals on either side of the kinks (see `central_duals`), from a
    solve that has a basis; `solution` itself where no priced bound sits at a kink."""
    if not len(moved.rows) and not len(moved.cols):
        return solution
    basis = highs.getBasis()
    sides = [moved.duals(highs, d) for d in (STEP, -STEP)]
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


@dataclasses.dataclass(frozen=True)
class _Moved:
    """The priced rows and the binding columns whose bounds sit at a kink, with their
    bounds; the re-solves move them together."""

    rows: np.ndarray  # int32 HiGHS row numbers
    row_lower: np.ndarray
    row_upper: np.ndarray
    cols: np.ndarray  # int32 HiGHS column numbers
    col_lower: np.ndarray
    col_upper: np.ndarray

    @classmethod
    def at_kinks(
        cls, highs: highspy.Highs, solution: Solution, rows: np.ndarray, cols: np.ndarray
    ) -> _Moved:
        """Reads from HiGHS for `rows`, `cols` and the basic variables only: on plant-level
        data the LP has a million columns, and a whole vector read into Python is ~50 MB."""
        rows, cols = np.asarray(rows, dtype=np.int32), np.asarray(cols, dtype=np.int32)
        basis = _Basis.of(highs, solution)
        row_lower, row_upper = row_bounds(highs, rows)
        bound = np.array(
            [
                _row_bound(lower, upper, activity)
                for lower, upper, activity in zip(row_lower, row_upper, solution.row_value[rows])
            ]
        )
        at_row = np.array(
            [
                not np.isnan(b)
                and (basis.holds(-1 - r) or basis.blocks(highs.getBasisInverseCol(int(r))[1], b))
                for r, b in zip(rows, bound)
            ],
            dtype=bool,
        )
        col_lower, col_upper = col_bounds(highs, cols)
        binding = (col_upper < highspy.kHighsInf) & (solution.col_value[cols] >= col_upper - 1e-9)
        at_col = np.array(
            [
                bind and (basis.holds(c) or basis.blocks(highs.getReducedColumn(int(c))[1], upper))
                for c, upper, bind in zip(cols, col_upper, binding)
            ],
            dtype=bool,
        )
        return cls(
            rows[at_row],
            row_lower[at_row],
            row_upper[at_row],
            cols[at_col],
            col_lower[at_col],
            col_upper[at_col],
        )

    def duals(self, highs: highspy.Highs, shift: float) -> tuple[np.ndarray, np.ndarray] | None:
        """Row and column duals with every finite bound of the rows and the upper bound of
        the columns moved by `shift` at once (None if that has no optimum); bounds restored."""
        r, c = self.rows, self.cols
        lower, upper = self.row_lower, self.row_upper
        moved_lower = np.where(lower > -highspy.kHighsInf, lower + shift, lower)
        moved_upper = np.where(upper < highspy.kHighsInf, upper + shift, upper)
        moved_col_upper = np.maximum(self.col_lower, self.col_upper + shift)
        highs.changeRowsBounds(len(r), r, moved_lower, moved_upper)
        highs.changeColsBounds(len(c), c, self.col_lower, moved_col_upper)
        try:
            highs.run()
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            solved = highs.getSolution()
            return np.asarray(solved.row_dual), np.asarray(solved.col_dual)
        finally:
            highs.changeRowsBounds(len(r), r, lower, upper)
            highs.changeColsBounds(len(c), c, self.col_lower, self.col_upper)


def _row_bound(lower: float, upper: float, activity: float) -> float:
    """The bound a row's dual belongs to: the equality's value, else the one it sits on
    (NaN: none, the row is not binding)."""
    if lower == upper:
        return upper
    for bound in (upper, lower):
        if abs(bound) < highspy.kHighsInf and abs(activity - bound) <= 1e-7 * max(1, abs(bound)):
            return bound
    return np.nan


@dataclasses.dataclass(frozen=True)
class _Basis:
    """The optimal basis's basic variables (HiGHS's order: ≥ 0 column c, −1 − r row r) and
    how far each sits from its nearer finite bound."""

    variables: np.ndarray
    room: np.ndarray

    @classmethod
    def of(cls, highs: highspy.Highs, solution: Solution) -> _Basis:
        _, variables = highs.getBasicVariables()
        is_col = variables >= 0
        value, lower, upper = (np.empty(len(variables)) for _ in range(3))
        columns, rows = variables[is_col], -1 - variables[~is_col]
        value[is_col] = solution.col_value[columns]
        lower[is_col], upper[is_col] = col_bounds(highs, columns)
        value[~is_col] = solution.row_value[rows]
        lower[~is_col], upper[~is_col] = row_bounds(highs, rows)
        return cls(variables, np.minimum(value - lower, upper - value))

    def holds(self, variable: int) -> bool:
        """Whether `variable` (a column, or −1 − r for row r) is basic."""
        return bool(np.any(self.variables == variable))

    def blocks(self, direction: np.ndarray, bound: float) -> bool:
        """Whether moving a nonbasic bound at `bound` by ±δ — which moves the basic variables
        by ±δ·`direction` (B⁻¹ of its column) — drives a basic variable that sits on a bound
        of its own off it on one side within AT_KINK of `bound`: the basis, and the dual,
        then differ on that side (HiGHS's ranging would end its interval there)."""
        moving = np.abs(direction) > MOVES
        reach = AT_KINK * max(1.0, abs(bound)) * np.abs(direction[moving])
        return bool(np.any(self.room[moving] <= reach))
