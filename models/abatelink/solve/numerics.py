"""Numerical care: the spread of the coefficients the solver sees.

Badly chosen units show as a huge ratio between the largest and the smallest non-zero
coefficient of one kind (matrix, costs, bounds, right-hand sides). Above `MAX_SPREAD`, LP
solvers lose accuracy; the run warns and says which kind spreads.
"""

from __future__ import annotations

import numpy as np

MAX_SPREAD = 1e9


def coefficient_ranges(highs) -> dict[str, tuple[float, float]]:
    """(smallest, largest) absolute non-zero finite value of each kind of coefficient."""
    lp = highs.getLp()
    kinds = {
        "matrix": np.asarray(lp.a_matrix_.value_, dtype=float),
        "cost": np.asarray(lp.col_cost_, dtype=float),
        "bound": np.concatenate([np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)]),
        "rhs": np.concatenate([np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)]),
    }
    out = {}
    for kind, values in kinds.items():
        magnitudes = np.abs(values[np.isfinite(values) & (values != 0) & (np.abs(values) < 1e20)])
        if magnitudes.size:
            out[kind] = (float(magnitudes.min()), float(magnitudes.max()))
    return out


def range_warnings(ranges: dict[str, tuple[float, float]]) -> list[str]:
    """One warning per kind of coefficient whose largest/smallest ratio exceeds `MAX_SPREAD`."""
    return [
        f"{kind} coefficients span {low:.3g} to {high:.3g} (ratio {high / low:.1e} > "
        f"{MAX_SPREAD:.0e}): check the units of the data (Mt, US$/t, US$ million)"
        for kind, (low, high) in ranges.items()
        if high / low > MAX_SPREAD
    ]
