"""Allocating what countries save together: `abatelink share`.

A game solution (Shapley value, nucleolus, least core) allocates the grand coalition's saving
v(N); it is carried out with side payments between countries, because re-assigning credits
moves where tonnes are accounted and can change the optimum itself. Without one, each country
keeps what it saves in the grand coalition under the scenario's credit rules (host, equal,
investment, offtake, fixed). Either way the allocation is checked against the core: no group
of countries should save more on its own.

Up to `ENUMERATION_LIMIT` players every coalition is solved (`method="enumerate"`); beyond it
(or with `method="generate"`) only the coalitions the solution needs are: the Shapley value by
sampled orders to a standard error (`sampling`), the least core and nucleolus by constraint
generation (`generation`; the least core with the membership MILP as exact oracle where the
game allows it, `membership`). The coalitions table then lists the coalitions evaluated, and
the core check looks at those, with the oracle's bound on every other excess where it has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from abatelink.errors import InputError
from abatelink.games.coalitions import (
    ModelValues,
    coalition_values,
    game_of,
    regional_costs,
)
from abatelink.games.generation import (
    Generated,
    Separation,
    least_core_by_generation,
    nucleolus_by_generation,
)
from abatelink.games.membership import MembershipMILP
from abatelink.games.sampling import shapley_by_sampling
from abatelink.games.solutions import (
    CoreCheck,
    Game,
    GameError,
    coalition_label,
    core_check,
    least_core,
    nucleolus,
    shapley,
)
from abatelink.inputs.game_table import read_game_table
from abatelink.inputs.scenario import (
    Inputs,
    Scenario,
    SolverOptions,
    scenario_dataset,
    scenario_inputs,
    scenario_periods,
)
from abatelink.model.build import Model, build
from abatelink.model.levers import set_inputs
from abatelink.solve.priced import solve
from abatelink.solve.session import Session

SOLUTIONS: dict[str, Callable[[Game], dict[str, float]]] = {
    "shapley": shapley,
    "nucleolus": nucleolus,
    "least-core": lambda game: least_core(game).allocation,
}
ENUMERATION_LIMIT = 12  # players: 2^12 = 4,096 coalitions, a few seconds on the fast path
Method = Literal["auto", "enumerate", "generate"]
# Default tolerances without enumeration: the Shapley value's largest standard error as a
# share of the mean saving v(N)/n; the least core's and nucleolus's excesses relative to max |v|.
TOLERANCE = {"shapley": 0.05, "least-core": 1e-6, "nucleolus": 1e-6}


@dataclass
class Allocation:
    """Coalition values, the allocation by country and its core check.

    `solution` is the game solution carried out by side payments, or None: each country keeps
    what it saves under the scenario's credit rules (`credit_rules`, by open project).
    """

    solution: str | None
    credit_rules: dict[str, str]
    coalitions: pd.DataFrame
    table: pd.DataFrame
    core: CoreCheck
    game: Game | None  # None without enumeration
    method: str = "enumerate"  # or what solved the game without it (`solve_without_enumeration`)


def allocate(
    scenario: Scenario,
    solution: str | None,
    method: Method = "auto",
    tolerance: float | None = None,
) -> Allocation:
    """Coalition values of `scenario` and the allocation of the grand coalition's saving by
    `solution` (a name in `SOLUTIONS`), or by the scenario's credit rules when None.
    `method` and `tolerance` as `allocate_on`."""
    dataset = scenario_dataset(scenario)
    inputs = scenario_inputs(scenario, dataset)
    model = build(dataset, scenario_periods(scenario, dataset))
    set_inputs(model, inputs)
    return allocate_on(model, Session(model), inputs, scenario.solver, solution, method, tolerance)


def allocate_on(
    model: Model,
    session: Session,
    inputs: Inputs,
    options: SolverOptions,
    solution: str | None,
    method: Method = "auto",
    tolerance: float | None = None,
) -> Allocation:
    """`allocate` on a built model: coalitions re-solve its persistent session in place.

    `method`: "enumerate" solves all 2^n coalitions; "generate" solves a game solution without
    them (`solve_without_enumeration`, to `tolerance`, else `TOLERANCE`); "auto" enumerates
    up to `ENUMERATION_LIMIT` players. Credit rules (`solution` None) always enumerate.
    """
    players = model.index.regions
    generate = method == "generate" or (method == "auto" and len(players) > ENUMERATION_LIMIT)
    if generate and solution is not None:
        return _allocate_generated(model, session, inputs, options, solution, tolerance)
    values = coalition_values(model, session, inputs, options)
    frame, alone = values.table, values.standalone
    game = game_of(frame, players)
    grand = grand_costs(model, session, inputs, options)
    allocated = (
        SOLUTIONS[solution](game)
        if solution is not None
        else {r: alone[r] - grand[r] for r in game.players}
    )
    table = allocation_table(alone, grand, allocated, side_payments=solution is not None)
    core = core_check(game, allocated)
    return Allocation(solution, _rules(inputs), frame, table, core, game)


@dataclass(frozen=True)
class WithoutEnumeration:
    """A game solution found from some coalitions only, and how far to trust it.

    `method` says which solver and oracle, `tolerance` the absolute tolerance reached (the
    Shapley value's largest standard error, or the excess tolerance), `excess_bound` an exact
    oracle's bound on every excess (None without one) and `certified` whether it is within
    the tolerance of ε (None for the Shapley value).
    """

    allocation: dict[str, float]
    method: str
    tolerance: float
    converged: bool
    certified: bool | None
    excess_bound: float | None


def solve_without_enumeration(
    values: ModelValues, solution: str, tolerance: float | None = None, seed: int = 0
) -> WithoutEnumeration:
    """`solution` of the game of `values` from the coalitions it needs (module docstring);
    `tolerance` relative as in `TOLERANCE` (its default)."""
    players, relative = values.players, TOLERANCE[solution] if tolerance is None else tolerance
    if solution == "shapley":
        grand = values(frozenset(players))
        se = relative * max(abs(grand), 1.0) / len(players)
        sample = shapley_by_sampling(players, values, se, seed=seed)
        method = f"sampled Shapley ({sample.n_permutations} orders)"
        return WithoutEnumeration(sample.value, method, se, sample.converged, None, None)
    if solution == "least-core":
        oracle = _separation(values)
        found = least_core_by_generation(
            players, values, tolerance=relative, oracle=oracle, seed=seed, known=values.known
        )
    else:
        found = nucleolus_by_generation(
            players, values, tolerance=relative, seed=seed, known=values.known
        )
    return _generated(found)


def _generated(found: Generated) -> WithoutEnumeration:
    method = f"constraint generation ({found.oracle} oracle, {found.n_lps} LPs)"
    return WithoutEnumeration(
        found.allocation,
        method,
        found.tolerance,
        True,
        found.certified,
        found.excess_bound,
    )


def _separation(values: ModelValues) -> Separation | Literal["local"]:
    """The membership MILP where the game allows it (links only), else the local search."""
    try:
        return MembershipMILP(values)
    except GameError:
        return "local"


def _allocate_generated(
    model: Model,
    session: Session,
    inputs: Inputs,
    options: SolverOptions,
    solution: str,
    tolerance: float | None,
) -> Allocation:
    """`allocate_on` without enumeration: the coalitions evaluated, their core check."""
    values = ModelValues(model, session, inputs, options)
    try:
        found = solve_without_enumeration(values, solution, tolerance)
    finally:
        values.restore()
    frame = pd.DataFrame(list(values.solved.values())).drop(columns="solve_seconds")
    grand = grand_costs(model, session, inputs, options)
    table = allocation_table(values.standalone, grand, found.allocation, side_payments=True)
    core = _evaluated_core_check(values, found)
    return Allocation(solution, _rules(inputs), frame, table, core, None, found.method)


def _evaluated_core_check(values: ModelValues, found: WithoutEnumeration) -> CoreCheck:
    """The core check (`solutions.core_check`) over the coalitions evaluated. In the core only
    when an exact oracle also bounds every other excess by the tolerance; the message says
    which coalitions it looked at."""
    players, x = values.players, found.allocation
    known = values.known
    scale = max(1.0, max(abs(v) for v in known.values()))
    tol = 1e-9 * scale
    total, grand = sum(x.values()), known[frozenset(players)]
    excess = {m: v - sum(x[p] for p in m) for m, v in known.items() if 0 < len(m) < len(players)}
    worst = max(excess, key=lambda m: (excess[m], -len(m)))
    efficient = abs(total - grand) <= tol
    # an exact oracle's bound holds to the tolerance generation ran to
    bounded = found.excess_bound is not None and found.excess_bound <= max(tol, found.tolerance)
    label = coalition_label(worst, players)
    if excess[worst] > tol:
        verdict = f"Coalition {label} would walk away (excess {excess[worst]:.6g})."
    else:
        verdict = f"No evaluated coalition would walk away; the closest is {label}."
    others = (
        f"{found.method} bounds every excess by {found.excess_bound:.6g}"
        if found.excess_bound is not None
        else f"the other {2 ** len(players) - len(known):.4g} were not evaluated"
    )
    message = (
        f"{verdict} Shares sum to {total:.6g} of v(N) = {grand:.6g}. Checked over the "
        f"{len(excess)} coalitions evaluated; {others}."
    )
    in_core = efficient and bounded  # the bound covers the evaluated coalitions too
    return CoreCheck(in_core, efficient, worst, excess[worst], message)


def _rules(inputs: Inputs) -> dict[str, str]:
    return {p: r for p, r in inputs.credit_rules.items() if p in inputs.open_projects}


def allocate_table(path: Path, solution: str) -> Allocation:
    """The allocation of a game given as a table of coalition values (`inputs.game_table`) by
    `solution`, with its core check: what `allocate` writes, without the model's costs."""
    players, values = read_game_table(path)
    try:
        game = Game.from_mapping(players, values)
    except GameError as err:
        raise InputError(path, str(err)) from None
    allocated = SOLUTIONS[solution](game)
    coalitions = pd.DataFrame(
        [
            (coalition_label(s, players), tuple(sorted(s)), len(s), v)
            for s, v in sorted(game.values.items(), key=lambda item: len(item[0]))
        ],
        columns=["coalition", "members", "size", "value_musd"],
    )
    table = pd.DataFrame({"allocated_saving_musd": pd.Series(allocated)})
    total = table["allocated_saving_musd"].sum()
    table["share_of_saving"] = table["allocated_saving_musd"] / total if total else 0.0
    table = table.rename_axis("region").reset_index()
    return Allocation(solution, {}, coalitions, table, core_check(game, allocated), game)


def grand_costs(
    model: Model, session: Session, inputs: Inputs, options: SolverOptions
) -> pd.Series:
    """Each country's present-value cost when all act together (no side payments)."""
    set_inputs(model, inputs)
    return regional_costs(solve(session, inputs, options), "the grand coalition")


def allocation_table(
    alone: pd.Series, grand: pd.Series, allocated: dict[str, float], side_payments: bool
) -> pd.DataFrame:
    """Per country: standalone and grand-coalition cost, allocated saving, side payment.

    final cost = standalone cost − allocated saving = grand cost − side payment received.
    """
    frame = pd.DataFrame({"standalone_cost_musd": alone, "grand_coalition_cost_musd": grand})
    frame["allocated_saving_musd"] = pd.Series(allocated)
    total = frame["allocated_saving_musd"].sum()
    frame["share_of_saving"] = frame["allocated_saving_musd"] / total if total else 0.0
    own_saving = frame["standalone_cost_musd"] - frame["grand_coalition_cost_musd"]
    frame["side_payment_received_musd"] = (
        frame["allocated_saving_musd"] - own_saving if side_payments else 0.0
    )
    frame["final_cost_musd"] = frame["standalone_cost_musd"] - frame["allocated_saving_musd"]
    return frame.rename_axis("region").reset_index()


def write_allocation(result: Allocation, folder: Path) -> Path:
    """Write coalitions.csv and allocation.csv into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    coalitions = result.coalitions.drop(columns=["members"])
    coalitions.to_csv(folder / "coalitions.csv", index=False)
    allocation = result.table.assign(
        game_solution=result.solution or "",
        credit_rules=credit_rules_text(result.credit_rules),
        in_core=result.core.in_core,
        core_message=result.core.message,
    )
    allocation.to_csv(folder / "allocation.csv", index=False)
    return folder


def credit_rules_text(rules: dict[str, str]) -> str:
    """The projects' credit rules in a word: `host` when all share one, else `p=rule;…`."""
    if len(set(rules.values())) <= 1:
        return next(iter(rules.values()), "")
    return ";".join(f"{project}={rule}" for project, rule in sorted(rules.items()))
