"""Variables declared as arrays instead of Pyomo variables: the wide, regular parts of the model.

Pyomo spends its time on each row and each mutable coefficient it writes (evaluating
expressions, keeping a helper per coefficient), which is what a plant-level model has most of:
a build decision per CCS unit and period enters four rows with coefficients that never change.
An `ArrayVar` holds such columns as arrays — their keys, bounds, objective costs, their entries
in the Pyomo model's rows and any rows of their own — and the session appends them to HiGHS
after the Pyomo part, as it does the MAC steps (`abatement.StepColumns`). It sits on the Pyomo
block under its name, so a lookup by name (`Session.columns`, `Extract.array`) treats it as a
variable; the parameters it depends on stay Pyomo parameters, set by `levers` as any other.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import numpy as np
import pyomo.core as pyo


@dataclass(frozen=True)
class Entries:
    """Coefficients of array columns in the rows of one Pyomo constraint: `values[i]` in the
    row `constraint[row_keys[i]]`, column `columns[i]` (a position among the variable's keys)."""

    constraint: str
    row_keys: list[Hashable]
    columns: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class OwnRows:
    """Rows made of array columns alone: lower ≤ Σ_i values[i]·x[columns[i]] ≤ upper, entry i
    in row `rows[i]` (a position among `keys`)."""

    name: str
    keys: list[Hashable]
    lower: np.ndarray
    upper: np.ndarray
    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class ArrayVar:
    """Columns x[k], one per key, appended to HiGHS after the Pyomo model:

        0 ≤ x[k] ≤ U[k]                  U the parameter `upper`, keyed like x
        objective cost scale[k]·P[at[k]]  P the parameter `cost_param`, at[k] a position among
                                          its keys (no cost without `cost_param`)

    with their `entries` in Pyomo rows and their own `rows`.
    """

    name: str
    index: list[Hashable]
    integer: bool
    upper: str
    cost_param: str | None
    cost_at: np.ndarray
    cost_scale: np.ndarray
    entries: tuple[Entries, ...]
    rows: OwnRows

    def keys(self) -> Iterator[Hashable]:
        return iter(self.index)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


def param_values(m: pyo.ConcreteModel, name: str) -> np.ndarray:
    """Values of an indexed parameter of the Pyomo model, in the order of its keys."""
    param = getattr(m, name)
    return np.fromiter((data.value for data in param.values()), float, count=len(param))


def costs(m: pyo.ConcreteModel, var: ArrayVar) -> np.ndarray:
    """The objective cost of each column at the parameters' current values (`ArrayVar`)."""
    if var.cost_param is None:
        return np.zeros(len(var))
    return var.cost_scale * param_values(m, var.cost_param)[var.cost_at]
