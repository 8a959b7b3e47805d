"""Games to test and time the game solvers on: random cost games and a data set of provinces.

- `concave_cost_game`: c(S) = Σ_k (Σ_{i∈S} w_ik)^α_k, a sum of concave functions of additive
  weights, is submodular; its savings game v(S) = Σ_{i∈S} c({i}) - c(S) is supermodular
  (convex): the core is non-empty and holds the Shapley value.
- `bin_cost_game`: c(S) = ⌈Σ_{i∈S} w_i⌉ + β·√(Σ_{i∈S} w_i), bins of unit size plus a concave
  term, is subadditive (c(S ∪ T) <= c(S) + c(T)) but not submodular: savings are
  superadditive, and the core is often empty.
- `provinces`: n regions, one ETS market each, every pair linked both ways; each emitter has
  MAC steps of 1 Mt at costs rising with a random slope, and a random cap below its baseline.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np

from abatelink.games.coalitions import ModelValues
from abatelink.games.solutions import Game
from abatelink.validation.datasets import merge, one_market, write_dataset


def _coalitions(players: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [c for k in range(1, len(players) + 1) for c in itertools.combinations(players, k)]


def concave_cost_game(n: int, seed: int) -> Game:
    """A random submodular cost game of n players, as its (supermodular) savings game."""
    rng = np.random.default_rng(seed)
    players = tuple(f"p{i}" for i in range(n))
    weights = rng.uniform(0.5, 5.0, size=(3, n))
    powers = rng.uniform(0.3, 0.9, size=3)
    index = {p: i for i, p in enumerate(players)}

    def cost(members: tuple[str, ...]) -> float:
        sums = weights[:, [index[p] for p in members]].sum(axis=1)
        return float((sums**powers).sum())

    return Game.from_mapping(players, {c: cost(c) for c in _coalitions(players)}, kind="costs")


def bin_cost_game(n: int, seed: int, beta: float = 0.1) -> Game:
    """A random subadditive bin cost game of n players, as its savings game."""
    rng = np.random.default_rng(seed)
    players = tuple(f"p{i}" for i in range(n))
    weight = dict(zip(players, rng.uniform(0.2, 0.8, size=n), strict=True))

    def cost(members: tuple[str, ...]) -> float:
        total = sum(weight[p] for p in members)
        return math.ceil(total - 1e-12) + beta * math.sqrt(total)

    return Game.from_mapping(players, {c: cost(c) for c in _coalitions(players)}, kind="costs")


def provinces(
    folder: Path,
    n: int,
    seed: int = 0,
    steps: int = 40,
    transaction_cost: float = 0.2,
    period: int = 2030,
) -> Path:
    """Write a data set of n provinces P00.. (module docstring) into `folder`: baseline 100 Mt,
    `steps` steps of 1 Mt costing slope·(k + ½) US$/t (slope uniform in [0.5, 4]), a cap 5 to
    30 Mt below the baseline, links both ways between every pair at `transaction_cost`."""
    rng = np.random.default_rng(seed)
    names = [f"P{i:02d}" for i in range(n)]
    slopes, cuts = rng.uniform(0.5, 4.0, n), rng.uniform(5, 30, n).round(2)
    parts = [
        one_market(
            name,
            name,
            100.0,
            {period: 100.0 - cut},
            ([1.0] * steps, [round(slope * (k + 0.5), 3) for k in range(steps)]),
        )
        for name, slope, cut in zip(names, slopes, cuts, strict=True)
    ]
    links = [
        {
            "from_market": a,
            "to_market": b,
            "period": period,
            "max_volume_mt": None,
            "transaction_cost_usd_per_t": transaction_cost,
        }
        for a in names
        for b in names
        if a != b
    ]
    return write_dataset(folder, periods=[period], regions=names, **merge(*parts, {"links": links}))


def province_values(folder: Path, n: int, seed: int = 0) -> ModelValues:
    """The value function of the `provinces` game (all links open) on a freshly built model,
    its data set written into `folder`."""
    from abatelink.inputs.scenario import Scenario, scenario_dataset, scenario_inputs
    from abatelink.model.build import build
    from abatelink.model.levers import set_inputs
    from abatelink.solve.session import Session

    scenario = Scenario(name="provinces", dataset=str(provinces(folder, n, seed=seed)), links="all")
    dataset = scenario_dataset(scenario)
    inputs = scenario_inputs(scenario, dataset)
    model = build(dataset)
    set_inputs(model, inputs)
    return ModelValues(model, Session(model), inputs)
