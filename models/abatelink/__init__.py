"""abatelink: linked carbon markets and joint abatement projects in Northeast Asia.

The stages, one subpackage each, data flowing one way:
inputs (data sets, scenarios, studies) → model (components, build, levers) → solve (HiGHS
session, priced solutions, diagnosis) → results (tables, money) → reports (export, figures,
HTML); games (coalition values, game solutions) and studies (sweeps, sensitivity) call solve
and results. The public functions, in the order they are used:

    load_dataset → build → set_inputs → Session → solve → tables;  `run` does all of it.

Each public name is imported from its module on first use (PEP 562), so `import abatelink`
and `abatelink --help` load neither pandas nor Pyomo.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

from abatelink.version import __version__ as __version__

_SOURCES = {  # public name → the module it comes from
    "AbatelinkError": "abatelink.errors",
    "InputError": "abatelink.errors",
    "SolveError": "abatelink.errors",
    "Dataset": "abatelink.inputs.dataset",
    "load_dataset": "abatelink.inputs.dataset",
    "Inputs": "abatelink.inputs.scenario",
    "Scenario": "abatelink.inputs.scenario",
    "SolverOptions": "abatelink.inputs.scenario",
    "load_scenario": "abatelink.inputs.scenario",
    "scenario_inputs": "abatelink.inputs.scenario",
    "Model": "abatelink.model.build",
    "build": "abatelink.model.build",
    "set_inputs": "abatelink.model.levers",
    "tables": "abatelink.results",
    "RunResult": "abatelink.run",
    "run": "abatelink.run",
    "write_run": "abatelink.run",
    "Priced": "abatelink.solve.priced",
    "solve": "abatelink.solve.priced",
    "Session": "abatelink.solve.session",
    "Solution": "abatelink.solve.session",
}
_FUNCTIONS_NAMED_AS_MODULES = ("run", "solve")  # abatelink/run.py, abatelink/solve/

__all__ = sorted([*_SOURCES, "__version__"])


def __getattr__(name: str) -> Any:
    """A public name or a subpackage (`abatelink.results`), imported on first use and kept."""
    if name in _SOURCES:
        value = getattr(importlib.import_module(_SOURCES[name]), name)
    elif not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}"):
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(ModuleType):
    """The package keeps `abatelink.run` and `abatelink.solve` the functions: importing the
    modules of the same name would otherwise bind them on the package in their place."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_NAMED_AS_MODULES and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
