"""One process-wide policy for HiGHS threads.

HiGHS sizes a global thread scheduler at the first solve of a process and refuses a later
solve that asks for another number of threads. Every HiGHS object abatelink creates goes
through `use_threads`, which resets the scheduler when the count changes.
"""

from __future__ import annotations

import highspy
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
