"""Why a scenario has no answer: the commitments that conflict, and the least relaxation of
each kind that gives it one.

A commitment is a bound the scenario sets on a variable or a constraint (`COMMITMENTS`): caps,
NDC targets, import, export and offset limits, link capacities, banking and borrowing rules.
Project parts are built only where they help, so no project rule can leave a scenario
without an answer; the physical limits (MAC potentials, grid capacities) are never relaxed,
they are what the commitments conflict with.

Diagnosing works on copies of the session's HiGHS model, leaving the session untouched:

- for each kind of commitment alone, and then for all kinds together, HiGHS's
  `feasibilityRelaxation` finds the relaxation r ≥ 0 of least weighted size Σ w·r (w = 1 per
  Mt/yr; 1/y_t per Mt of a bank stock in a period of y_t years). A kind that alone makes the
  scenario feasible is a remedy, verified by solving the scenario with its bounds relaxed;
- HiGHS's irreducible infeasible subset (`getIis`) names a smallest set of bounds and rows
  that cannot hold together: the commitments among them and the physical limits they
  collide with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np
import pandas as pd
import pyomo.core as pyo

from abatelink.inputs.scenario import SolverOptions
from abatelink.model.build import Model
from abatelink.solve.session import STATUS_OF_HIGHS, Session

MIN_RELAXATION = 1e-6
VERIFY_MARGIN = 1e-7
IIS_SECONDS = 60.0
COLUMNS = ["remedy", "commitment", "market_or_region", "period", "relaxation_mt", "unit"]
_NOT_RELAXED = -1.0


@dataclass(frozen=True)
class Commitment:
    """One kind of commitment: the bound `side` of a column (variable) or row (constraint)."""

    name: str
    component: str
    on: Literal["column", "row"]
    side: Literal["upper", "lower"]
    stock: bool = False  # a bank stock in Mt, not a flow in Mt/yr


COMMITMENTS: tuple[Commitment, ...] = (
    Commitment("cap", "market_balance", "row", "upper"),
    Commitment("NDC target", "ndc_accounted_mt", "column", "upper"),
    Commitment("import limit", "imports_mt", "column", "upper"),
    Commitment("export limit", "exports_mt", "column", "upper"),
    Commitment("link capacity", "trade_mt", "column", "upper"),
    Commitment("offset limit", "offsets_mt", "column", "upper"),
    Commitment("international offset limit", "international_offsets_mt", "column", "upper"),
    Commitment("borrowing limit", "bank_mt", "column", "lower", stock=True),
    Commitment("banking ban", "bank_mt", "column", "upper", stock=True),
)


@dataclass(frozen=True)
class Elastic:
    """The bounds of one kind of commitment that may be relaxed: their keys, HiGHS indices,
    current bounds and weights."""

    commitment: Commitment
    keys: list
    index: np.ndarray
    bound: np.ndarray
    weight: np.ndarray


@dataclass(frozen=True)
class Diagnosis:
    """Remedies (`COLUMNS`: one kind alone, or all kinds together when no kind alone is
    enough), the conflicting bounds HiGHS's IIS names, and the status of the scenario."""

    table: pd.DataFrame
    conflict: list[str]
    status: str

    @property
    def lines(self) -> list[str]:
        """The diagnosis in plain words."""
        return describe(self.table, self.conflict, self.status)


def diagnose(model: Model, session: Session, options: SolverOptions | None = None) -> Diagnosis:
    """The remedies and the conflict of the scenario the session holds (see the module)."""
    session.push_changed_parameters()
    status = STATUS_OF_HIGHS.get(session.highs.getModelStatus())
    if status not in ("infeasible", "infeasible_or_unbounded"):
        return Diagnosis(pd.DataFrame(columns=COLUMNS), [], "optimal")
    elastic = [e for c in COMMITMENTS if len((e := _elastic(model, session, c)).index)]
    remedies = [r for e in elastic if (r := _remedy(session, [e], "alone")) is not None]
    remedies.sort(key=lambda frame: frame["relaxation_mt"].sum())
    if not remedies:
        together = _remedy(session, elastic, "all together")
        remedies = [] if together is None else [together]
    table = pd.concat(remedies, ignore_index=True) if remedies else pd.DataFrame(columns=COLUMNS)
    status = "optimal" if remedies else "no remedy"
    return Diagnosis(table, _conflict(model, session, elastic), status)


def _elastic(model: Model, session: Session, commitment: Commitment) -> Elastic:
    """The finite bounds of one kind of commitment, skipping a closed link (the scenario's
    choice, not a commitment) and the bank's last lower bound (a bank ≥ 0 at the end of the
    horizon is the accounting of a cap, not a rule a scenario sets)."""
    component = getattr(model.pyomo, commitment.component)
    keys, index = (session.columns if commitment.on == "column" else session.rows)(component)
    lp = session.highs.getLp()
    if commitment.on == "column":
        lower, upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    else:
        lower, upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    bound = (upper if commitment.side == "upper" else lower)[index]
    keep = np.isfinite(bound)
    if commitment.component == "trade_mt":
        keep &= bound > 0
    if commitment.component == "bank_mt" and commitment.side == "lower":
        keep &= np.array([k[-1] != model.index.periods[-1] for k in keys], dtype=bool)
    years = model.index.period_years
    weight = np.array([1.0 / years[k[-1]] if commitment.stock else 1.0 for k in keys])
    return Elastic(
        commitment,
        [k for k, kept in zip(keys, keep, strict=True) if kept],
        index[keep],
        bound[keep],
        weight[keep],
    )


def _remedy(session: Session, elastic: list[Elastic], remedy: str) -> pd.DataFrame | None:
    """The least relaxation of these bounds (a table) if it makes the scenario feasible."""
    highs = _copy(session)
    penalties = _penalties(highs, elastic)
    highs.feasibilityRelaxation(_NOT_RELAXED, _NOT_RELAXED, _NOT_RELAXED, *penalties)
    solution = highs.getSolution()
    if not solution.value_valid:
        return None
    amounts = [_amounts(e, solution) for e in elastic]
    if not _feasible_when_relaxed(session, elastic, amounts):
        return None
    rows = [
        (remedy, e.commitment.name, _scope(key), key[-1], amount, _unit(e.commitment))
        for e, values in zip(elastic, amounts, strict=True)
        for key, amount in zip(e.keys, values, strict=True)
        if amount > MIN_RELAXATION
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["commitment", "period", "market_or_region"], ignore_index=True)


def _copy(session: Session) -> highspy.Highs:
    """A new HiGHS holding the session's model and options, so the session is untouched."""
    highs = highspy.Highs()
    highs.passOptions(session.highs.getOptions())
    highs.setOptionValue("output_flag", False)
    highs.passModel(session.highs.getModel())
    return highs


def _penalties(highs: highspy.Highs, elastic: list[Elastic]) -> tuple[np.ndarray, ...]:
    """Local penalties (lower, upper, row) of `feasibilityRelaxation`: each relaxable bound
    its weight, every other bound −1 (never relaxed)."""
    lower = np.full(highs.getNumCol(), _NOT_RELAXED)
    upper = np.full(highs.getNumCol(), _NOT_RELAXED)
    rows = np.full(highs.getNumRow(), _NOT_RELAXED)
    for e in elastic:
        c = e.commitment
        target = rows if c.on == "row" else (upper if c.side == "upper" else lower)
        target[e.index] = e.weight
    return lower, upper, rows


def _amounts(elastic: Elastic, solution) -> np.ndarray:
    """How far the relaxed solution goes past each bound (0 where it keeps it)."""
    values = solution.col_value if elastic.commitment.on == "column" else solution.row_value
    values = np.asarray(values)[elastic.index]
    past = values - elastic.bound if elastic.commitment.side == "upper" else elastic.bound - values
    return np.maximum(past, 0.0)


def _feasible_when_relaxed(
    session: Session, elastic: list[Elastic], amounts: list[np.ndarray]
) -> bool:
    """Does the scenario solve once each bound is moved by its relaxation (and a hair)?"""
    highs = _copy(session)
    lp = highs.getLp()
    for e, amount in zip(elastic, amounts, strict=True):
        c = e.commitment
        sign = 1.0 if c.side == "upper" else -1.0
        moved = e.bound + sign * (amount + VERIFY_MARGIN * (1 + np.abs(e.bound)))
        if c.on == "column":
            lower, upper = np.asarray(lp.col_lower_)[e.index], np.asarray(lp.col_upper_)[e.index]
            lower, upper = (lower, moved) if c.side == "upper" else (moved, upper)
            highs.changeColsBounds(len(e.index), e.index.astype(np.int32), lower, upper)
        else:
            lower, upper = np.asarray(lp.row_lower_)[e.index], np.asarray(lp.row_upper_)[e.index]
            lower, upper = (lower, moved) if c.side == "upper" else (moved, upper)
            for row, lo, up in zip(e.index, lower, upper, strict=True):
                highs.changeRowBounds(int(row), float(lo), float(up))
    highs.run()
    return STATUS_OF_HIGHS.get(highs.getModelStatus()) in ("optimal", "solution_limit")


def _conflict(model: Model, session: Session, elastic: list[Elastic]) -> list[str]:
    """The limits in HiGHS's irreducible infeasible subset, in words (empty if it found
    none): commitments, abatement potentials, closed links and other upper bounds. The
    accounting rows and the non-negativity of flows that complete the subset are left out."""
    highs = _copy(session)
    highs.setOptionValue("iis_strategy", _IIS_STRATEGY)
    highs.setOptionValue("iis_time_limit", IIS_SECONDS)
    status, iis = highs.getIis()
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return []
    names = _Names(model, session, elastic)
    lp = highs.getLp()
    found = [
        names.column(int(col), int(side), lp.col_lower_[col])
        for col, side in zip(iis.col_index_, iis.col_bound_, strict=True)
    ]
    found += [
        names.row(int(row), lp.row_lower_[row] == lp.row_upper_[row]) for row in iis.row_index_
    ]
    return list(dict.fromkeys(name for name in found if name))


_IIS_STRATEGY = (
    int(highspy.IisStrategy.kIisStrategyFromLp)  # an elastic LP first, then
    | int(highspy.IisStrategy.kIisStrategyIrreducible)  # a true (irreducible) subset,
    | int(highspy.IisStrategy.kIisStrategyRelaxation)  # of a MIP's relaxation
)
_UPPER = (
    int(highspy.IisBoundStatus.kIisBoundStatusUpper),
    int(highspy.IisBoundStatus.kIisBoundStatusBoxed),
)


class _Names:
    """Plain names of the bounds and rows an IIS holds: commitments by kind and scope, MAC
    steps and pool bounds as abatement potentials, closed links; None for what only completes
    the subset (equality rows, a flow's lower bound of 0)."""

    def __init__(self, model: Model, session: Session, elastic: list[Elastic]) -> None:
        self.columns: dict[int, str] = {}
        self.rows: dict[int, str] = {}
        self.commitments: dict[tuple[str, int], str] = {}
        for var in model.pyomo.component_objects(pyo.Var):
            keys, cols = session.columns(var)
            self.columns.update(zip(cols.tolist(), (_named(var.name, k) for k in keys)))
        for con in model.pyomo.component_objects(pyo.Constraint):
            keys, rows = session.rows(con)
            self.rows.update(zip(rows.tolist(), (_named(con.name, k) for k in keys)))
        for array in model.arrays:
            keys, cols = session.columns(array)
            self.columns.update(zip(cols.tolist(), (_named(array.name, k) for k in keys)))
            keys, rows = session.rows(array.rows)
            self.rows.update(zip(rows.tolist(), (_named(array.rows.name, k) for k in keys)))
        for e in elastic:
            for key, at in zip(e.keys, e.index.tolist(), strict=True):
                where = (e.commitment.on, at, e.commitment.side)
                self.commitments[where] = f"the {e.commitment.name} of {_scope(key)} in {key[-1]}"
        pools = model.index.pools
        _, pool_columns = session.columns(model.pyomo.pool_abatement_mt)
        for at, pool in zip(pool_columns.tolist(), range(len(pools))):
            self.columns[at] = _potential(pools.iloc[pool])
        steps = zip(session.step_columns.tolist(), model.steps.pool.tolist(), strict=True)
        self.columns.update((at, _potential(pools.iloc[pool])) for at, pool in steps)

    def column(self, col: int, side: int, lower: float) -> str | None:
        upper = side in _UPPER
        named = self.commitments.get(("column", col, "upper" if upper else "lower"))
        if named is not None:
            return named
        if not upper and lower == 0.0:
            return None
        return self.columns.get(col, f"column {col}")

    def row(self, row: int, equality: bool) -> str | None:
        named = self.commitments.get(("row", row, "upper"))
        if named is not None or equality:
            return named
        return self.rows.get(row)


_PHRASES = {
    "trade_mt": "the link {0}->{1} in {2} (closed or at capacity)",
    "ceiling_sales_mt": "the price ceiling of {0} in {1} (none, or its volume)",
    "ccs_new_build": "CCS unit {0} in {1} (not open to build, or built once)",
    "site_gw": "Gobi site {0} in {1} (its build limit)",
    "corridor_modules": "corridor {0} in {1} (its build limit)",
    "corridor_capacity": "the capacity of corridor {0} in {1}",
    "grid_absorption": "what grid {0} absorbs in {1}",
    "offer_mt": "the offer of {0} credits from {1} to {2} in {3}",
    "project_credits_mt": "the project credits {0} accepts in {1}",
}


def _named(component: str, key) -> str:
    """A Pyomo component and key in words where it is a known limit, else `name[key]`."""
    keys = key if isinstance(key, tuple) else (key,)
    if component in _PHRASES:
        return _PHRASES[component].format(*keys)
    return f"{component}[{', '.join(map(str, keys))}]"


def _potential(pool: pd.Series) -> str:
    where = pool["market"] if isinstance(pool["market"], str) else pool["region"]
    return f"the abatement potential (MAC steps) in {where} in {pool['period']}"


def _scope(key: tuple) -> str:
    """The market or region of a key (market, t), (region, t); a link's ends."""
    return "->".join(map(str, key[:-1]))


def _unit(commitment: Commitment) -> str:
    return "Mt" if commitment.stock else "Mt/yr"


def describe(frame: pd.DataFrame, conflict: list[str], status: str) -> list[str]:
    """The diagnosis in plain words: each remedy, then the conflicting commitments."""
    if status == "optimal" and frame.empty:
        return ["no commitment needs relaxing: the scenario is feasible as it stands"]
    lines = []
    if frame.empty:
        lines.append(
            "no relaxation of caps, NDC targets, transfer, offset or banking limits makes the "
            "scenario feasible: look for data no relaxation reaches (MAC steps, price "
            "controls, baselines)"
        )
    alone = frame[frame["remedy"] == "alone"]
    for commitment, rows in alone.groupby("commitment", sort=False):
        lines.append(f"{_relaxed(commitment, rows)} is enough")
    if len(alone["commitment"].unique()) > 1:
        lines.append("any one of the relaxations above is enough; the first is the smallest")
    together = frame[frame["remedy"] != "alone"]
    if len(together):
        parts = ", ".join(
            _relaxed(c, rows) for c, rows in together.groupby("commitment", sort=False)
        )
        lines.append(f"no one kind of commitment is enough alone; together: {parts}")
    if conflict:
        lines.append("in conflict (HiGHS's irreducible infeasible subset): " + ", ".join(conflict))
    return lines


def _relaxed(commitment: str, rows: pd.DataFrame) -> str:
    """ "relaxing the cap of MA in 2020 by 10.000 Mt/yr (and of …)"."""
    parts = [
        f"of {row.market_or_region} in {row.period} by {row.relaxation_mt:,.3f} {row.unit}"
        for row in rows.itertuples(index=False)
    ]
    return f"relaxing the {commitment} " + " and ".join(parts)
