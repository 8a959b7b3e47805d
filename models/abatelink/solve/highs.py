"""HiGHS objects: one process-wide policy for their threads, and reads of a few rows or
columns.

HiGHS sizes a global thread scheduler at the first solve of a process and refuses a later
solve that asks for another number of threads. Every HiGHS object abatelink creates goes
through `use_threads`, which resets the scheduler when the count changes.

A whole bound vector read into Python is a list of Python floats, ~50 MB on plant-level data
with a million columns; `row_bounds`, `col_bounds` and `col_entries` read the ones asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import highspy
import numpy as np
from pyomo.common.tee import capture_output

_scheduler_threads: int | None = None


def use_threads(threads: int) -> None:
    """Make the global HiGHS scheduler run `threads` threads (reset it if it differs)."""
    global _scheduler_threads
    if _scheduler_threads != threads:
        highspy.Highs.resetGlobalScheduler(True)
        _scheduler_threads = threads


def new_highs(threads: int = 1) -> highspy.Highs:
    """A silent HiGHS object on `threads` threads (its banner, printed by the C++ constructor
    before any option can be set, is swallowed)."""
    use_threads(threads)
    with capture_output(capture_fd=True):
        solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", threads)
    return solver


def row_bounds(highs: highspy.Highs, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper bounds of `rows`, in their order."""
    lower, upper = _by_set(lambda n, ordered: highs.getRows(n, ordered)[2:4], rows)
    return lower, upper


def col_bounds(highs: highspy.Highs, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper bounds of `cols`, in their order."""
    lower, upper = _by_set(lambda n, ordered: highs.getCols(n, ordered)[3:5], cols)
    return lower, upper


def col_entries(highs: highspy.Highs, cols: np.ndarray) -> tuple[np.ndarray, ...]:
    """The matrix entries of `cols` (increasing, no repeats) column by column: the start of
    each column's entries, their rows and their values."""
    cols = np.asarray(cols, dtype=np.int32)
    if not len(cols):
        return np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    _, _, _, _, _, count = highs.getCols(len(cols), cols)
    _, start, index, value = highs.getColsEntries(len(cols), cols)
    start = np.append(np.asarray(start, dtype=np.int64)[: len(cols)], count)
    return start, np.asarray(index, dtype=np.int64)[:count], np.asarray(value)[:count]


def _by_set(read: Callable[[int, np.ndarray], Sequence], items: np.ndarray) -> list[np.ndarray]:
    """`read(n, ordered)` for the increasing set HiGHS requires (given another order it
    returns zeros without a word), each array put back in the order of `items`."""
    ordered, back = np.unique(np.asarray(items, dtype=np.int32), return_inverse=True)
    if not len(ordered):
        return [np.empty(0), np.empty(0)]
    return [np.asarray(values)[: len(ordered)][back] for values in read(len(ordered), ordered)]
