"""One price at a kink: the midpoint of the left and right derivatives, whatever the basis.

With step MAC curves the optimal value is piecewise linear in a cap, an NDC target or a tax base.
Where a right-hand side sits exactly on a kink (a cap at a step boundary, which calibration to
round steps makes common), every dual in [left derivative, right derivative] is optimal, and
which one HiGHS returns depends on its basis — on solver options, threads and the path of warm
re-solves. Money settled at such a price would move between regions from one run to the next.

The rule: for each row the accounts price (market balances, NDC accounting, tax bases) and each
export limit, HiGHS's ranging says whether the present bound sits at an end of the interval on
which its dual holds. Only there, two warm re-solves with the bound moved by ±δ read the dual on
either side, and the reported dual is their mean. Everywhere else the dual is unique and kept.
The bounds and the basis are restored afterwards.
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
    session: Session, solution: Solution, rows: np.ndarray, cols: np.ndarray
) -> Solution:
    """`solution` with the duals of `rows` and the reduced costs of `cols` (each at a bound)
    replaced by the midpoint of their left and right values where they sit at a kink.

    A solve that left no basis (interior point without crossover, PDLP) is first repeated by
    simplex, and that vertex is the solution returned: prices and flows then do not depend on
    which algorithm the options chose.
    """
    if solution.is_mip or not solution.has_solution:
        return solution
    with _by_simplex(session.highs) as highs:
        status, ranging = highs.getRanging()
        if status != highspy.HighsStatus.kOk or not ranging.valid:
            highs.run()  # a solve that left no basis is repeated by simplex
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return solution
            solution = session.current_solution(solution.solve_seconds)
            status, ranging = highs.getRanging()
        if status != highspy.HighsStatus.kOk or not ranging.valid:
            return solution
        return _central(highs, solution, ranging, rows, cols)


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
    highs: highspy.Highs, solution: Solution, ranging, rows: np.ndarray, cols: np.ndarray
) -> Solution:
    """The midpoints (see `central_duals`), from a solve that has a basis."""
    basis = highs.getBasis()
    lp = highs.getLp()
    row_dual, col_dual = solution.row_dual.copy(), solution.col_dual.copy()
    row_lower, row_upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    col_lower, col_upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    activity = np.asarray(highs.getSolution().row_value)
    up, down = np.asarray(ranging.row_bound_up.value_), np.asarray(ranging.row_bound_dn.value_)
    for r in rows:
        bound = _active(row_lower[r], row_upper[r], activity[r])
        if bound is not None and _at_kink(bound, up[r], down[r]):
            sides = [_row_dual_at(highs, r, row_lower[r], row_upper[r], d) for d in (STEP, -STEP)]
            row_dual[r] = _mean(sides, row_dual[r])
    for c in cols:  # a binding limit: few, so both sides are always read
        if col_upper[c] < highspy.kHighsInf and solution.col_value[c] >= col_upper[c] - 1e-9:
            sides = [_col_dual_at(highs, c, col_lower[c], col_upper[c], d) for d in (STEP, -STEP)]
            col_dual[c] = _mean(sides, col_dual[c])
    highs.setBasis(basis)
    highs.run()
    return dataclasses.replace(solution, row_dual=row_dual, col_dual=col_dual)


def _active(lower: float, upper: float, activity: float) -> float | None:
    """The bound a row's dual belongs to: the equality's value, else the one it sits on."""
    if lower == upper:
        return upper
    for bound in (upper, lower):
        if abs(bound) < highspy.kHighsInf and abs(activity - bound) <= 1e-7 * max(1, abs(bound)):
            return bound
    return None


def _at_kink(bound: float, up: float, down: float) -> bool:
    scale = AT_KINK * max(1.0, abs(bound))
    return abs(up - bound) <= scale or abs(down - bound) <= scale


def _row_dual_at(highs: highspy.Highs, row: int, lower: float, upper: float, shift: float):
    """The row's dual with its bound(s) moved by `shift`, or None if that has no optimum."""
    new_lower = lower + shift if lower > -highspy.kHighsInf else lower
    new_upper = upper + shift if upper < highspy.kHighsInf else upper
    highs.changeRowBounds(row, new_lower, new_upper)
    try:
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return highs.getSolution().row_dual[row]
    finally:
        highs.changeRowBounds(row, lower, upper)


def _col_dual_at(highs: highspy.Highs, col: int, lower: float, upper: float, shift: float):
    """The column's reduced cost with its upper bound moved by `shift` (None: no optimum)."""
    highs.changeColBounds(col, lower, max(lower, upper + shift))
    try:
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return highs.getSolution().col_dual[col]
    finally:
        highs.changeColBounds(col, lower, upper)


def _mean(sides: list[float | None], otherwise: float) -> float:
    known = [s for s in sides if s is not None]
    return float(np.mean(known)) if len(known) == len(sides) else otherwise
