"""Allocating what countries save together: `abatelink share`.

A game solution (Shapley value, nucleolus, least core) allocates the grand coalition's saving
v(N); it is carried out with side payments between countries, because re-assigning credits
moves where tonnes are accounted and can change the optimum itself. Without one, each country
keeps what it saves in the grand coalition under the scenario's credit rules (host, equal,
investment, offtake, fixed). Either way the allocation is checked against the core: no group
of countries should save more on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from abatelink.errors import InputError
from abatelink.games.coalitions import coalition_values, game_of, regional_costs
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
    game: Game


def allocate(scenario: Scenario, solution: str | None) -> Allocation:
    """Coalition values of `scenario` and the allocation of the grand coalition's saving by
    `solution` (a name in `SOLUTIONS`), or by the scenario's credit rules when None."""
    dataset = scenario_dataset(scenario)
    inputs = scenario_inputs(scenario, dataset)
    model = build(dataset, scenario_periods(scenario, dataset))
    set_inputs(model, inputs)
    return allocate_on(model, Session(model), inputs, scenario.solver, solution)


def allocate_on(
    model: Model,
    session: Session,
    inputs: Inputs,
    options: SolverOptions,
    solution: str | None,
) -> Allocation:
    """`allocate` on a built model: coalitions re-solve its persistent session in place."""
    values = coalition_values(model, session, inputs, options)
    frame, alone = values.table, values.standalone
    game = game_of(frame, model.index.regions)
    grand = grand_costs(model, session, inputs, options)
    allocated = (
        SOLUTIONS[solution](game)
        if solution is not None
        else {r: alone[r] - grand[r] for r in game.players}
    )
    table = allocation_table(alone, grand, allocated, side_payments=solution is not None)
    core = core_check(game, allocated)
    rules = {p: r for p, r in inputs.credit_rules.items() if p in inputs.open_projects}
    return Allocation(solution, rules, frame, table, core, game)


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
