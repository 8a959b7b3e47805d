"""Tests of abatelink.games.solutions against hand-computed, published and independent values.

The independent checks use other formulations than the module: the Shapley value as an
average over all n! orders, core non-emptiness by the Bondareva-Shapley LP, the nucleolus by
Kohlberg's balancedness criterion and by comparing excess vectors with nearby imputations.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abatelink.games.solutions import (
    Game,
    GameError,
    coalition_label,
    core_check,
    least_core,
    nucleolus,
    sampled_shapley,
    shapley,
)

TOL = 1e-7
PROPERTY = settings(max_examples=100, deadline=None)


# ----------------------------------------------------------------------------- helpers


def coalitions(players: Sequence[str]) -> list[frozenset[str]]:
    """All non-empty coalitions."""
    return [
        frozenset(c) for k in range(1, len(players) + 1) for c in itertools.combinations(players, k)
    ]


def make_game(players: Sequence[str], v: Callable[[frozenset[str]], float], **kw) -> Game:
    return Game.from_mapping(players, {s: v(s) for s in coalitions(players)}, **kw)


def assert_allocation(actual: dict[str, float], expected: Sequence[float], tol=TOL) -> None:
    assert list(actual.values()) == pytest.approx(list(expected), abs=tol)


def shapley_by_orders(game: Game) -> dict[str, float]:
    """Average marginal contribution over all n! orders (independent of the n·2^n formula)."""
    total = dict.fromkeys(game.players, 0.0)
    orders = list(itertools.permutations(game.players))
    for order in orders:
        for k, player in enumerate(order):
            total[player] += game.value(order[: k + 1]) - game.value(order[:k])
    return {p: t / len(orders) for p, t in total.items()}


def excesses(game: Game, x: dict[str, float]) -> dict[frozenset[str], float]:
    """e(S, x) = v(S) - x(S) for every coalition S other than the empty one and N."""
    proper = coalitions(game.players)[:-1]
    return {s: game.value(s) - sum(x[p] for p in s) for s in proper}


def _highs() -> highspy.Highs:
    h = highspy.Highs()
    h.silent()
    return h


def bondareva_shapley_max(game: Game) -> float:
    """max Σ λ_S v(S) over balanced weights λ >= 0 (Σ_{S∋i} λ_S = 1); core ≠ ∅ iff <= v(N)."""
    h = _highs()
    lam = {s: h.addVariable(lb=0.0) for s in coalitions(game.players)}
    for p in game.players:
        h.addConstr(h.qsum(lam[s] for s in lam if p in s) == 1)
    h.maximize(h.qsum(game.value(s) * lam[s] for s in lam))
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getObjectiveValue()


def is_balanced(collection: list[frozenset[str]], players: Sequence[str]) -> bool:
    """Balanced iff no y with y(N) = 0, y(S) >= 0 on the collection and y(S) > 0 for one S."""
    h = _highs()
    y = {p: h.addVariable(lb=-highspy.kHighsInf) for p in players}
    h.addConstr(h.qsum(y.values()) == 0)
    sums = [h.qsum(y[p] for p in s) for s in collection]
    for expr in sums:
        h.addConstr(expr >= 0)
        h.addConstr(expr <= 1)
    h.maximize(h.qsum(sums))
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getObjectiveValue() <= 1e-7


def satisfies_kohlberg(game: Game, x: dict[str, float]) -> bool:
    """Kohlberg (1971): an efficient x is the prenucleolus iff every collection
    D(α) = {S : e(S, x) >= α} that is non-empty is balanced."""
    e = excesses(game, x)
    levels = sorted(set(np.round(list(e.values()), 6)), reverse=True)
    return all(
        is_balanced([s for s, value in e.items() if value >= level - 1e-6], game.players)
        for level in levels
    )


def lex_not_better(game: Game, x: dict[str, float], y: dict[str, float]) -> bool:
    """True unless y's excesses, sorted decreasingly, are lexicographically smaller than x's."""
    ex = sorted(excesses(game, x).values(), reverse=True)
    ey = sorted(excesses(game, y).values(), reverse=True)
    for a, b in zip(ex, ey, strict=True):
        if abs(a - b) > 1e-7:
            return b > a
    return True


# ----------------------------------------------------------------------------- classic games

GLOVE = make_game(("L1", "L2", "R"), lambda s: float("R" in s and bool(s & {"L1", "L2"})))
MAJORITY = make_game(("A", "B", "C"), lambda s: float(len(s) >= 2))


def test_glove_game_shapley_nucleolus_and_single_point_core():
    # Shapley by hand: R is pivotal in the orders where it comes 2nd or 3rd (4 of 6): 2/3;
    # each left glove is pivotal only when it comes 2nd right after R (1 of 6): 1/6.
    assert_allocation(shapley(GLOVE), [1 / 6, 1 / 6, 2 / 3])
    assert_allocation(nucleolus(GLOVE), [0, 0, 1])
    # The core is {(0, 0, 1)}: the least core has ε* = 0 and its (only) point is (0, 0, 1).
    lc = least_core(GLOVE)
    assert lc.epsilon == pytest.approx(0, abs=TOL)
    assert_allocation(lc.allocation, [0, 0, 1])
    assert core_check(GLOVE, {"L1": 0, "L2": 0, "R": 1}).in_core
    off = core_check(GLOVE, {"L1": 0.1, "L2": 0.0, "R": 0.9})
    assert not off.in_core and off.efficient
    assert off.worst_coalition == frozenset({"L2", "R"})
    assert off.worst_excess == pytest.approx(0.1)
    assert "L2+R" in off.message and "0.1" in off.message


def test_majority_game_has_empty_core_and_symmetric_solutions():
    assert_allocation(shapley(MAJORITY), [1 / 3] * 3)
    # Σ over the three pairs of x(S) >= 1 - ε gives 2 >= 3(1 - ε), so ε* = 1/3.
    assert least_core(MAJORITY).epsilon == pytest.approx(1 / 3, abs=TOL)
    assert_allocation(nucleolus(MAJORITY), [1 / 3] * 3)
    check = core_check(MAJORITY, dict.fromkeys("ABC", 1 / 3))
    assert not check.in_core and check.efficient
    assert check.worst_excess == pytest.approx(1 / 3)
    assert check.worst_coalition == frozenset({"A", "B"})  # ties go to the first pair
    assert "A+B would walk away" in check.message


def test_additive_game_shares_are_standalone_values():
    a = {"CN": 3.0, "JP": -1.0, "KR": 2.5}
    game = make_game(tuple(a), lambda s: sum(a[p] for p in s))
    assert_allocation(shapley(game), list(a.values()))
    assert_allocation(nucleolus(game), list(a.values()))
    assert least_core(game).epsilon == pytest.approx(0, abs=TOL)
    check = core_check(game, a)
    assert check.in_core and check.efficient
    assert check.worst_excess == pytest.approx(0, abs=TOL)


# Airport game (Littlechild and Owen 1973): runway costs c1 <= c2 <= c3 <= c4 = 2, 6, 8, 12;
# c(S) = max_{i∈S} c_i. Savings v(S) = Σ_{i∈S} c_i - c(S).
AIRPORT_COSTS = {"A": 2.0, "B": 6.0, "C": 8.0, "D": 12.0}


def airport_game(costs: dict[str, float]) -> Game:
    return make_game(tuple(costs), lambda s: max(costs[p] for p in s), kind="costs")


def airport_shapley_costs(c: Sequence[float]) -> list[float]:
    """Closed form: runway segment k (c_k - c_{k-1}) is shared equally by players k..n."""
    n, segments = len(c), np.diff(np.r_[0.0, c])
    return [sum(segments[k] / (n - k) for k in range(i + 1)) for i in range(n)]


def littlechild_nucleolus_costs(c: Sequence[float]) -> list[float]:
    """Littlechild (1974): with `done` players already charged `paid`, charge the next group
    α = min_{done<=k<n-1} (c_k - paid)/(k - done + 2) each (0-based k, largest minimiser);
    the largest player pays the rest."""
    n, shares = len(c), []
    while len(shares) < n - 1:
        done, paid = len(shares), sum(shares)
        ratios = [(c[k] - paid) / (k - done + 2) for k in range(done, n - 1)]
        alpha = min(ratios)
        last = done + max(j for j, r in enumerate(ratios) if r == alpha)
        shares += [alpha] * (last - done + 1)
    return [*shares, c[-1] - sum(shares)]


def test_airport_game_by_hand():
    game = airport_game(AIRPORT_COSTS)
    assert game.value("A+B") == 2.0 and game.value("B+C+D") == 14.0
    # Shapley cost shares: 2/4 = 0.5; + 4/3; + 2/2; + 4/1 -> 1/2, 11/6, 17/6, 41/6.
    shapley_costs = [1 / 2, 11 / 6, 17 / 6, 41 / 6]
    assert airport_shapley_costs(list(AIRPORT_COSTS.values())) == pytest.approx(shapley_costs)
    savings = [c - x for c, x in zip(AIRPORT_COSTS.values(), shapley_costs, strict=True)]
    assert_allocation(shapley(game), savings)
    # Nucleolus by hand: stage 1 min(2/2, 6/3, 8/4) = 1 for A; stage 2 min(5/2, 7/3) = 7/3
    # for B and C; D pays 12 - 1 - 14/3 = 19/3. Savings = c - x = 1, 11/3, 17/3, 17/3.
    assert littlechild_nucleolus_costs([2, 6, 8, 12]) == pytest.approx([1, 7 / 3, 7 / 3, 19 / 3])
    assert_allocation(nucleolus(game), [1, 11 / 3, 17 / 3, 17 / 3])


@PROPERTY
@given(st.lists(st.integers(0, 20), min_size=2, max_size=6).map(sorted))
def test_airport_games_match_closed_forms(costs):
    c = {f"P{i}": float(x) for i, x in enumerate(costs)}
    game = airport_game(c)
    standalone = np.array(costs, dtype=float)
    assert_allocation(shapley(game), standalone - airport_shapley_costs(standalone))
    assert_allocation(nucleolus(game), standalone - littlechild_nucleolus_costs(standalone))


def test_coopgame_documentation_example():
    # R package CoopGame 0.2.2, help page `nucleolus` (Staudacher and Anwander):
    #   nucleolus(c(0, 0, 0, 0, 5, 5, 8, 9, 10, 8, 13, 15, 16, 17, 21))  #[1] 3.5 4.5 5.5 7.5
    # CoopGame lists coalitions by size, then lexicographically ({1}, {2}, ..., {1,2}, {1,3},
    # ...), as itertools.combinations does. By hand: the four triples N∖{i} all get excess
    # -1/2 (Σ_i x(N∖{i}) = 3·21 = 61 - 4e gives e = -1/2, the least possible max excess), and
    # x_i = 21 - v(N∖{i}) - 1/2 determines x.
    values = [0, 0, 0, 0, 5, 5, 8, 9, 10, 8, 13, 15, 16, 17, 21]
    game = Game.from_mapping("1234", dict(zip(coalitions("1234"), values, strict=True)))
    assert_allocation(nucleolus(game), [3.5, 4.5, 5.5, 7.5])
    assert least_core(game).epsilon == pytest.approx(-0.5)


def test_nucleolus_differs_from_prenucleolus():
    # Peleg and Sudhölter (2007), Example 5.5.12 (quoted in the CoopGame `prenucleolus` help):
    # v(12) = 10, v(N) = 2, all else 0; prenucleolus (3, 3, -4) is not individually rational.
    # Nucleolus by hand: the largest excess 10 - x1 - x2 = 8 + x3 is least at x3 = 0; then
    # the excesses -x1, -x2 are lexicographically least at x1 = x2 = 1.
    game = make_game("123", lambda s: {"12": 10.0, "123": 2.0}.get("".join(sorted(s)), 0.0))
    assert_allocation(nucleolus(game), [1, 1, 0])


@pytest.mark.parametrize(
    ("estate", "expected"),
    [(100, [100 / 3] * 3), (200, [50, 75, 75]), (300, [50, 100, 150])],
)
def test_talmud_bankruptcy_nucleolus(estate, expected):
    # Aumann and Maschler (1985), also the CoopGame `nucleolus` example for E = 300: claims
    # 100, 200, 300 on an estate E; v(S) = max(0, E - claims of the others).
    claims = {"a": 100, "b": 200, "c": 300}
    game = make_game("abc", lambda s: max(0, estate - sum(claims[p] for p in "abc" if p not in s)))
    assert_allocation(nucleolus(game), expected)


# ----------------------------------------------------------------------------- properties

VALUES = st.one_of(
    st.integers(-10, 30).map(float),
    st.floats(-10, 30, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)),
)


@st.composite
def games(draw, max_players: int = 5) -> Game:
    """Arbitrary games of 2-5 players with integer or float values."""
    players = tuple(f"P{i}" for i in range(draw(st.integers(2, max_players))))
    values = draw(st.lists(VALUES, min_size=2 ** len(players) - 1, max_size=2 ** len(players) - 1))
    return Game.from_mapping(players, dict(zip(coalitions(players), values, strict=True)))


@st.composite
def games_with_core(draw) -> Game:
    """v(S) = x*(S) - d_S with d_S >= 0 and v(N) = x*(N): x* is in the core."""
    players = tuple(f"P{i}" for i in range(draw(st.integers(2, 5))))
    x = dict(zip(players, draw(st.lists(VALUES, min_size=len(players), max_size=len(players)))))
    proper = coalitions(players)[:-1]
    cuts = draw(st.lists(st.integers(0, 10), min_size=len(proper), max_size=len(proper)))
    mapping = {s: sum(x[p] for p in s) - d for s, d in zip(proper, cuts, strict=True)}
    return Game.from_mapping(players, {**mapping, players: sum(x.values())})


@st.composite
def games_with_imputations(draw) -> Game:
    """Arbitrary games with v(N) raised, if needed, to the sum of the standalone values."""
    base = draw(games())
    standalone = sum(base.value({p}) for p in base.players)
    grand = max(base.value(base.players), standalone + draw(st.sampled_from([0, 0.5, 3])))
    return Game.from_mapping(base.players, {**base.values, frozenset(base.players): grand})


@st.composite
def superadditive_games(draw) -> Game:
    """Superadditive cover v(S) = max over partitions {T_k} of S of Σ w(T_k), w random."""
    base = draw(games())
    v: dict[frozenset[str], float] = {frozenset(): 0.0}
    for s in coalitions(base.players):  # by size, so every proper subset is done
        first = min(s)
        splits = (frozenset(t) for k in range(1, len(s)) for t in itertools.combinations(s, k))
        best = max((v[t] + v[s - t] for t in splits if first in t), default=-math.inf)
        v[s] = max(base.value(s), best)
    return Game.from_mapping(base.players, v)


@PROPERTY
@given(games())
def test_shapley_is_efficient_and_equals_average_over_orders(game):
    phi = shapley(game)
    assert sum(phi.values()) == pytest.approx(game.value(game.players), abs=TOL)
    assert list(phi.values()) == pytest.approx(list(shapley_by_orders(game).values()), abs=TOL)


@PROPERTY
@given(games())
def test_shapley_symmetry_and_dummy(game):
    p, q, dummy = game.players[0], game.players[1], game.players[-1]
    swap = {p: q, q: p}

    def symmetric(s: frozenset[str]) -> float:  # v(S) = v(S with p, q swapped) for every S
        swapped = frozenset(swap.get(i, i) for i in s)
        return max(game.value(s), game.value(swapped)) if s else 0.0

    phi = shapley(make_game(game.players, symmetric))
    assert phi[p] == pytest.approx(phi[q], abs=TOL)

    def with_dummy(s: frozenset[str]) -> float:  # v(S ∪ {d}) = v(S) + v({d}) for d ∉ S
        rest = s - {dummy}
        return (game.value(rest) if rest else 0.0) + (7.5 if dummy in s else 0.0)

    assert shapley(make_game(game.players, with_dummy))[dummy] == pytest.approx(7.5, abs=TOL)


@PROPERTY
@given(games())
def test_least_core_epsilon_nonpositive_exactly_when_core_nonempty(game):
    lc = least_core(game)
    core_nonempty = bondareva_shapley_max(game) <= game.value(game.players) + TOL
    assert (lc.epsilon <= TOL) == core_nonempty
    check = core_check(game, lc.allocation, tol=TOL)
    assert check.efficient
    assert check.worst_excess == pytest.approx(lc.epsilon, abs=1e-6)  # max excess = ε*
    assert check.in_core == core_nonempty


@PROPERTY
@given(st.one_of(games_with_core(), games()))
def test_nucleolus_is_in_core_when_core_nonempty(game):
    if least_core(game).epsilon > TOL:
        return  # empty core: nothing to check here (see the least-core test)
    nu = nucleolus(game)
    assert core_check(game, nu, tol=TOL).in_core
    # With a non-empty core, nucleolus = prenucleolus, characterised by Kohlberg (1971).
    assert satisfies_kohlberg(game, nu)


@PROPERTY
@given(st.one_of(superadditive_games(), games_with_imputations()), st.integers(0, 2**32 - 1))
def test_nucleolus_is_imputation_and_lexicographically_optimal(game, seed):
    nu = nucleolus(game)
    assert sum(nu.values()) == pytest.approx(game.value(game.players), abs=TOL)
    for p in game.players:
        assert nu[p] >= game.value({p}) - TOL
    rng = np.random.default_rng(seed)
    for _ in range(30):  # no nearby imputation has lexicographically smaller excesses
        step = rng.normal(size=len(nu)) * rng.choice([1e-3, 1e-1, 1.0])
        y = dict(zip(game.players, np.array(list(nu.values())) + step - step.mean(), strict=True))
        if all(y[p] >= game.value({p}) for p in game.players):
            assert lex_not_better(game, nu, y)


# ----------------------------------------------------------------------------- sampling


def pairwise_game(n: int, seed: int) -> tuple[list[str], Callable, dict[str, float]]:
    """v(S) = Σ_{i∈S} a_i + Σ_{i<j in S} b_ij; Shapley φ_i = a_i + ½ Σ_{j≠i} b_ij."""
    rng = np.random.default_rng(seed)
    players = [f"R{i}" for i in range(n)]
    a, b = rng.uniform(-5, 10, n), np.triu(rng.uniform(-2, 6, (n, n)), 1)
    b = b + b.T
    index = {p: i for i, p in enumerate(players)}

    def v(s: frozenset[str]) -> float:
        idx = [index[p] for p in s]
        return float(a[idx].sum() + b[np.ix_(idx, idx)].sum() / 2)

    return players, v, dict(zip(players, a + b.sum(axis=1) / 2, strict=True))


def test_sampled_shapley_within_four_standard_errors_of_exact():
    players, v, exact = pairwise_game(10, seed=7)
    calls: list[frozenset[str]] = []
    est = sampled_shapley(players, lambda s: calls.append(s) or v(s), 300, seed=1)
    assert est.n_permutations == 300
    for p in players:
        assert est.std_error[p] > 0
        assert abs(est.value[p] - exact[p]) <= 4 * est.std_error[p]
    assert sum(est.value.values()) == pytest.approx(v(frozenset(players)))  # each order sums
    assert len(calls) == len(set(calls)) == est.n_evaluations <= 2**10 - 1  # cached
    assert frozenset() not in calls


def test_sampled_shapley_weighted_majority_and_shrinking_error():
    weights = dict(zip([f"W{i}" for i in range(10)], [9, 8, 7, 6, 5, 4, 3, 2, 1, 1], strict=True))

    def v(s: frozenset[str]) -> float:
        return float(sum(weights[p] for p in s) >= 24)

    exact = shapley(make_game(tuple(weights), v))
    assert sum(exact.values()) == pytest.approx(1.0)
    small = sampled_shapley(list(weights), v, 100, seed=3)
    large = sampled_shapley(list(weights), v, 1600, seed=3)
    for p in weights:
        assert abs(large.value[p] - exact[p]) <= 4 * large.std_error[p] + 1e-12
        assert large.std_error[p] < 0.5 * small.std_error[p]  # ~ 1/sqrt(16) = 0.25
    assert sampled_shapley(list(weights), v, 100, seed=3) == small  # reproducible


# ----------------------------------------------------------------------------- input handling


def test_labels_and_coalition_forms():
    players = ("CN", "JP", "KR")
    mapping = {"CN": 0, "JP": 0, "KR": 0, "CN+JP": 4, ("KR", "CN"): 3, frozenset({"JP", "KR"}): 2}
    game = Game.from_mapping(players, {**mapping, "JP + KR + CN": 6, "∅": 0})
    assert game.value("JP+CN") == game.value({"CN", "JP"}) == 4.0
    assert game.value(("CN", "KR")) == 3.0 and game.value("") == 0.0
    assert coalition_label({"KR", "CN"}, players) == "CN+KR"
    assert coalition_label(frozenset(), players) == "∅"
    assert Game(players, game.values) == game


def test_cost_game_conversion():
    costs = {"CN": 10, "JP": 8, "CN+JP": 15}
    game = Game.from_mapping(("CN", "JP"), costs, kind="costs")
    assert game.value("CN+JP") == 3.0 and game.value("CN") == 0.0
    assert_allocation(shapley(game), [1.5, 1.5])


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"A": 0, "B": 1}, r"missing 1 of the 4 coalitions: A\+B"),
        ({"A": 0, "B": 1, "A+B": 2, "": 1}, r"empty coalition has value 1\.0"),
        ({"A": 0, "B": 1, "A+C": 2}, r"unknown player\(s\) 'C'"),
        ({"A": 0, "B": math.nan, "A+B": 2}, r"'B' has the non-finite value nan"),
        ({"A": 0, "B": math.inf, "A+B": 2}, r"non-finite value inf"),
        ({"A": 0, "B": "x", "A+B": 2}, r"'B' is not a number"),
        ({"A": 0, "B": 1, "A+B": 2, ("B", "A"): 2}, r"A\+B is given twice"),
        ({"A": 0, "B": 1, "A+A": 2}, r"names A more than once"),
        ({"A": 0, "B": 1, 5: 2}, r"Cannot read coalition 5"),
    ],
)
def test_malformed_games_are_rejected_with_a_clear_message(mapping, message):
    with pytest.raises(GameError, match=message):
        Game.from_mapping(("A", "B"), mapping)


def test_other_invalid_inputs():
    with pytest.raises(
        GameError, match="missing 4 of the 8 coalitions: C, A\\+C, B\\+C, A\\+B\\+C"
    ):
        Game.from_mapping("ABC", {"A": 1, "B": 1, "A+B": 2})
    with pytest.raises(GameError, match="'A' is listed twice"):
        Game.from_mapping(("A", "A"), {"A": 1})
    with pytest.raises(GameError, match="c\\(∅\\) = 0"):
        Game.from_mapping("AB", {"A": 1, "B": 1, "A+B": 1, "": 2}, kind="costs")
    with pytest.raises(GameError, match="kind must be"):
        Game.from_mapping("AB", {"A": 1, "B": 1, "A+B": 1}, kind="profits")  # type: ignore[arg-type]
    with pytest.raises(GameError, match="unknown: Z, missing: R"):
        core_check(GLOVE, {"L1": 0, "L2": 0, "Z": 1})
    with pytest.raises(GameError, match="add up to 3, more than v\\(N\\) = 1"):
        nucleolus(make_game("abc", lambda s: 1.0))
    with pytest.raises(GameError, match="n_permutations must be an integer >= 2"):
        sampled_shapley("ab", lambda s: 1.0, 1)
    with pytest.raises(GameError, match="has the non-finite value nan"):
        sampled_shapley(["R0", "R1"], lambda s: math.nan, 5, seed=0)


def test_one_player_game():
    game = Game.from_mapping(["CN"], {"CN": 2.0})
    assert shapley(game) == {"CN": 2.0} == nucleolus(game)
    assert least_core(game).epsilon == -math.inf
    assert core_check(game, {"CN": 2.0}).in_core
    assert not core_check(game, {"CN": 1.0}).efficient
