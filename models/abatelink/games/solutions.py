"""Cooperative (transferable-utility) games: sharing the savings of joint projects.

A game on the players ``N`` is a characteristic function ``v`` that gives every coalition
``S ⊆ N`` the savings ``v(S)`` its members achieve by acting together (a *savings* or
*profit* game, ``v(∅) = 0``). An allocation ``x`` gives player ``i`` the share ``x_i``;
``x(S) = Σ_{i∈S} x_i``. The *excess* of a coalition is

    e(S, x) = v(S) - x(S),

how much more ``S`` could save on its own than it is given: ``e(S, x) > 0`` means ``S``
would walk away. This module computes the Shapley value (exact and sampled), the least core,
the nucleolus and a core-membership test for any characteristic function, e.g. one whose
values come from an optimisation model.

Coalitions may be written as ``frozenset``/``set``/``tuple``/``list`` of player names or as
labels such as ``"CN+JP"`` (``""`` or ``"∅"`` for the empty coalition).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Literal

import highspy
import numpy as np

from abatelink.errors import AbatelinkError
from abatelink.solve.highs import new_highs

__all__ = [
    "CoreCheck",
    "Game",
    "GameError",
    "LeastCore",
    "ShapleyEstimate",
    "coalition_label",
    "core_check",
    "least_core",
    "nucleolus",
    "sampled_shapley",
    "shapley",
]

EMPTY_LABEL = "∅"
CoalitionLike = frozenset[str] | set[str] | tuple[str, ...] | list[str] | str

_DUAL_TOL = 1e-9  # a dual value above this marks a constraint tight in every optimum
_SPAN_TOL = 1e-9  # residual below this puts a coalition in the span of fixed ones
_MAX_LISTED = 5  # how many missing coalitions an error message names


class GameError(AbatelinkError, ValueError):
    """A game, coalition or allocation that cannot be used; the message says how to fix it."""


# ----------------------------------------------------------------------------- coalitions


def _check_players(players: Iterable[str]) -> tuple[str, ...]:
    """Return ``players`` as a tuple after checking the names are distinct non-empty strings."""
    names = tuple(players)
    if not names:
        raise GameError("A game needs at least one player; `players` is empty.")
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise GameError(f"Player names must be non-empty strings; got {name!r}.")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise GameError(f"Player {name!r} is listed twice in `players`; list each once.")
        seen.add(name)
    return names


def _members(key: object, known: Sequence[str]) -> list[str]:
    """Split a coalition key (collection or ``"A+B"`` label) into player names, unchecked."""
    if isinstance(key, str):
        text = key.strip()
        if text in ("", EMPTY_LABEL):
            return []
        return [text] if text in known else [part.strip() for part in text.split("+")]
    if isinstance(key, frozenset | set | tuple | list):
        return list(key)
    raise GameError(
        f"Cannot read coalition {key!r}: write it as a frozenset, set or tuple of player "
        "names, or as a label like 'CN+JP' ('' or '∅' for the empty coalition)."
    )


def _parse_coalition(key: object, players: Sequence[str]) -> frozenset[str]:
    """Return the coalition ``key`` names, checking every member is a known player."""
    members = _members(key, players)
    unknown = [m for m in members if m not in players]
    if unknown:
        raise GameError(
            f"Coalition {key!r} names unknown player(s) {', '.join(map(repr, unknown))}; "
            f"the players are {', '.join(players)}."
        )
    repeated = sorted({m for m in members if members.count(m) > 1})
    if repeated:
        raise GameError(f"Coalition {key!r} names {', '.join(repeated)} more than once.")
    return frozenset(members)


def coalition_label(coalition: CoalitionLike, players: Sequence[str]) -> str:
    """Label a coalition as its members joined by ``+`` in the order of ``players``.

    Parameters
    ----------
    coalition
        The coalition (collection of player names or a label).
    players
        All players of the game; fixes the order of the names in the label.

    Returns
    -------
    str
        e.g. ``"CN+JP"``; ``"∅"`` for the empty coalition.
    """
    members = _parse_coalition(coalition, tuple(players))
    return "+".join(p for p in players if p in members) or EMPTY_LABEL


def _mask_label(mask: int, players: Sequence[str]) -> str:
    return "+".join(p for i, p in enumerate(players) if mask >> i & 1) or EMPTY_LABEL


def _mask_members(mask: int, players: Sequence[str]) -> frozenset[str]:
    return frozenset(p for i, p in enumerate(players) if mask >> i & 1)


def _canonical_order(masks: Iterable[int], n: int) -> list[int]:
    """Sort coalition bit masks by size, then by their members in player order."""
    return sorted(masks, key=lambda m: (m.bit_count(), [i for i in range(n) if m >> i & 1]))


def _proper_masks(n: int) -> list[int]:
    """Masks of the coalitions other than ∅ and N, in canonical order."""
    return _canonical_order(range(1, (1 << n) - 1), n)


def _incidence(masks: Sequence[int], n: int) -> np.ndarray:
    """0/1 matrix whose row ``k`` is the characteristic vector of coalition ``masks[k]``."""
    bits = np.asarray(masks, dtype=np.int64).reshape(-1, 1) >> np.arange(n)
    return (bits & 1).astype(float)


def _coalition_sums(x: np.ndarray) -> np.ndarray:
    """``x(S)`` for every coalition mask ``S = 0 .. 2^n - 1``."""
    masks = np.arange(1 << len(x))
    return _incidence(masks, len(x)) @ x


# ----------------------------------------------------------------------------- the game


def _as_number(key: object, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise GameError(f"The value of coalition {key!r} is not a number: {value!r}.") from None
    if not math.isfinite(number):
        raise GameError(
            f"Coalition {key!r} has the non-finite value {number}; every value must be a "
            "finite number (check the model run that produced it)."
        )
    return number


def _read_values(players: tuple[str, ...], mapping: Mapping) -> dict[frozenset[str], float]:
    """Parse keys and values; a missing empty coalition is taken as 0."""
    values: dict[frozenset[str], float] = {}
    for key, value in mapping.items():
        coalition = _parse_coalition(key, players)
        if coalition in values:
            label = coalition_label(coalition, players)
            raise GameError(f"Coalition {label} is given twice (last as {key!r}); give it once.")
        values[coalition] = _as_number(key, value)
    values.setdefault(frozenset(), 0.0)
    _check_complete(players, values)
    return values


def _check_complete(players: tuple[str, ...], values: Mapping[frozenset[str], float]) -> None:
    """Raise a GameError naming the first missing coalitions, if any are missing."""
    index = {p: i for i, p in enumerate(players)}
    given = {sum(1 << index[p] for p in coalition) for coalition in values}
    missing = set(range(1 << len(players))) - given
    if missing:
        first = _canonical_order(missing, len(players))[:_MAX_LISTED]
        names = ", ".join(_mask_label(m, players) for m in first)
        more = " ..." if len(missing) > _MAX_LISTED else ""
        raise GameError(
            f"The game is missing {len(missing)} of the {1 << len(players)} coalitions: "
            f"{names}{more}. Give a value for every coalition of the players "
            f"{', '.join(players)} (the empty coalition may be left out; it is 0)."
        )


def _costs_to_savings(
    players: tuple[str, ...], costs: Mapping[frozenset[str], float]
) -> dict[frozenset[str], float]:
    """Savings game ``v(S) = Σ_{i∈S} c({i}) - c(S)`` of the cost game ``c``."""
    if costs[frozenset()] != 0.0:
        raise GameError(
            f"The empty coalition has cost {costs[frozenset()]}, but a cost game needs "
            "c(∅) = 0 (doing nothing costs nothing); remove it or set it to 0."
        )
    alone = {p: costs[frozenset([p])] for p in players}
    return {s: sum(alone[p] for p in s) - c for s, c in costs.items()}


@dataclass(frozen=True)
class Game:
    """A transferable-utility savings game ``v: 2^N -> R`` with ``v(∅) = 0``.

    Attributes
    ----------
    players
        The player names, in the order used for labels and results.
    values
        Read-only mapping from every coalition (``frozenset`` of players) to its savings
        ``v(S)``; all ``2^n`` coalitions are present.

    Notes
    -----
    Constructing a ``Game`` directly validates it like :meth:`from_mapping` with
    ``kind="savings"``. The exact methods need all ``2^n`` values, so they suit up to
    about 15-20 players; use :func:`sampled_shapley` for more.
    """

    players: tuple[str, ...]
    values: Mapping[frozenset[str], float]

    def __post_init__(self) -> None:
        players = _check_players(self.players)
        values = _read_values(players, self.values)
        if values[frozenset()] != 0.0:
            raise GameError(
                f"The empty coalition has value {values[frozenset()]}, but a savings game "
                "needs v(∅) = 0 (nobody saves nothing); remove it or set it to 0."
            )
        object.__setattr__(self, "players", players)
        object.__setattr__(self, "values", MappingProxyType(values))

    @classmethod
    def from_mapping(
        cls,
        players: Iterable[str],
        mapping: Mapping[CoalitionLike, float],
        kind: Literal["savings", "costs"] = "savings",
    ) -> Game:
        """Build a game from a mapping coalition -> value, validating it.

        Parameters
        ----------
        players
            The distinct player names.
        mapping
            A value for every coalition; keys are collections of player names or labels
            like ``"CN+JP"`` (``""``/``"∅"``: empty coalition, may be left out).
        kind
            ``"savings"``: the values are savings ``v(S)``. ``"costs"``: the values are the
            costs ``c(S)`` of serving ``S`` together, converted to the savings game
            ``v(S) = Σ_{i∈S} c({i}) - c(S)``.

        Raises
        ------
        GameError
            Unknown or repeated players, a coalition missing or given twice, a non-finite
            value, or a non-zero empty coalition.
        """
        names = _check_players(players)
        values = _read_values(names, mapping)
        if kind == "costs":
            values = _costs_to_savings(names, values)
        elif kind != "savings":
            raise GameError(f"kind must be 'savings' or 'costs', not {kind!r}.")
        return cls(names, values)

    def value(self, coalition: CoalitionLike) -> float:
        """Savings ``v(S)`` of ``coalition`` (a collection of names or a label)."""
        return self.values[_parse_coalition(coalition, self.players)]

    @cached_property
    def _vector(self) -> np.ndarray:
        """``v`` as an array indexed by bit mask (bit ``i`` set: ``players[i]`` in ``S``)."""
        index = {p: i for i, p in enumerate(self.players)}
        v = np.zeros(1 << len(self.players))
        for coalition, value in self.values.items():
            v[sum(1 << index[p] for p in coalition)] = value
        return v

    @property
    def _scale(self) -> float:
        """Magnitude of the values (at least 1), to make tolerances relative."""
        return max(1.0, float(np.abs(self._vector).max()))


# ----------------------------------------------------------------------------- Shapley value


def shapley(game: Game) -> dict[str, float]:
    """Exact Shapley value.

    .. math::
        φ_i(v) = Σ_{S ⊆ N∖{i}} \\frac{|S|! (n-|S|-1)!}{n!} (v(S ∪ {i}) - v(S)),

    player ``i``'s marginal contribution averaged over all orders in which the grand
    coalition can form. Efficient (``Σ_i φ_i = v(N)``), symmetric, gives a dummy player
    its standalone value, and is additive. Cost ``O(n 2^n)``.

    Returns
    -------
    dict
        Player -> Shapley value, in the order of ``game.players``.
    """
    n, v = len(game.players), game._vector
    masks = np.arange(1 << n)
    sizes = _incidence(masks, n).sum(axis=1).astype(int)
    weights = np.array([math.factorial(s) * math.factorial(n - s - 1) for s in range(n)])
    weights = weights / math.factorial(n)
    result = {}
    for i, player in enumerate(game.players):
        without = masks[(masks >> i & 1) == 0]
        gains = v[without | 1 << i] - v[without]
        result[player] = float(weights[sizes[without]] @ gains)
    return result


@dataclass(frozen=True)
class ShapleyEstimate:
    """Monte-Carlo estimate of the Shapley value.

    Attributes
    ----------
    value
        Player -> mean marginal contribution over the sampled orders.
    std_error
        Player -> standard error of that mean, ``s_i / sqrt(m)`` with ``s_i`` the sample
        standard deviation of the ``m`` marginal contributions.
    n_permutations
        Number ``m`` of sampled orders.
    n_evaluations
        Number of distinct coalitions whose value was computed (calls of ``value_fn``).
    """

    value: dict[str, float]
    std_error: dict[str, float]
    n_permutations: int
    n_evaluations: int


def _cached(
    value_fn: Callable[[frozenset[str]], float], players: Sequence[str]
) -> tuple[Callable[[frozenset[str]], float], dict[frozenset[str], float]]:
    """Wrap ``value_fn`` with a cache, ``v(∅) = 0`` and a finiteness check."""
    cache: dict[frozenset[str], float] = {frozenset(): 0.0}

    def value(coalition: frozenset[str]) -> float:
        if coalition not in cache:
            result = value_fn(coalition)
            cache[coalition] = _as_number(coalition_label(coalition, players), result)
        return cache[coalition]

    return value, cache


def _order_gains(
    order: Sequence[int], players: Sequence[str], value: Callable[[frozenset[str]], float]
) -> np.ndarray:
    """Each player's marginal contribution ``v(P_i ∪ {i}) - v(P_i)`` when the players join in
    ``order`` (indices into ``players``); they add up to ``v(N)``."""
    gains = np.empty(len(players))
    before, worth = frozenset(), 0.0
    for i in order:
        before = before | {players[i]}
        new_worth = value(before)
        gains[i], worth = new_worth - worth, new_worth
    return gains


def sampled_shapley(
    players: Sequence[str],
    value_fn: Callable[[frozenset[str]], float],
    n_permutations: int,
    seed: int | None = None,
) -> ShapleyEstimate:
    """Shapley value estimated from random orders of the players.

    For ``m`` orders ``π`` drawn uniformly at random, player ``i``'s marginal contribution
    ``v(P_i^π ∪ {i}) - v(P_i^π)`` (``P_i^π``: the players before ``i``) is an unbiased
    sample of ``φ_i``; the estimate is their mean and its standard error ``s_i / sqrt(m)``.
    Every order's contributions add up to ``v(N)``, so the estimate is exactly efficient.

    Parameters
    ----------
    players
        The distinct player names.
    value_fn
        Savings ``v(S)`` of a coalition (a ``frozenset`` of names). Called at most once per
        coalition (results are cached) and never for the empty coalition (``v(∅) = 0``).
    n_permutations
        Number of random orders, at least 2 (for a standard error).
    seed
        Seed of the random generator, for reproducible estimates.
    """
    names = _check_players(players)
    if not isinstance(n_permutations, int | np.integer) or n_permutations < 2:
        raise GameError(f"n_permutations must be an integer >= 2, not {n_permutations!r}.")
    value, cache = _cached(value_fn, names)
    rng = np.random.default_rng(seed)
    gains = np.array(
        [_order_gains(rng.permutation(len(names)), names, value) for _ in range(n_permutations)]
    )
    error = gains.std(axis=0, ddof=1) / math.sqrt(len(gains))
    return ShapleyEstimate(
        value=dict(zip(names, gains.mean(axis=0).tolist(), strict=True)),
        std_error=dict(zip(names, error.tolist(), strict=True)),
        n_permutations=int(n_permutations),
        n_evaluations=len(cache) - 1,
    )


# ----------------------------------------------------------------------------- excess LPs


@dataclass(frozen=True)
class _LPSolution:
    x: np.ndarray  # allocation
    level: float  # optimal bound t on the excess of the free coalitions
    free_duals: np.ndarray  # dual value of each free coalition's constraint
    bound_duals: np.ndarray  # reduced cost of each x_i (non-zero: x_i at its bound)


def _run_highs(
    cost: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
    matrix: np.ndarray,
    row_bounds: tuple[np.ndarray, np.ndarray],
    what: str,
) -> highspy.HighsSolution:
    """Minimise ``cost @ z`` s.t. ``row_bounds`` on ``matrix @ z`` and ``bounds`` on ``z``."""
    lp = highspy.HighsLp()
    lp.num_row_, lp.num_col_ = matrix.shape
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = bounds
    lp.row_lower_, lp.row_upper_ = row_bounds
    rows, cols = np.nonzero(matrix)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.searchsorted(rows, np.arange(matrix.shape[0] + 1))
    lp.a_matrix_.index_, lp.a_matrix_.value_ = cols, matrix[rows, cols]
    solver = new_highs()
    solver.passModel(lp)
    solver.run()
    status = solver.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise GameError(
            f"The {what} linear program did not solve (HiGHS: "
            f"{solver.modelStatusToString(status)}). Check the game's values for extreme "
            "magnitudes (rescale, e.g. to US$ million) and report the game if it persists."
        )
    return solver.getSolution()


def _solve_excess_lp(
    free: Sequence[int],
    free_values: np.ndarray,
    fixed: Sequence[tuple[int, float]],
    lower: np.ndarray,
    what: str,
) -> _LPSolution:
    """Solve ``min t`` s.t. ``x(S) + t >= v(S)`` (S free, ``free_values`` its ``v(S)``),
    ``x(S) = b`` ((S, b) fixed), ``x >= lower``."""
    n = len(lower)
    a_fixed = np.hstack([_incidence([m for m, _ in fixed], n), np.zeros((len(fixed), 1))])
    a_free = np.hstack([_incidence(free, n), np.ones((len(free), 1))])
    rhs = np.array([b for _, b in fixed], dtype=float)
    inf = np.full(len(free), highspy.kHighsInf)
    solution = _run_highs(
        cost=np.r_[np.zeros(n), 1.0],
        bounds=(np.r_[lower, -highspy.kHighsInf], np.full(n + 1, highspy.kHighsInf)),
        matrix=np.vstack([a_fixed, a_free]),
        row_bounds=(np.r_[rhs, free_values], np.r_[rhs, inf]),
        what=what,
    )
    z, duals = np.array(solution.col_value), np.array(solution.row_dual)
    return _LPSolution(z[:n], float(z[n]), duals[len(fixed) :], np.array(solution.col_dual)[:n])


# ----------------------------------------------------------------------------- least core


@dataclass(frozen=True)
class LeastCore:
    """The least core of a game.

    Attributes
    ----------
    epsilon
        ``ε* = min ε`` s.t. ``x(S) >= v(S) - ε`` for all ``S ≠ ∅, N`` and ``x(N) = v(N)``:
        the smallest uniform subsidy (``ε* > 0``) or penalty (``ε* <= 0``) on leaving that
        makes a stable allocation possible. The core is non-empty exactly when
        ``ε* <= 0``. ``-inf`` for a one-player game (no coalition can leave).
    allocation
        One allocation attaining ``ε*`` (the least core can hold many; the nucleolus is a
        distinguished one).
    """

    epsilon: float
    allocation: dict[str, float]


def least_core(game: Game) -> LeastCore:
    """Least core: the allocations minimising the largest excess of a proper coalition.

    Solves ``min ε`` s.t. ``x(S) + ε >= v(S)`` for every coalition ``S ≠ ∅, N`` and
    ``x(N) = v(N)`` (Maschler, Peleg and Shapley 1979) with HiGHS.
    """
    n, v = len(game.players), game._vector
    full = (1 << n) - 1
    if n == 1:
        return LeastCore(-math.inf, {game.players[0]: float(v[full])})
    proper = _proper_masks(n)
    lp = _solve_excess_lp(proper, v[proper], [(full, v[full])], np.full(n, -np.inf), "least-core")
    return LeastCore(lp.level + 0.0, dict(zip(game.players, (lp.x + 0.0).tolist(), strict=True)))


# ----------------------------------------------------------------------------- nucleolus


def _outside_span(free: Sequence[int], fixed: Sequence[tuple[int, float]], n: int) -> list[int]:
    """The free coalitions whose characteristic vector is not spanned by the fixed ones."""
    basis = _span_basis(fixed, n)
    vectors = _incidence(free, n)
    residual = np.linalg.norm(vectors - vectors @ basis.T @ basis, axis=1)
    return [m for m, r in zip(free, residual, strict=True) if r > _SPAN_TOL]


def _span_basis(fixed: Sequence[tuple[int, float]], n: int) -> np.ndarray:
    """Orthonormal rows spanning the characteristic vectors of the fixed coalitions."""
    _, singular, vt = np.linalg.svd(_incidence([m for m, _ in fixed], n))
    return vt[: int((singular > _SPAN_TOL * singular[0]).sum())]


def _check_imputations(standalone: float, grand: float, scale: float) -> None:
    """Raise unless the standalone values add up to at most v(N) (imputations exist)."""
    if standalone > grand + 1e-9 * scale:
        raise GameError(
            "The nucleolus is defined on imputations (allocations giving every player at "
            f"least its standalone value), but the standalone values add up to {standalone:g}, "
            f"more than v(N) = {grand:g}: no such allocation exists. Check the values."
        )


def _nucleolus_round(
    v: np.ndarray, free: list[int], fixed: list[tuple[int, float]], lower: np.ndarray
) -> list[int]:
    """One LP of the sequence: fix the coalitions tight in every optimum; return the rest."""
    lp = _solve_excess_lp(free, v[free], fixed, lower, "nucleolus")
    return _fix_tight(lp, free, v[free], fixed, lower)


def _fix_tight(
    lp: _LPSolution,
    free: list[int],
    free_values: np.ndarray,
    fixed: list[tuple[int, float]],
    lower: np.ndarray,
) -> list[int]:
    """Fix (append to `fixed`) the free coalitions whose constraint has a positive dual, at
    ``x(S) = v(S) - t``, and the bounds ``x_i >= lower_i`` with a non-zero reduced cost: tight
    in every optimum of the LP. Return the other free coalitions outside the fixed span."""
    tight = {m for m, y in zip(free, lp.free_duals, strict=True) if abs(y) > _DUAL_TOL}
    if not tight:
        raise GameError("The nucleolus LP returned no binding coalition; rescale the values.")
    fixed += [(m, b - lp.level) for m, b in zip(free, free_values, strict=True) if m in tight]
    at_bound = np.abs(lp.bound_duals) > _DUAL_TOL
    fixed += [(1 << i, lower[i]) for i in np.flatnonzero(at_bound)]
    rest = [m for m in free if m not in tight]
    return _outside_span(rest, fixed, len(lower)) if rest else []


def _fixed_allocation(fixed: list[tuple[int, float]], n: int) -> np.ndarray:
    """The allocation the fixed equations ``x(S) = b`` determine."""
    equations = _incidence([m for m, _ in fixed], n)
    x = np.linalg.lstsq(equations, np.array([b for _, b in fixed]), rcond=None)[0]
    return x + 0.0  # no -0.0


def nucleolus(game: Game) -> dict[str, float]:
    """Nucleolus (Schmeidler 1969): the imputation that lexicographically minimises excesses.

    Among imputations ``x`` (``x(N) = v(N)``, ``x_i >= v({i})``), the nucleolus makes the
    largest excess ``max_S e(S, x)`` as small as possible, then the second largest, and so
    on. It is unique, lies in the core when the core is non-empty, and is in the least core
    whenever the least core contains an imputation.

    Computed by a sequence of LPs solved with HiGHS (Maschler, Peleg and Shapley 1979):
    round ``k`` solves ``min t`` s.t. ``e(S, x) <= t`` for the free coalitions, the excesses
    fixed in earlier rounds and ``x`` an imputation; coalitions whose constraint has a
    positive dual value are tight in *every* optimum (complementary slackness) and are fixed
    at ``e(S, x) = t_k``, as are bounds ``x_i >= v({i})`` with non-zero reduced cost.
    Coalitions whose characteristic vectors are spanned by fixed ones have a constant
    excess and are dropped. When none remain, the fixed equations determine ``x``.

    Raises
    ------
    GameError
        The standalone values add up to more than ``v(N)`` (no imputation exists).
    """
    n, v = len(game.players), game._vector
    full = (1 << n) - 1
    if n == 1:
        return {game.players[0]: float(v[full])}
    lower = v[[1 << i for i in range(n)]]
    _check_imputations(float(lower.sum()), float(v[full]), game._scale)
    free, fixed = _proper_masks(n), [(full, float(v[full]))]
    while free:
        free = _nucleolus_round(v, free, fixed, lower)
    return dict(zip(game.players, _fixed_allocation(fixed, n).tolist(), strict=True))


# ----------------------------------------------------------------------------- core check


@dataclass(frozen=True)
class CoreCheck:
    """Whether an allocation is in the core, and which coalition is least satisfied.

    Attributes
    ----------
    in_core
        ``efficient`` and ``e(S, x) <= tol`` for every coalition ``S ≠ ∅, N``.
    efficient
        ``x(N) = v(N)`` within the tolerance: exactly the grand coalition's savings are
        shared out.
    worst_coalition
        The coalition ``S ≠ ∅, N`` with the largest excess (for one player: ``N``); ties go
        to the smallest coalition.
    worst_excess
        Its excess ``v(S) - x(S)``; ``> 0`` means ``S`` would walk away.
    message
        The verdict in plain words, naming the coalition and the amounts.
    """

    in_core: bool
    efficient: bool
    worst_coalition: frozenset[str]
    worst_excess: float
    message: str


def _allocation_vector(game: Game, allocation: Mapping[str, float]) -> np.ndarray:
    unknown = [p for p in allocation if p not in game.players]
    missing = [p for p in game.players if p not in allocation]
    if unknown or missing:
        raise GameError(
            "The allocation must give a share to exactly the players "
            f"{', '.join(game.players)}; unknown: {', '.join(map(str, unknown)) or 'none'}, "
            f"missing: {', '.join(missing) or 'none'}."
        )
    return np.array([_as_number(p, allocation[p]) for p in game.players])


def _core_message(game: Game, x: np.ndarray, worst: int, excess: float, tol: float) -> str:
    total, grand, label = float(x.sum()), float(game._vector[-1]), _mask_label(worst, game.players)
    parts = []
    if abs(total - grand) > tol:
        gap = (
            f"{grand - total:.6g} left undistributed"
            if total < grand
            else f"{total - grand:.6g} more than there is"
        )
        parts.append(
            f"Not efficient: the shares add up to {total:.6g} but the grand coalition saves "
            f"{grand:.6g} ({gap})."
        )
    if excess > tol:
        alone = float(game._vector[worst])
        parts.append(
            f"Coalition {label} would walk away: on its own it saves {alone:.6g}, but its "
            f"members are given {alone - excess:.6g} ({excess:.6g} less)."
        )
    if parts:
        return " ".join(parts)
    return (
        "In the core: the shares add up to the grand coalition's savings and no coalition "
        f"would save more on its own; the closest is {label} (margin {-excess:.6g})."
    )


def core_check(game: Game, allocation: Mapping[str, float], tol: float = 1e-9) -> CoreCheck:
    """Test core membership of ``allocation`` and name the most dissatisfied coalition.

    The core is ``{x : x(N) = v(N), x(S) >= v(S) for all S ⊆ N}``: allocations no
    coalition would leave. The worst coalition maximises the excess ``e(S, x) = v(S) - x(S)``
    over ``S ≠ ∅, N``.

    Parameters
    ----------
    game
        The savings game.
    allocation
        Player -> share, for every player of the game.
    tol
        Tolerance, relative to the largest ``|v(S)|`` (or 1 if that is smaller), for the
        efficiency and excess tests.
    """
    x = _allocation_vector(game, allocation)
    n, v = len(game.players), game._vector
    scaled_tol = tol * game._scale
    candidates = np.array(_proper_masks(n) if n > 1 else [1], dtype=np.int64)
    excess = v[candidates] - _coalition_sums(x)[candidates]
    k = int(np.argmax(excess))
    efficient = abs(float(x.sum()) - v[-1]) <= scaled_tol
    return CoreCheck(
        in_core=bool(efficient and excess[k] <= scaled_tol),
        efficient=bool(efficient),
        worst_coalition=_mask_members(int(candidates[k]), game.players),
        worst_excess=float(excess[k]),
        message=_core_message(game, x, int(candidates[k]), float(excess[k]), scaled_tol),
    )
