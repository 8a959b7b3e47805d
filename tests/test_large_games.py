"""Game solutions without enumeration, checked against enumeration on games small enough for it.

Generated games (`games.synthetic`): submodular cost games (supermodular savings, non-empty
core) and subadditive bin cost games (often an empty core), 4 to 8 players; model games: the
savings game of linked provinces, whose every coalition the model solves. The references are
`solutions.shapley`, `least_core` and `nucleolus` over all 2^n coalitions.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from abatelink.games.allocation import allocate
from abatelink.games.coalitions import ModelValues, coalition_values, game_of
from abatelink.games.generation import least_core_by_generation, nucleolus_by_generation
from abatelink.games.membership import MembershipMILP
from abatelink.games.sampling import shapley_by_sampling
from abatelink.games.solutions import Game, GameError, least_core, nucleolus, shapley
from abatelink.inputs.scenario import Scenario
from abatelink.validation.synthetic_games import (
    bin_cost_game,
    concave_cost_game,
    province_values,
    provinces,
)

TOL = 1e-6
FAMILIES = {"concave": concave_cost_game, "bins": bin_cost_game}
CASES = [(family, n, seed) for family in FAMILIES for n in (4, 6, 8) for seed in (0, 1)]


def generated(family: str, n: int, seed: int) -> Game:
    return FAMILIES[family](n, seed)


def excesses(game: Game, allocation: dict[str, float]) -> np.ndarray:
    """e(S, x) of every proper coalition, by enumeration."""
    n = len(game.players)
    return np.array(
        [
            value - sum(allocation[p] for p in members)
            for members, value in game.values.items()
            if 0 < len(members) < n
        ]
    )


def assert_in_least_core(game: Game, allocation: dict[str, float], tol: float) -> None:
    """Efficient, and no proper coalition's excess above the enumerated ε*."""
    epsilon = least_core(game).epsilon
    assert sum(allocation.values()) == pytest.approx(game.value(game.players), abs=tol)
    assert excesses(game, allocation).max() <= epsilon + tol


def assert_sampled_shapley(game: Game, value_fn, seed: int = 0) -> None:
    exact = shapley(game)
    tolerance = 0.02 * max(abs(v) for v in exact.values())
    estimate = shapley_by_sampling(game.players, value_fn, tolerance, seed=seed)
    assert estimate.converged and estimate.max_std_error <= tolerance
    assert estimate.n_evaluations <= 2 ** len(game.players) - 1
    for p in game.players:
        assert abs(estimate.value[p] - exact[p]) <= 3 * estimate.std_error[p] + 1e-9, p
    assert sum(estimate.value.values()) == pytest.approx(game.value(game.players))


# ----------------------------------------------------------------------------- generated games


@pytest.mark.parametrize(("family", "n", "seed"), CASES)
def test_sampled_shapley_is_within_three_standard_errors_of_the_exact(family, n, seed):
    game = generated(family, n, seed)
    assert_sampled_shapley(game, game.value)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_standard_errors_of_sampled_shapley_are_calibrated(family):
    """Over 100 seeds, (estimate - exact) / SE has mean ≈ 0 and variance ≈ 1, and beyond 3
    no more often than a normal variable's 0.27 % allows (1 %)."""
    game = generated(family, 6, 0)
    exact = shapley(game)
    tolerance = 0.02 * max(abs(v) for v in exact.values())
    z = np.array(
        [
            (estimate.value[p] - exact[p]) / estimate.std_error[p]
            for seed in range(100)
            for estimate in [shapley_by_sampling(game.players, game.value, tolerance, seed=seed)]
            for p in game.players
        ]
    )
    assert abs(z.mean()) < 0.2 and 0.8 < z.std() < 1.2
    assert (np.abs(z) > 3).mean() <= 0.01


@pytest.mark.parametrize(("family", "n", "seed"), CASES)
def test_generated_least_core_with_an_exact_oracle_is_the_enumerated_one(family, n, seed):
    game = generated(family, n, seed)
    found = least_core_by_generation(game.players, game.value, oracle="exact")
    assert found.epsilon == pytest.approx(least_core(game).epsilon, abs=TOL)
    assert found.certified
    assert_in_least_core(game, found.allocation, TOL * game._scale)


@pytest.mark.parametrize(("family", "n", "seed"), CASES)
def test_generated_nucleolus_with_an_exact_oracle_is_the_enumerated_one(family, n, seed):
    game = generated(family, n, seed)
    found = nucleolus_by_generation(game.players, game.value, oracle="exact")
    expected = nucleolus(game)
    for p in game.players:
        assert found.allocation[p] == pytest.approx(expected[p], abs=1e-6)


@pytest.mark.parametrize(("n", "seed"), [(n, seed) for n in (4, 6, 8) for seed in (0, 1, 2)])
def test_the_local_oracle_finds_the_least_core_and_nucleolus_of_supermodular_games(n, seed):
    game = concave_cost_game(n, seed)
    found = least_core_by_generation(game.players, game.value, seed=seed)
    assert found.epsilon == pytest.approx(least_core(game).epsilon, abs=TOL)
    assert_in_least_core(game, found.allocation, TOL * game._scale)
    nucleus = nucleolus_by_generation(game.players, game.value, seed=seed)
    expected = nucleolus(game)
    for p in game.players:
        assert nucleus.allocation[p] == pytest.approx(expected[p], abs=1e-6)
    assert found.n_evaluations < 2**n - 1 or n == 4


@pytest.mark.parametrize(("n", "seed"), [(n, seed) for n in (6, 8) for seed in (0, 1, 2)])
def test_the_local_oracle_bounds_epsilon_from_below_on_any_game(n, seed):
    """A heuristic oracle may miss a violated coalition of a rugged game: its ε is that of a
    relaxation, never above the true one, and its largest excess is what it says."""
    game = bin_cost_game(n, seed)
    found = least_core_by_generation(game.players, game.value, seed=seed, audit=20)
    assert found.epsilon <= least_core(game).epsilon + TOL
    assert found.excess_bound is None and found.audited == 20
    assert found.max_excess <= excesses(game, found.allocation).max() + TOL


def test_the_nucleolus_refuses_a_separation_oracle():
    game = concave_cost_game(4, 0)
    with pytest.raises(GameError, match="nucleolus takes"):
        nucleolus_by_generation(game.players, game.value, oracle=object())  # type: ignore


# ----------------------------------------------------------------------------- model games


def enumerated(values: ModelValues) -> Game:
    """The game of every coalition, by `coalition_values` on the same model."""
    table = coalition_values(values.model, values.session, values.inputs).table
    return game_of(table, values.players)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_province_game_by_generation_and_sampling_is_its_enumeration(tmp_path, seed):
    values = province_values(tmp_path / "provinces-6", 6, seed)
    found = least_core_by_generation(values.players, values, oracle=MembershipMILP(values))
    values.restore()
    game = enumerated(values)
    tol = TOL * game._scale
    assert found.epsilon == pytest.approx(least_core(game).epsilon, abs=tol)
    assert found.certified  # the MILP's bound: no excess above ε + tolerance
    assert_in_least_core(game, found.allocation, tol)
    nucleus = nucleolus_by_generation(values.players, game.value, oracle="exact")
    expected = nucleolus(game)
    for p in game.players:
        assert nucleus.allocation[p] == pytest.approx(expected[p], abs=1e-6)
    assert_sampled_shapley(game, values)


def test_a_twelve_province_game_is_solved_to_tolerance_without_enumeration(tmp_path):
    """The benchmark of benchmarks/large_game.py on 12 players, against enumeration."""
    start = time.perf_counter()
    values = province_values(tmp_path / "provinces-12", 12)
    share = values(frozenset(values.players)) / len(values.players)
    estimate = shapley_by_sampling(values.players, values, 0.05 * share, seed=0)
    milp = MembershipMILP(values)
    found = least_core_by_generation(values.players, values, oracle=milp, known=values.known)
    values.restore()
    seconds, evaluated = time.perf_counter() - start, values.evaluations
    assert evaluated < 2**12 and estimate.converged
    assert found.certified
    game = enumerated(values)  # every coalition, for the references
    tol = TOL * game._scale
    assert found.epsilon == pytest.approx(least_core(game).epsilon, abs=tol)
    assert_in_least_core(game, found.allocation, tol)
    exact = shapley(game)
    for p in game.players:
        assert abs(estimate.value[p] - exact[p]) <= 3 * estimate.std_error[p], p
    assert seconds < 60  # benchmarks/large_game.py --players 12 reports the time


def test_share_without_enumeration_allocates_the_least_core_and_says_what_it_checked(tmp_path):
    folder = provinces(tmp_path / "provinces", 6, seed=3)
    scenario = Scenario(name="provinces", dataset=str(folder), links="all")
    generated_share = allocate(scenario, "least-core", method="generate")
    enumerated_share = allocate(scenario, "least-core", method="enumerate")
    game = enumerated_share.game
    table = generated_share.table.set_index("region")
    allocation = table["allocated_saving_musd"].to_dict()
    assert_in_least_core(game, allocation, TOL * game._scale)
    assert generated_share.game is None and "MembershipMILP" in generated_share.method
    assert len(generated_share.coalitions) <= 2**6
    assert "Checked over the" in generated_share.core.message
    assert generated_share.core.in_core == enumerated_share.core.in_core
    # final cost = standalone − allocated saving, as with enumeration
    expected = enumerated_share.table.set_index("region")["standalone_cost_musd"]
    assert table["standalone_cost_musd"].to_dict() == pytest.approx(expected.to_dict())
