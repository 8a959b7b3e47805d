"""Coalition values from the model: what each group of countries saves by acting together.

Coalition S opens the scenario's links whose two markets both lie in S and the parts of joint
projects whose regions all lie in S (`coalition_inputs`); every other country acts alone
(cross-border links closed, its domestic links and the project parts on its own soil open:
the one definition of autarky). With every cost on
the national account (`results.costs`) and the prices that belong to each solve,

    c(S) = Σ_{i ∈ S} c_i(S),     v(S) = Σ_{i ∈ S} c_i(alone) − c(S),

with c_i(S) the present-value national cost of country i when S forms and c_i(alone) its
cost when every country is alone. Members trade only among themselves, so their payments
cancel in the sum and c(S) is the members' resource cost (`results.costs.resource_costs`):
no price is needed, and each coalition is solved without one. All 2^n coalitions re-solve
one persistent model; only link and build bounds change.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from abatelink.errors import SolveError
from abatelink.games.solutions import Game, coalition_label
from abatelink.inputs.scenario import Inputs, SolverOptions
from abatelink.model.build import Model
from abatelink.model.levers import set_openings
from abatelink.results.costs import cost_table, present_value, resource_costs
from abatelink.results.extract import Extract
from abatelink.solve.priced import Priced, solve
from abatelink.solve.session import Session


def coalition_inputs(model: Model, inputs: Inputs, members: frozenset[str]) -> Inputs:
    """The scenario's inputs with S = `members` acting together and everyone else alone.

    Open: links whose two markets lie in S, and links within one country. A project component
    may be built when the regions it physically needs act together (`model.levers.available`):
    a CCS unit or a Gobi site needs its own region only, so any region may build its own; a
    corridor needs every region it connects or crosses in S. Credits and costs of what S builds
    are shared among its members; a region outside keeps its own.
    """
    region = model.index.region_of_market

    def link_open(a: str, b: str) -> bool:
        return region[a] == region[b] or (region[a] in members and region[b] in members)

    return dataclasses.replace(
        inputs,
        open_links=frozenset(link for link in inputs.open_links if link_open(*link)),
        coalition=frozenset(members),
    )


def standalone_inputs(model: Model, inputs: Inputs) -> Inputs:
    """Every country alone: the openings of the empty coalition."""
    return coalition_inputs(model, inputs, frozenset())


def all_coalitions(players: Iterable[str]) -> list[frozenset[str]]:
    """Every coalition, the empty one first, by size."""
    players = tuple(players)
    return [
        frozenset(c) for n in range(len(players) + 1) for c in itertools.combinations(players, n)
    ]


def standalone_costs(
    model: Model, session: Session, inputs: Inputs, options: SolverOptions
) -> pd.Series:
    """c_i(alone): each country's present-value cost when every country acts alone."""
    alone = standalone_inputs(model, inputs)
    set_openings(model, alone)
    return _resource_costs(solve(session, alone, options, prices=False), "every country alone")


def regional_costs(priced: Priced, what: str) -> pd.Series:
    """Each region's present-value national cost in a priced solve that must be optimal."""
    _require_solution(priced.status, what)
    return present_value(cost_table(Extract(priced)), priced.model.index)


def _resource_costs(solved: Priced, what: str) -> pd.Series:
    """Each region's present-value resource cost in a solve that must be optimal."""
    _require_solution(solved.status, what)
    costs = resource_costs(Extract(solved))
    return present_value(costs, solved.model.index, "resource_cost_musd")


@dataclass(frozen=True)
class CoalitionValues:
    """Every coalition's cost and value, and each country's standalone cost c_i(alone).

    `table`: coalition, members, size, cost_musd, value_musd, project_mt (what joint projects
    avoid over the horizon, Mt, built by members or by others alone), status, seconds;
    `standalone`: c_i(alone) by region. Costs and values are present values in US$ million.
    """

    table: pd.DataFrame
    standalone: pd.Series


def coalition_values(
    model: Model, session: Session, inputs: Inputs, options: SolverOptions | None = None
) -> CoalitionValues:
    """v(S) for every coalition of the data set's regions, and the standalone costs."""
    options = options or SolverOptions()
    players = model.index.regions
    alone = standalone_costs(model, session, inputs, options)
    rows = []
    for members in all_coalitions(players):
        start = time.perf_counter()
        opened = coalition_inputs(model, inputs, members)
        set_openings(model, opened)
        priced = solve(session, opened, options, prices=False)
        costs = _resource_costs(priced, coalition_label(members, players))
        cost = sum(costs[i] for i in members)
        value = sum(alone[i] for i in members) - cost
        rows.append(
            (
                coalition_label(members, players),
                tuple(sorted(members)),
                len(members),
                cost,
                value,
                project_tonnes(priced),
                priced.status,
                time.perf_counter() - start,
            )
        )
    set_openings(model, inputs)
    frame = pd.DataFrame(
        rows,
        columns=[
            "coalition",
            "members",
            "size",
            "cost_musd",
            "value_musd",
            "project_mt",
            "status",
            "seconds",
        ],
    )
    return CoalitionValues(frame, alone)


def project_tonnes(solved: Priced) -> float:
    """Σ_{p,e,t} y_t·G[p,e,t]: Mt the joint projects avoid over the horizon."""
    generated = solved.session.values(solved.solution, solved.model.pyomo.generated_mt)
    if generated.empty:
        return 0.0
    years = solved.model.index.period_years
    periods = generated.index.get_level_values(-1)
    return float((generated.to_numpy() * periods.map(years).to_numpy(dtype=float)).sum())


def game_of(frame: pd.DataFrame, players: tuple[str, ...]) -> Game:
    """The savings game of a coalition table (v(∅) = 0 up to solver tolerance)."""
    values = {frozenset(m): v for m, v in zip(frame["members"], frame["value_musd"])}
    values[frozenset()] = 0.0
    return Game.from_mapping(players, values)


def _require_solution(status: str, what: str) -> None:
    if status not in ("optimal",):
        raise SolveError(
            f"coalition {what}: the solver returned {status}; coalition values "
            "need every coalition solved to optimality"
        )
