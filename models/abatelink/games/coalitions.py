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

`ModelValues` is v as a function for the game solvers that evaluate only some coalitions
(`games.sampling`, `games.generation`): it works out once what no coalition changes
(`levers.opening_plan`), writes only the parameters a coalition changes and sends HiGHS what
depends on them as arrays (`Session.push_parameters`), reads c_i(S) from the column values
(`member_costs`), and caches every value it computes.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from abatelink.errors import SolveError
from abatelink.games.member_costs import MemberCosts
from abatelink.games.solutions import Game, coalition_label
from abatelink.inputs.scenario import Inputs, SolverOptions
from abatelink.model.build import Model
from abatelink.model.levers import opening_plan, opening_values, set_openings
from abatelink.results.costs import cost_table, present_value, resource_costs
from abatelink.results.extract import Extract
from abatelink.solve.priced import Priced, solve
from abatelink.solve.session import Session, Solution


def coalition_inputs(model: Model, inputs: Inputs, members: frozenset[str]) -> Inputs:
    """The scenario's inputs with S = `members` acting together and everyone else alone.

    Open: links whose two markets lie in S, and links within one country. A project component
    may be built when the regions it physically needs act together (`model.levers.available`):
    a CCS unit or a Gobi site needs its own region only, so any region may build its own; a
    corridor needs every region it connects or crosses in S. Credits and costs of what S builds
    are shared among its members; a region outside keeps its own.
    """
    return _with_coalition(inputs, _link_regions(model, inputs), members)


LinkRegions = list[tuple[tuple[str, str], str, str]]


def _link_regions(model: Model, inputs: Inputs) -> LinkRegions:
    """Each of the scenario's open links with the regions of its two markets."""
    region = model.index.region_of_market
    return [(link, region[link[0]], region[link[1]]) for link in sorted(inputs.open_links)]


def _with_coalition(inputs: Inputs, links: LinkRegions, members: frozenset[str]) -> Inputs:
    """`coalition_inputs` from the open links' regions."""
    opened = frozenset(link for link, a, b in links if a == b or (a in members and b in members))
    return dataclasses.replace(inputs, open_links=opened, coalition=frozenset(members))


def standalone_inputs(model: Model, inputs: Inputs) -> Inputs:
    """Every country alone: the openings of the empty coalition."""
    return coalition_inputs(model, inputs, frozenset())


def all_coalitions(players: Iterable[str]) -> list[frozenset[str]]:
    """Every coalition, the empty one first, by size."""
    players = tuple(players)
    return [
        frozenset(c) for n in range(len(players) + 1) for c in itertools.combinations(players, n)
    ]


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
    """v(S) for every coalition of the data set's regions, and the standalone costs.

    A progress bar counts the coalitions on a terminal (tqdm; silent in a pipe or a file).
    """
    from tqdm import tqdm

    values = ModelValues(model, session, inputs, options)
    bar = tqdm(
        all_coalitions(values.players),
        unit="coalition",
        disable=None,
        leave=False,
        dynamic_ncols=True,
    )
    try:
        rows = [values.solve(members) for members in bar]
    finally:
        bar.close()
        values.restore()
    table = pd.DataFrame(rows, columns=list(Solved._fields)).drop(columns="solve_seconds")
    return CoalitionValues(table, values.standalone)


class Solved(NamedTuple):
    """One coalition solved: a row of `CoalitionValues.table`; `solve_seconds` is HiGHS's run
    alone, `seconds` the whole evaluation (openings, solve, costs)."""

    coalition: str
    members: tuple[str, ...]
    size: int
    cost_musd: float
    value_musd: float
    project_mt: float
    status: str
    seconds: float
    solve_seconds: float


class ModelValues:
    """v(S) of the model's savings game, solved one coalition at a time on `session`.

    Calling it with a coalition returns v(S), cached; `solved` holds every coalition evaluated
    (`Solved`), `evaluations` how many. It writes only what differs from the openings it wrote
    last, so nothing else may change the model's opening parameters while it is in use;
    `restore` sets the scenario's own openings back, which `coalition_values` does when done,
    and a caller using it directly does too.
    """

    def __init__(
        self,
        model: Model,
        session: Session,
        inputs: Inputs,
        options: SolverOptions | None = None,
    ) -> None:
        self.model, self.session, self.inputs = model, session, inputs
        self.options = options or SolverOptions()
        self.players = model.index.regions
        self.plan = opening_plan(model, inputs)
        self.parameters = {
            name: [getattr(model.pyomo, name)[key] for key in values]
            for name, values in opening_values(self.plan, inputs).items()
        }
        self._written = self._read_parameters()
        self.member_costs = MemberCosts(session)
        self.tonnes = _TonneWeights(session)
        self._links = _link_regions(model, inputs)
        self.offtake = "offtake" in inputs.credit_rules.values()
        self.solved: dict[frozenset[str], Solved] = {}
        self._alone = self._solve(frozenset(), "every country alone")[0]
        self.standalone = pd.Series(self._alone, index=self.players)

    @property
    def evaluations(self) -> int:
        """Coalitions solved so far (∅ included)."""
        return len(self.solved)

    @property
    def known(self) -> dict[frozenset[str], float]:
        """v(S) of every coalition solved so far."""
        return {members: solved.value_musd for members, solved in self.solved.items()}

    def __call__(self, members: frozenset[str]) -> float:
        """v(S) of `members` (cached)."""
        return self.solve(frozenset(members)).value_musd

    def solve(self, members: frozenset[str]) -> Solved:
        """Solve coalition `members` (or return it from the cache)."""
        if members not in self.solved:
            start = time.perf_counter()
            label = coalition_label(members, self.players)
            costs, tonnes, solution = self._solve(members, label)
            inside = [k for k, p in enumerate(self.players) if p in members]  # a fixed order
            cost = float(costs[inside].sum())
            value = float(self._alone[inside].sum()) - cost
            self.solved[members] = Solved(
                label,
                tuple(sorted(members)),
                len(members),
                cost,
                value,
                tonnes,
                solution.status,
                time.perf_counter() - start,
                solution.solve_seconds,
            )
        return self.solved[members]

    def restore(self) -> None:
        """Set the scenario's own openings back (pushed at the session's next solve)."""
        set_openings(self.model, self.inputs, self.plan)
        self._written = self._read_parameters()

    def _solve(self, members: frozenset[str], label: str) -> tuple[np.ndarray, float, Solution]:
        """Apply the coalition's openings, solve, and read each region's cost and the tonnes
        the projects avoid."""
        opened = self.apply(members)
        if self.offtake:  # shares iterated to a fixed point through the levers
            priced = solve(self.session, opened, self.options, prices=False)
        else:
            solution = self.session.solve(self.options, push=False)
            priced = Priced(self.session, opened, solution, solution, with_prices=False)
        _require_solution(priced.status, label)
        costs = self.member_costs(priced.solution)
        if costs is None:
            costs = _resource_costs(priced, label).reindex(self.players).to_numpy()
        if self.offtake:  # the search wrote credit shares of its own
            self._written = self._read_parameters()
        return costs, self.tonnes(priced.solution), priced.solution

    def apply(self, members: frozenset[str]) -> Inputs:
        """Write the parameters coalition `members` changes and push them to HiGHS (without
        solving); return the coalition's inputs."""
        opened = _with_coalition(self.inputs, self._links, members)
        changed = []
        for name, values in opening_values(self.plan, opened).items():
            new = np.fromiter(values.values(), dtype=float, count=len(values))
            written = self._written[name]
            data = self.parameters[name]
            for k in np.flatnonzero(new != written):
                data[k].set_value(float(new[k]))
                changed.append(data[k])
            self._written[name] = new
        self.session.push_parameters(changed)
        return opened

    def _read_parameters(self) -> dict[str, np.ndarray]:
        """The values the model's opening parameters hold now."""
        return {
            name: np.array([d.value for d in data], dtype=float)
            for name, data in self.parameters.items()
        }


def project_tonnes(solved: Priced) -> float:
    """Σ_{p,e,t} y_t·G[p,e,t]: Mt the joint projects avoid over the horizon."""
    return _TonneWeights(solved.session)(solved.solution)


class _TonneWeights:
    """The columns of G[p,e,t] and the years y_t each stands for (`project_tonnes`)."""

    def __init__(self, session: Session) -> None:
        keys, self.columns = session.columns(session.model.pyomo.generated_mt)
        years = session.model.index.period_years
        self.years = np.array([years[key[-1]] for key in keys], dtype=float)

    def __call__(self, solution: Solution) -> float:
        return float(solution.col_value[self.columns] @ self.years) if len(self.years) else 0.0


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
