"""Reading a priced solution back: values, duals and parameters by component name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from abatelink.inputs.scenario import Inputs
from abatelink.model import arrays
from abatelink.model.build import Model
from abatelink.solve.priced import Priced
from abatelink.solve.session import Session, Solution

T = TypeVar("T")


@dataclass(frozen=True)
class Extract:
    """Read-back of a priced solution: the values and duals of the solve that prices it."""

    priced: Priced

    @property
    def model(self) -> Model:
        return self.priced.model

    @property
    def session(self) -> Session:
        return self.priced.session

    @property
    def solution(self) -> Solution:
        return self.priced.prices

    @property
    def inputs(self) -> Inputs:
        return self.priced.inputs

    def values(self, name: str) -> pd.Series:
        return self.session.values(self.solution, getattr(self.model.pyomo, name))

    def step_abatement(self) -> np.ndarray:
        """Abatement of each MAC step (Mt/yr), in `index.steps` order."""
        return self.session.step_values(self.solution)

    def duals(self, name: str) -> pd.Series:
        return self.session.duals(self.solution, getattr(self.model.pyomo, name))

    def reduced_costs(self, name: str) -> pd.Series:
        return self.session.reduced_costs(self.solution, getattr(self.model.pyomo, name))

    def params(self, name: str) -> pd.Series:
        """Values of an indexed parameter, indexed by its keys."""
        param = getattr(self.model.pyomo, name)
        index = self.memo(f"index:{name}", lambda: _key_index(list(param.keys())))
        return pd.Series(self.param_array(name), index=index)

    def param_array(self, name: str) -> np.ndarray:
        """Values of an indexed parameter, in the order of its keys."""
        return param_values(self.model, name)

    def array(self, name: str) -> np.ndarray:
        """Primal values of an indexed variable, in the order of its keys."""
        _, cols = self.session.columns(getattr(self.model.pyomo, name))
        return self.solution.col_value[cols]

    def dual_array(self, name: str) -> np.ndarray:
        """Row duals of an indexed constraint per year (÷ the weight of the key's period, its
        last level), in the order of its keys; NaN without duals."""
        _, rows = self.session.rows(getattr(self.model.pyomo, name))
        duals = self.solution.row_dual
        data = duals[rows] if duals is not None else np.full(len(rows), np.nan)
        return data / self._weights(name, self.session.rows)

    def reduced_cost_array(self, name: str) -> np.ndarray:
        """Reduced costs of an indexed variable per year, in the order of its keys."""
        _, cols = self.session.columns(getattr(self.model.pyomo, name))
        duals = self.solution.col_dual
        data = duals[cols] if duals is not None else np.full(len(cols), np.nan)
        return data / self._weights(name, self.session.columns)

    def per_year(self, duals: pd.Series) -> pd.Series:
        """Duals divided by the weight of their period (the last level of the key)."""
        return duals / self.model.index.weights(duals.index.get_level_values(-1).to_numpy())

    def positions(self, name: str, wanted: list) -> np.ndarray:
        """Where each wanted key sits among an indexed component's keys, −1 where it is not
        one of them."""
        component = getattr(self.model.pyomo, name)
        at = self.memo(f"at:{name}", lambda: {key: i for i, key in enumerate(component.keys())})
        return np.array([at.get(key, -1) for key in wanted], dtype=np.int64)

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """What `make` derives from the model's index, made once per model."""
        store = self.model.memo
        if key not in store:
            store[key] = make()
        return store[key]

    def _weights(self, name: str, keyed: Callable[[Any], tuple[list, np.ndarray]]) -> np.ndarray:
        """The objective weight of each key's period (its last level)."""

        def make() -> np.ndarray:
            keys, _ = keyed(getattr(self.model.pyomo, name))
            return self.model.index.weights([k[-1] if isinstance(k, tuple) else k for k in keys])

        return self.memo(f"weights:{name}", make)


def param_values(model: Model, name: str) -> np.ndarray:
    """Values of a model's indexed parameter, in the order of its keys."""
    return arrays.param_values(model.pyomo, name)


@dataclass(frozen=True)
class Recording(Extract):
    """An `Extract` that notes the name of every parameter read through it (`read`)."""

    read: set[str] = field(default_factory=set)

    def param_array(self, name: str) -> np.ndarray:
        self.read.add(name)
        return super().param_array(name)


@dataclass(frozen=True)
class Unmoved(Extract):
    """An `Extract` of a solve whose parameters hold the values they had when `values` was
    filled (a compiled sweep moves bounds only): each parameter is read from Pyomo once."""

    values: dict[str, np.ndarray] = field(default_factory=dict)

    def param_array(self, name: str) -> np.ndarray:
        if name not in self.values:
            self.values[name] = super().param_array(name)
        return self.values[name]


def sum_by(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Σ values per code in 0..size−1 (codes −1 left out)."""
    keep = codes >= 0
    return np.bincount(codes[keep], values[keep], minlength=size).astype(float)


def take(values: np.ndarray, positions: np.ndarray, fill: float) -> np.ndarray:
    """values[positions], `fill` where a position is −1 (`Extract.positions`)."""
    if not len(values):
        return np.full(len(positions), fill)
    return np.where(positions >= 0, values[np.maximum(positions, 0)], fill)


def _key_index(keys: list) -> pd.Index:
    return (
        pd.MultiIndex.from_tuples(keys) if keys and isinstance(keys[0], tuple) else pd.Index(keys)
    )


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Round away solver noise (|x| < 1e-9 → 0); an infinite bound is written as empty."""
    floats = frame.select_dtypes("float").columns
    if len(floats):
        frame[floats] = clean_values(frame[floats].to_numpy(dtype=float))
    return frame.reset_index(drop=True)


def clean_values(values: np.ndarray) -> np.ndarray:
    """`clean` on an array (a copy)."""
    out = np.where(np.abs(values) < 1e-9, 0.0, values)
    out[np.isinf(out)] = np.nan
    return out
