"""Reading a priced solution back: values, duals and parameters by component name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abatelink.inputs.scenario import Inputs
from abatelink.model.build import Model
from abatelink.solve.priced import Priced
from abatelink.solve.session import Session, Solution


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
        param = getattr(self.model.pyomo, name)
        return pd.Series({k: param[k].value for k in param})

    def per_year(self, duals: pd.Series) -> pd.Series:
        """Duals divided by the weight of their period (the last level of the key)."""
        periods = duals.index.get_level_values(-1)
        weights = np.array([self.model.index.weight(t) for t in periods])
        return duals / weights


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Round away solver noise (|x| < 1e-9 → 0); an infinite bound is written as empty."""
    floats = frame.select_dtypes("float").columns
    values = frame[floats]
    frame[floats] = values.mask(values.abs() < 1e-9, 0.0).replace([np.inf, -np.inf], np.nan)
    return frame.reset_index(drop=True)
