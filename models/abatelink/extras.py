"""Optional parts of abatelink, installed as extras, and the error naming the one to install.

The core (`pip install abatelink`) runs, compares, shares, sweeps and exports to CSV, Parquet
and Excel. Figures need matplotlib (`figures`); sampled designs and Morris and Sobol analyses
need SALib (`sensitivity`); checking IAMC files needs pyam (`iamc`).
"""

from __future__ import annotations

import importlib.util

from abatelink.errors import MissingExtra

EXTRA_OF = {"matplotlib": "figures", "SALib": "sensitivity", "pyam": "iamc"}
NO_FIGURES = 'no figures: they need the "figures" extra (pip install "abatelink[figures]")'


def has(module: str) -> bool:
    """Whether an optional module is installed (without importing it)."""
    return importlib.util.find_spec(module) is not None


def need(module: str, what: str) -> None:
    """Raise `MissingExtra` (exit 4) naming the extra to install if `module` is missing."""
    if not has(module):
        raise MissingExtra(EXTRA_OF[module], what)
