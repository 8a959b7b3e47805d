"""The Shapley value of a game too large to enumerate: sampled orders, to a stated error.

Player i's marginal contribution in a random order π of the players,
``g_i(π) = v(P_i^π ∪ {i}) - v(P_i^π)`` (``P_i^π``: the players before i), is an unbiased
sample of its Shapley value φ_i. Orders are drawn in antithetic pairs (π and π reversed:
a player late in one is early in the other, so the two contributions are negatively
correlated); one sample is the pair's mean

    s_j = (g(π_j) + g(reverse π_j)) / 2,      φ̂ = mean_j s_j,      SE_i = sd_j(s_{j,i}) / √m,

over m pairs. Every sample adds up to v(N), so φ̂ is exactly efficient. Sampling stops when
the largest SE_i is at most the tolerance (after `min_samples` samples, so that the SE is an
estimate worth trusting), or at the budget of orders or of coalitions evaluated; the result
says which. Each coalition is evaluated once (cached), and the count is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from abatelink.games.solutions import GameError, _cached, _check_players, _order_gains

__all__ = ["ShapleySample", "shapley_by_sampling"]


@dataclass(frozen=True)
class ShapleySample:
    """A sampled Shapley value and how far to trust it.

    Attributes
    ----------
    value, std_error
        Player -> estimate φ̂_i and its standard error SE_i (module docstring).
    n_permutations
        Orders sampled (two per antithetic sample).
    n_evaluations
        Distinct coalitions evaluated (calls of ``value_fn``; ∅ is never evaluated).
    converged
        Whether the largest standard error reached the tolerance before the budget ran out.
    tolerance
        The tolerance asked for (same unit as the values).
    """

    value: dict[str, float]
    std_error: dict[str, float]
    n_permutations: int
    n_evaluations: int
    converged: bool
    tolerance: float

    @property
    def max_std_error(self) -> float:
        return max(self.std_error.values())


def shapley_by_sampling(
    players: Sequence[str],
    value_fn: Callable[[frozenset[str]], float],
    tolerance: float,
    *,
    max_permutations: int = 20_000,
    max_evaluations: int | None = None,
    min_samples: int = 32,
    antithetic: bool = True,
    seed: int | None = None,
) -> ShapleySample:
    """Shapley value by sampled orders until every standard error is at most `tolerance`.

    Parameters
    ----------
    players
        The distinct player names.
    value_fn
        Savings ``v(S)`` of a coalition (a ``frozenset`` of names); called once per coalition.
    tolerance
        Stop once ``max_i SE_i <= tolerance`` (same unit as the values, > 0).
    max_permutations, max_evaluations
        Budget: stop after this many orders, or once this many coalitions were evaluated.
    min_samples
        Samples drawn before the stopping rule is applied (at least 2).
    antithetic
        Draw orders in pairs (π, reverse π) and average each pair into one sample; otherwise
        each order is one sample.
    seed
        Seed of the random generator, for a reproducible estimate.
    """
    names = _check_players(players)
    if not tolerance > 0:
        raise GameError(f"tolerance must be a positive number, not {tolerance!r}.")
    if min_samples < 2:
        raise GameError(f"min_samples must be at least 2, not {min_samples!r}.")
    value, cache = _cached(value_fn, names)
    rng = np.random.default_rng(seed)
    per_sample = 2 if antithetic else 1
    moments = _Moments(len(names))
    converged = False
    while moments.count * per_sample < max_permutations:
        order = rng.permutation(len(names))
        sample = _order_gains(order, names, value)
        if antithetic:
            sample = (sample + _order_gains(order[::-1], names, value)) / 2
        moments.add(sample)
        if moments.count >= min_samples and moments.std_error().max() <= tolerance:
            converged = True
            break
        if max_evaluations is not None and len(cache) - 1 >= max_evaluations:
            break
    m = moments.count
    if m < 2:
        raise GameError("max_permutations leaves fewer than 2 samples; raise it.")
    return ShapleySample(
        value=dict(zip(names, moments.mean.tolist(), strict=True)),
        std_error=dict(zip(names, moments.std_error().tolist(), strict=True)),
        n_permutations=m * per_sample,
        n_evaluations=len(cache) - 1,
        converged=converged,
        tolerance=float(tolerance),
    )


class _Moments:
    """Running mean and sum of squared deviations of vector samples (Welford)."""

    def __init__(self, n: int) -> None:
        self.count, self.mean, self.squares = 0, np.zeros(n), np.zeros(n)

    def add(self, sample: np.ndarray) -> None:
        self.count += 1
        delta = sample - self.mean
        self.mean = self.mean + delta / self.count
        self.squares = self.squares + delta * (sample - self.mean)

    def std_error(self) -> np.ndarray:
        """sd / √m of the m samples (sd with ddof = 1)."""
        return np.sqrt(self.squares / (self.count - 1) / self.count)
