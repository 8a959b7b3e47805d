"""Credit rules, chosen by name: each returns a project's credit shares by region.

| rule       | credits go to                                                       |
|------------|---------------------------------------------------------------------|
| host       | the region where the reduction happens (each keeps its own)         |
| equal      | the participants, equally                                           |
| investment | the participants, by their shares of the capex (`investment_share`) |
| offtake    | supergrid: the regions, by their shares of the delivered energy     |
| fixed      | the participants, by shares given in the scenario or the data       |

Cost shares follow credit shares unless given (scenario `cost_shares` or `cost_share` column).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from abatelink.errors import InputError

Shares = dict[str, float]


def host(participants: pd.DataFrame, **_: object) -> Shares:
    """No pooled shares: each region keeps what it generates (π_p = 0)."""
    return {}


def equal(participants: pd.DataFrame, **_: object) -> Shares:
    regions = list(participants["region"])
    return {r: 1.0 / len(regions) for r in regions}


def investment(participants: pd.DataFrame, **_: object) -> Shares:
    return _column(participants, "investment_share")


def offtake(
    participants: pd.DataFrame, delivered: Mapping[str, float] | None = None, **_: object
) -> Shares:
    """s_r = E_r / Σ_r' E_r', E the energy delivered over the horizon; with nothing delivered
    (or before any solve), equal among the participants. The solve makes s a fixed point: the
    shares of what the solve under them delivers (`solve.offtake`)."""
    total = sum(delivered.values()) if delivered else 0.0
    if total <= 0:
        return equal(participants)
    return {r: e / total for r, e in delivered.items()}


def fixed(
    participants: pd.DataFrame, given: Mapping[str, float] | None = None, **_: object
) -> Shares:
    return dict(given) if given else _column(participants, "credit_share")


def _column(participants: pd.DataFrame, column: str) -> Shares:
    values = participants[column].to_numpy(dtype=float)
    if np.isnan(values).any():
        raise KeyError(column)
    return dict(zip(participants["region"].tolist(), values.tolist(), strict=True))


RULES: dict[str, Callable[..., Shares]] = {
    "host": host,
    "equal": equal,
    "investment": investment,
    "offtake": offtake,
    "fixed": fixed,
}


def credit_shares(
    rule: str,
    project: str,
    kind: str,
    participants: pd.DataFrame,
    source: str,
    given: Mapping[str, float] | None = None,
    delivered: Mapping[str, float] | None = None,
) -> Shares:
    """A project's credit shares under `rule`; errors name `source` (the scenario file)."""
    if rule == "offtake" and kind != "supergrid":
        raise InputError(
            source,
            f"the offtake rule needs a supergrid project; {project} is {kind}",
            key="project_credit_rules",
        )
    try:
        shares = RULES[rule](participants, given=given, delivered=delivered)
    except KeyError as missing:
        raise InputError(
            source,
            f"rule {rule!r} needs {missing.args[0]} for every participant "
            f"of {project} (participants.csv or the scenario's credit_shares)",
            key="credit_rule",
        ) from None
    unknown = set(shares) - set(participants["region"]) if rule != "offtake" else set()
    if unknown:
        raise InputError(
            source,
            f"{sorted(unknown)[0]} is not a participant of {project} "
            f"(participants: {', '.join(participants['region'])})",
            key=f"credit_shares.{project}",
        )
    if not all(math.isfinite(s) and s >= 0 for s in shares.values()):
        raise InputError(
            source,
            f"the credit shares of {project} must be numbers ≥ 0, found {shares}",
            key=f"credit_shares.{project}",
        )
    if shares and abs(sum(shares.values()) - 1.0) > 1e-6:
        raise InputError(
            source,
            f"the credit shares of {project} add up to {sum(shares.values()):g}; expected 1",
            key=f"credit_shares.{project}",
        )
    return shares


def check_credit_shares(inputs) -> None:
    """Each project's credit shares under its rule, as a run computes them; `InputError` if bad."""
    ds = inputs.dataset
    for project, kind in ds.projects[["project", "kind"]].itertuples(index=False):
        credit_shares(
            inputs.credit_rules.get(project, "host"),
            project,
            kind,
            ds.participants[ds.participants["project"] == project],
            inputs.source,
            given=inputs.credit_shares.get(project),
        )
