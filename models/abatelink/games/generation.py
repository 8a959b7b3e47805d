"""Least core and nucleolus without all 2^n coalitions: constraint generation.

The least core LP (`solutions.least_core`) has one row per coalition,

    min ε   s.t.   x(N) = v(N),   x(S) + ε >= v(S)   for every S ≠ ∅, N,

but at its optimum only a few rows bind. Constraint generation solves it over the coalitions
evaluated so far (at first the singletons and the complements N∖{i}), asks a *separation
oracle* for coalitions whose excess ``e(S, x) = v(S) - x(S)`` at the LP's x exceeds its ε by
more than the tolerance, evaluates them, and re-solves, until the oracle finds none. The LP
over a subset of the rows is a relaxation, so each ε it returns is a lower bound on the least
core's ε*; when an exact oracle finds no violated coalition, (x, ε) is optimal for all rows.

The nucleolus (`solutions.nucleolus`) is the same sequence of LPs, each solved this way; the
rows with a positive dual in a round are tight in every optimum of the full LP too (the duals
extended by zeros stay optimal), so they are fixed exactly as by enumeration, and the rounds
end when the fixed rows determine x.

Separation oracles (``oracle=``):

- ``"exact"``: evaluates every coalition (2^n - 2 of them): exact, for games small enough
  to enumerate or whose values are cheap; the result is the enumeration's.
- ``"local"`` (a documented heuristic): steepest ascent on e(·, x) over the neighbours one
  player away (added or dropped) and, with ``swaps``, one swap away, from the ``starts``
  evaluated coalitions of largest excess and ``random_starts`` random ones; every neighbour
  looked at is evaluated and kept. It certifies no more than this: no coalition it
  evaluated, and no neighbour of an ascent's end, has an excess above ε + tolerance. The
  bound it states is one-sided: ε returned is a rigorous lower bound on ε* (a relaxation);
  ``audit`` random coalitions (uniform over the proper ones), all evaluated, give the other
  side in probability: if none is violated, with 95 % confidence fewer than a share
  3/audit of all coalitions are (the rule of three).
- a `Separation` of the game's own, e.g. `membership.MembershipMILP` for a linked-market
  game: exact, and two-sided. The local search runs first (cheap violators); when it finds
  none, the separation proposes the coalition of largest excess, evaluated by the game
  itself, and bounds every excess from above: a bound <= ε + tolerance certifies (x, ε).
  Least core only (the nucleolus's later rounds must skip coalitions spanned by fixed ones,
  which a MILP over membership cannot express).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from abatelink.games.solutions import (
    _SPAN_TOL,
    GameError,
    _as_number,
    _check_imputations,
    _check_players,
    _fix_tight,
    _fixed_allocation,
    _incidence,
    _mask_label,
    _mask_members,
    _solve_excess_lp,
    _span_basis,
)

__all__ = ["Generated", "Separation", "least_core_by_generation", "nucleolus_by_generation"]

Allowed = Callable[[int], bool]
_CONFIDENCE_FACTOR = 3.0  # rule of three: -ln(0.05) ≈ 3


class Separation(Protocol):
    """An exact separation oracle of a game's own: the coalition of largest excess at x (in
    the order of `players`) if above `threshold`, and an upper bound on every proper
    coalition's excess."""

    players: tuple[str, ...]

    def propose(self, x: np.ndarray, threshold: float) -> tuple[list[frozenset[str]], float]: ...


Oracle = Literal["exact", "local"] | Separation


@dataclass(frozen=True)
class Generated:
    """A least core or nucleolus found by constraint generation, and what it cost.

    Attributes
    ----------
    allocation
        Player -> share of v(N).
    epsilon
        The least core's ε (for the nucleolus: its first round's level, the same ε), a lower
        bound on the true one whatever the oracle.
    n_evaluations
        Distinct coalitions whose value was computed (∅ not counted).
    n_rows
        Coalition rows of the last LP solved.
    n_lps
        LPs solved.
    max_excess
        Largest excess ``v(S) - x(S)`` over the evaluated proper coalitions at the allocation.
    excess_bound
        An upper bound on every proper coalition's excess at the allocation from an exact
        oracle (None from the local one): the least core is certified when it is at most
        ε + tolerance.
    oracle
        ``"exact"``, ``"local"`` or the name of the `Separation` used.
    tolerance
        The absolute tolerance on excesses (``tolerance`` times the largest ``|v(S)|``).
    audited, audit_violations
        Random coalitions evaluated to audit the result, and how many of them had an excess
        above ε + tolerance.
    """

    allocation: dict[str, float]
    epsilon: float
    n_evaluations: int
    n_rows: int
    n_lps: int
    max_excess: float
    excess_bound: float | None
    oracle: str
    tolerance: float
    audited: int = 0
    audit_violations: int = 0

    @property
    def certified(self) -> bool:
        """Whether an exact oracle bounds every excess by ε + tolerance: (x, ε) is optimal."""
        return self.excess_bound is not None and self.excess_bound <= self.epsilon + self.tolerance

    @property
    def violated_share_bound(self) -> float | None:
        """With 95 % confidence, at most this share of all coalitions is violated (when the
        audit found none; None without an audit)."""
        if not self.audited or self.audit_violations:
            return None
        return _CONFIDENCE_FACTOR / self.audited


class _Values:
    """Coalitions evaluated so far, as bit masks (bit i: players[i] in S), and their values."""

    def __init__(self, players: tuple[str, ...], value_fn: Callable[[frozenset[str]], float]):
        self.players, self.n, self.value_fn = players, len(players), value_fn
        self.full = (1 << self.n) - 1
        self.values: dict[int, float] = {0: 0.0}

    def __call__(self, mask: int) -> float:
        if mask not in self.values:
            members = _mask_members(mask, self.players)
            label = _mask_label(mask, self.players)
            self.values[mask] = _as_number(label, self.value_fn(members))
        return self.values[mask]

    def mask(self, members: frozenset[str]) -> int:
        return sum(1 << i for i, p in enumerate(self.players) if p in members)

    @property
    def evaluations(self) -> int:
        return len(self.values) - 1

    @property
    def scale(self) -> float:
        return max(1.0, max(abs(v) for v in self.values.values()))

    def proper(self) -> tuple[np.ndarray, np.ndarray]:
        """Masks and values of the evaluated coalitions other than ∅ and N."""
        masks = [m for m in self.values if 0 < m < self.full]
        return np.array(masks, dtype=np.int64), np.array([self.values[m] for m in masks])

    def excesses(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Masks of the evaluated proper coalitions and their excesses v(S) - x(S) at x."""
        masks, vals = self.proper()
        return masks, vals - _incidence(masks, self.n) @ x

    def excess(self, mask: int, x: np.ndarray) -> float:
        """v(S) - x(S) of one coalition (evaluated if need be)."""
        return self(mask) - float(x[[i for i in range(self.n) if mask >> i & 1]].sum())


@dataclass
class _Search:
    """A separation oracle (module docstring) over the values, with its settings."""

    values: _Values
    oracle: Oracle
    starts: int
    random_starts: int
    swaps: bool
    rng: np.random.Generator

    @property
    def name(self) -> str:
        return self.oracle if isinstance(self.oracle, str) else type(self.oracle).__name__

    def violated(
        self, x: np.ndarray, threshold: float, allowed: Allowed
    ) -> tuple[list[int], float | None]:
        """Evaluate coalitions in search of excesses above `threshold` at x. Returns the
        allowed ones found, largest excess first, and an upper bound on every allowed
        coalition's excess when the oracle gives one."""
        if self.oracle == "exact":
            for mask in range(1, self.values.full):
                self.values(mask)
            masks, excess = self.values.excesses(x)
            kept = [(e, m) for m, e in zip(masks.tolist(), excess, strict=True) if allowed(m)]
            return [m for e, m in sorted(kept, reverse=True) if e > threshold], max(kept)[0]
        found = self._local(x, threshold, allowed)
        if found or self.oracle == "local":
            return found, None
        return self._separate(x, threshold)

    def _separate(self, x: np.ndarray, threshold: float) -> tuple[list[int], float]:
        """Ask the game's own separation; its proposals are evaluated by the game."""
        proposals, bound = self.oracle.propose(x, threshold)
        masks = [self.values.mask(members) for members in proposals]
        found = [m for m in masks if self.values.excess(m, x) > threshold]
        if masks and not found:
            labels = ", ".join(_mask_label(m, self.values.players) for m in masks)
            raise GameError(
                f"{self.name} proposed {labels} with an excess above {threshold:g}, but the "
                "game gives it less: its relaxation is not tight for this game. Use "
                "oracle='local'."
            )
        return found, bound

    def _local(self, x: np.ndarray, threshold: float, allowed: Allowed) -> list[int]:
        found: dict[int, float] = {}
        for start in self._starts(x, allowed):
            self._ascend(start, x, threshold, allowed, found)
            if found:
                break
        return sorted(found, key=lambda m: -found[m])

    def _starts(self, x: np.ndarray, allowed: Allowed) -> list[int]:
        """The allowed evaluated coalitions of largest excess, then random coalitions."""
        masks, excess = self.values.excesses(x)
        ranked = [int(m) for m in masks[np.argsort(-excess, kind="stable")] if allowed(int(m))]
        randoms = self.rng.integers(1, self.values.full, size=self.random_starts).tolist()
        return ranked[: self.starts] + randoms

    def _neighbours(self, mask: int) -> list[int]:
        """Proper coalitions one player away (added or dropped) and, with `swaps`, one swap
        away (a member out, an outsider in)."""
        n, full = self.values.n, self.values.full
        flips = [m for i in range(n) if 0 < (m := mask ^ 1 << i) < full]
        if not self.swaps:
            return flips
        inside = [i for i in range(n) if mask >> i & 1]
        outside = [j for j in range(n) if not mask >> j & 1]
        return flips + [mask ^ (1 << i) ^ (1 << j) for i in inside for j in outside]

    def _ascend(
        self, mask: int, x: np.ndarray, threshold: float, allowed: Allowed, found: dict
    ) -> None:
        """Move to the best neighbour while it raises the excess; record violators."""
        current = self.values.excess(mask, x)
        while True:
            neighbours = self._neighbours(mask)
            excesses = [self.values.excess(m, x) for m in neighbours]
            for m, e in zip(neighbours, excesses, strict=True):
                if e > threshold and allowed(m):
                    found[m] = e
            k = int(np.argmax(excesses))
            if excesses[k] <= current:
                return
            mask, current = neighbours[k], excesses[k]


def _search(
    players: Sequence[str],
    value_fn: Callable[[frozenset[str]], float],
    oracle: Oracle,
    settings: tuple[int, int, bool],
    seed: int | None,
    known: Mapping[frozenset[str], float] | None = None,
) -> _Search:
    """The oracle, with the `known` values, the singletons, their complements and N."""
    names = _check_players(players)
    if isinstance(oracle, str) and oracle not in ("exact", "local"):
        raise GameError(f"oracle must be 'exact', 'local' or a Separation, not {oracle!r}.")
    if not isinstance(oracle, str) and tuple(oracle.players) != names:
        raise GameError("The separation oracle must list the same players in the same order.")
    values = _Values(names, value_fn)
    for members, value in (known or {}).items():
        if members:
            values.values[values.mask(members)] = _as_number(sorted(members), value)
    for i in range(len(names)):
        values(1 << i)
        values(values.full ^ (1 << i))
    return _Search(values, oracle, *settings, rng=np.random.default_rng(seed))


def least_core_by_generation(
    players: Sequence[str],
    value_fn: Callable[[frozenset[str]], float],
    *,
    tolerance: float = 1e-6,
    oracle: Oracle = "local",
    starts: int = 3,
    random_starts: int = 1,
    swaps: bool = False,
    audit: int = 0,
    max_lps: int = 1000,
    seed: int | None = 0,
    known: Mapping[frozenset[str], float] | None = None,
) -> Generated:
    """Least core ``min ε`` s.t. ``x(N) = v(N)``, ``x(S) + ε >= v(S)`` by constraint
    generation (module docstring): each LP has a row for every evaluated coalition.

    Parameters
    ----------
    players, value_fn
        The players and the savings ``v(S)`` of a coalition (``frozenset`` of names; each
        evaluated once).
    tolerance
        A coalition is violated when its excess exceeds ε by more than ``tolerance`` times
        the largest ``|v(S)|`` evaluated (at least 1).
    oracle, starts, random_starts, swaps
        The separation oracle and the local search's ascents: from how many evaluated
        coalitions of largest excess and random ones, with swap moves or not.
    audit
        Random proper coalitions evaluated at the end to audit the result.
    max_lps
        LPs solved at most (a GameError beyond).
    seed
        Seed of the random starts and the audit.
    known
        Values already computed (e.g. while sampling the Shapley value): rows from the start.
    """
    search = _search(players, value_fn, oracle, (starts, random_starts, swaps), seed, known)
    values = search.values
    if values.n == 1:
        return _one_player(search)
    grand = [(values.full, values(values.full))]
    for lps in range(1, max_lps + 1):
        masks, vals = values.proper()
        lp = _solve_excess_lp(masks.tolist(), vals, grand, np.full(values.n, -np.inf), "least-core")
        tol = tolerance * values.scale
        found, bound = search.violated(lp.x, lp.level + tol, lambda m: True)
        if not found:
            return _result(search, lp.x, lp.level, (len(masks), lps, bound), audit, tol)
    raise GameError(f"The least core did not converge in {max_lps} LPs; raise max_lps.")


def nucleolus_by_generation(
    players: Sequence[str],
    value_fn: Callable[[frozenset[str]], float],
    *,
    tolerance: float = 1e-6,
    oracle: Literal["exact", "local"] = "local",
    starts: int = 3,
    random_starts: int = 1,
    swaps: bool = False,
    max_lps: int = 1000,
    seed: int | None = 0,
    known: Mapping[frozenset[str], float] | None = None,
) -> Generated:
    """Nucleolus by the sequence of LPs of `solutions.nucleolus`, each solved by constraint
    generation (module docstring; parameters as `least_core_by_generation`).

    Round k solves ``min t`` s.t. ``x(S) + t >= v(S)`` for the evaluated coalitions outside
    the span of the fixed ones, ``x(S) = b`` for the fixed ones and ``x_i >= v({i})``; the
    oracle adds coalitions outside that span whose excess exceeds t; then the rows (and
    bounds) tight in every optimum are fixed. It ends when the fixed rows determine x.
    """
    if not isinstance(oracle, str):
        raise GameError("The nucleolus takes oracle='exact' or 'local' (module docstring).")
    search = _search(players, value_fn, oracle, (starts, random_starts, swaps), seed, known)
    values = search.values
    n, full = values.n, values.full
    if n == 1:
        return _one_player(search)
    lower = np.array([values(1 << i) for i in range(n)])
    _check_imputations(float(lower.sum()), values(full), values.scale)
    fixed: list[tuple[int, float]] = [(full, values(full))]
    first_level, lps, bound = None, 0, None
    while len(_span_basis(fixed, n)) < n:
        allowed = _outside(fixed, n)
        while True:
            lps += 1
            if lps > max_lps:
                raise GameError(f"The nucleolus did not converge in {max_lps} LPs.")
            free = [m for m in values.values if 0 < m < full and allowed(m)]
            free_values = np.array([values(m) for m in free])
            lp = _solve_excess_lp(free, free_values, fixed, lower, "nucleolus")
            tol = tolerance * values.scale
            found, round_bound = search.violated(lp.x, lp.level + tol, allowed)
            if not found:
                break
        if first_level is None:
            first_level, bound = lp.level, round_bound
        _fix_tight(lp, free, free_values, fixed, lower)
    x = _fixed_allocation(fixed, n)
    return _result(search, x, first_level, (len(free), lps, bound), 0, tolerance * values.scale)


def _outside(fixed: list[tuple[int, float]], n: int) -> Allowed:
    """Whether a coalition is neither fixed nor spanned by the fixed ones (memoised)."""
    basis, memo = _span_basis(fixed, n), {}

    def allowed(mask: int) -> bool:
        if mask not in memo:
            vector = _incidence([mask], n)[0]
            memo[mask] = bool(np.linalg.norm(vector - vector @ basis.T @ basis) > _SPAN_TOL)
        return memo[mask]

    return allowed


def _one_player(search: _Search) -> Generated:
    values = search.values
    grand = values(values.full)
    return Generated({values.players[0]: grand}, -np.inf, 1, 0, 0, -np.inf, None, search.name, 0.0)


def _result(
    search: _Search,
    x: np.ndarray,
    level: float,
    work: tuple[int, int, float | None],
    audit: int,
    tol: float,
) -> Generated:
    """The allocation with what it cost (rows, LPs, the oracle's bound), the largest
    evaluated excess, and an audit of `audit` random coalitions."""
    values = search.values
    rows, lps, bound = work
    masks = search.rng.integers(1, values.full, size=audit).tolist() if audit else []
    violations = sum(values.excess(m, x) > level + tol for m in masks)
    _, excess = values.excesses(x)
    return Generated(
        allocation=dict(zip(values.players, (x + 0.0).tolist(), strict=True)),
        epsilon=float(level) + 0.0,
        n_evaluations=values.evaluations,
        n_rows=rows,
        n_lps=lps,
        max_excess=float(excess.max()),
        excess_bound=bound,
        oracle=search.name,
        tolerance=tol,
        audited=len(masks),
        audit_violations=int(violations),
    )
