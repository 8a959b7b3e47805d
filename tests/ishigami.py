"""The Ishigami function as a sweep evaluator: known sensitivity indices, to check the wiring.

f = sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³. With a = 7, b = 0.1 its Sobol indices are
S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437). Module-level, so Dask can pickle it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abatelink.studies.outputs import COLUMNS

S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(rows: pd.DataFrame, a: float = 7.0, b: float = 0.1) -> pd.DataFrame:
    """Tidy rows of f at each design row (columns x1, x2, x3), as the objective's value."""
    x1, x2, x3 = (rows[k].to_numpy(dtype=float) for k in ("x1", "x2", "x3"))
    return objective_rows(rows, np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1))


def objective_rows(rows: pd.DataFrame, value: np.ndarray) -> pd.DataFrame:
    """A stand-in evaluator's tidy rows: `value` as each design row's objective."""
    frame = pd.DataFrame(
        {
            "scenario_id": rows["scenario_id"],
            "status": "optimal",
            "objective_musd": value,
            "output": "objective",
            "item": "",
            "period": pd.array([None] * len(rows), dtype="Int64"),
            "value": value,
        }
    )
    return frame[COLUMNS]
