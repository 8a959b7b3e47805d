"""Model components, one module per concern, and the one catalogue that knows the build order.

Each module has `add_to(m, idx)` and `COST_TERM`, the name of its per-period cost expression
(or None). A component may use names declared by components before it in `CATALOGUE`.
"""

from __future__ import annotations

from types import ModuleType

from abatelink.model.components import (
    abatement,
    ccs,
    credits,
    linking,
    markets,
    ndc,
    objective,
    offsets,
    projects,
    supergrid,
    taxes,
)

CATALOGUE: tuple[ModuleType, ...] = (
    ccs,
    supergrid,
    projects,
    credits,
    abatement,
    linking,
    offsets,
    markets,
    taxes,
    ndc,
)

__all__ = ["CATALOGUE", "objective"]
