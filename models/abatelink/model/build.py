"""Build the Pyomo model of a data set once; scenarios then change its parameters in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.core as pyo

from abatelink.inputs.dataset import Dataset
from abatelink.model.arrays import ArrayVar
from abatelink.model.components import CATALOGUE, abatement, objective
from abatelink.model.components.abatement import StepColumns
from abatelink.model.index import ModelIndex, build_index


@dataclass(frozen=True)
class Model:
    """A built model: the Pyomo model, the MAC step columns, the variables declared as arrays
    (`model.arrays`; each also on the Pyomo block under its name), its index sets and its data
    set."""

    pyomo: pyo.ConcreteModel
    steps: StepColumns
    index: ModelIndex
    dataset: Dataset
    arrays: tuple[ArrayVar, ...] = ()
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Layouts the result tables derive from the index once per model (`Extract.memo`)."""


def cost_terms() -> tuple[str, ...]:
    """Names of the per-period cost expressions, in catalogue order."""
    return tuple(c.COST_TERM for c in CATALOGUE if c.COST_TERM is not None)


def build(dataset: Dataset, periods: tuple[int, ...] | None = None) -> Model:
    """The whole model: every component of the catalogue, the objective, and the MAC steps as
    arrays (`abatement.step_columns`) beside the variables components declare as arrays.

    Parameters start at zero; `levers.set_inputs` gives them a scenario's values.
    """
    idx = build_index(dataset, periods)
    m = pyo.ConcreteModel(name=dataset.meta.name)
    m.index_sets = idx
    for component in CATALOGUE:
        component.add_to(m, idx)
    objective.add_to(m, idx, cost_terms())
    arrays = tuple(v for v in vars(m).values() if isinstance(v, ArrayVar))
    return Model(
        pyomo=m, steps=abatement.step_columns(idx), index=idx, dataset=dataset, arrays=arrays
    )
