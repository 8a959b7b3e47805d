"""Offtake credit shares: a fixed point of the rule, the cheapest one found.

Under the offtake rule a supergrid project p shares its credits by the energy it delivers,

    s[p,r] = E[p,r] / Σ_r' E[p,r'],   E[p,r] = Σ_t years[t]·a[p,r,t]   (TWh over the horizon),

but the deliveries a are what the solve under s chooses. The shares are a fixed point

    s = F(s),   F(s) = the rule's shares (`set_credit_shares`) of what the solve under s delivers,

held to |F(s) − s|∞ ≤ TOLERANCE for every offtake project that delivers energy. A project that
delivers nothing generates no credits, so any shares are consistent with that solve: the
"nothing delivered" point.

F comes from a MILP: it jumps, a scenario may have several fixed points besides "nothing
delivered", and one iteration from equal shares can stop at "nothing delivered" although other
shares, consistent with what they deliver, build the project at a lower total cost. So the
search iterates from several starts:

  1. equal shares among the participants (the rule before any solve);
  2. the delivered-energy shares of a solve under the host rule (π = 0: credits stay where the
     power is displaced);
  3. each receiving region's vertex (all of one project's credits to that region);

each by damped iteration s ← s + α·(F(s) − s): α = 1 while the residual |F(s) − s|∞ falls,
halved for good when it does not (an oscillation), and halved for one move while the move would
repeat a point (a cycle) or lands where nothing is delivered (an overshoot past the shares that
build: "nothing delivered" is no place to stop a start that builds). A start is given up once
α < MIN_STEP or after ROUNDS_PER_START solves, and stopped where it meets a point another start
solved. Every solve is a candidate. Of the consistent ones the lowest objective wins; a
"nothing delivered" point only if no consistent point delivers. That loses nothing: not
building costs the same under any shares, so the solve under a consistent s* that builds found
building cheaper, J(s*) ≤ J(nothing delivered), up to the MIP gap. The chosen shares are
written back and re-solved unless they were solved last, so the solution returned belongs to
them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from abatelink.errors import SolveError
from abatelink.inputs.scenario import Inputs, SolverOptions
from abatelink.model.levers import set_credit_shares
from abatelink.solve.session import Session, Solution

TOLERANCE = 1e-6  # |F(s) − s|∞ of a consistent point (shares)
NOTHING_TWH = 1e-9  # a project delivering less over the horizon delivers nothing
MIN_STEP = 1 / 32  # damping below which a start is given up
ROUNDS_PER_START = 30
MAX_ROUNDS = 200  # solves in all, before the chosen shares are confirmed

Shares = dict[str, dict[str, float]]  # project → region → share
Key = tuple[tuple[str, str, float], ...]


@dataclass(frozen=True)
class Point:
    """One solve: the shares written, what it returned, and F of it.

    `target` holds F(s) of each project that delivers energy; `residual` is
    max_p |F(s)[p] − s[p]|∞ over those projects (0 if none delivers).
    """

    shares: Shares
    solution: Solution
    target: Shares

    @property
    def delivers(self) -> bool:
        return bool(self.target)

    @property
    def residual(self) -> float:
        return max((_distance(self.shares[p], t) for p, t in self.target.items()), default=0.0)

    @property
    def consistent(self) -> bool:
        return self.solution.has_solution and self.residual <= TOLERANCE


def solve_offtake(session: Session, inputs: Inputs, options: SolverOptions) -> tuple[Solution, int]:
    """Solve with offtake shares at the cheapest fixed point found (module docstring).

    Returns the solution and the number of solves made to settle the shares (0 without
    offtake projects, where the model is solved once as it stands).
    """
    projects = [p for p, rule in inputs.credit_rules.items() if rule == "offtake"]
    if not projects:
        return session.solve(options), 0
    search = _Search(session, inputs, options, projects)
    first = search.iterate(dict.fromkeys(projects))
    if not first.solution.has_solution:
        return first.solution, search.solves
    for start in (search.host_start(), *search.vertices()):
        if start is not None and search.solves < MAX_ROUNDS:
            search.iterate(start)
    return search.confirm_best(), search.solves


def delivered_energy(session: Session, solution: Solution) -> dict[str, dict[str, float]]:
    """Energy each supergrid project delivers to each region over the horizon (TWh)."""
    model = session.model
    absorbed = session.values(solution, model.pyomo.absorbed_twh)
    out: dict[str, dict[str, float]] = {}
    for (project, region, t), twh in absorbed.items():
        years = model.index.period_years[t]
        out.setdefault(project, {})
        out[project][region] = out[project].get(region, 0.0) + years * twh
    return out


class _Search:
    """The points solved so far (by their shares) and the solves made."""

    def __init__(
        self, session: Session, inputs: Inputs, options: SolverOptions, projects: list[str]
    ) -> None:
        self.session, self.inputs, self.options = session, inputs, options
        self.projects = projects
        self.points: dict[Key, Point] = {}
        self.solves = 0
        self.last: Key | None = None  # the point the session holds (its last solve)

    def write(self, shares: dict[str, dict[str, float] | None]) -> Shares:
        """Set each project's shares through its rule (None: the rule's start, equal shares);
        return them as written (normalised, renormalised over a coalition)."""
        model = self.session.model
        return {p: set_credit_shares(model, self.inputs, p, shares.get(p)) for p in self.projects}

    def solve(self, shares: Shares) -> Point:
        """Solve under `shares` (as written) and record the point."""
        solution = self.session.solve(self.options)
        self.solves += 1
        key = _key(shares)
        self.last = key
        target: Shares = {}
        if solution.has_solution:
            delivered = delivered_energy(self.session, solution)
            model = self.session.model
            for p in self.projects:
                energy = delivered.get(p, {})
                if sum(energy.values()) > NOTHING_TWH:
                    # the rule's shares of it; an empty result (delivered to non-members of
                    # a coalition only) pools nothing, like delivering nothing
                    shares_of_energy = set_credit_shares(model, self.inputs, p, energy)
                    if shares_of_energy:
                        target[p] = shares_of_energy
            self.write(shares)  # the parameters hold the shares this solution belongs to
        point = Point(shares, solution, target)
        self.points[key] = point
        return point

    def iterate(self, start: dict[str, dict[str, float] | None]) -> Point:
        """Damped fixed-point iteration from `start`; returns its first point.

        The damping α starts at 1 and is halved whenever the residual fails to fall (an
        oscillation, or F jumping to and fro); each move is a line search (`_move`).
        """
        shares = self.write(start)
        if _key(shares) in self.points:
            return self.points[_key(shares)]
        first = point = self.solve(shares)
        seen = {_key(shares)}
        damping, last_residual = 1.0, math.inf
        while point.solution.has_solution and point.delivers and not point.consistent:
            if point.residual >= last_residual:
                damping /= 2
            last_residual = point.residual
            moved = self._move(point, damping, seen)
            if moved is None:
                break
            point = moved
        return first

    def _move(self, point: Point, damping: float, seen: set[Key]) -> Point | None:
        """Solve at s + α·(F(s) − s), α = `damping` halved while the shares would repeat a
        point of this start (a cycle) or the solve delivers nothing (an overshoot: F(s) lies
        beyond the shares that build). None once α < MIN_STEP or the start has used its
        solves, or where the step meets a point another start solved (and went on from)."""
        step = damping
        while step >= MIN_STEP and len(seen) < ROUNDS_PER_START and self.solves < MAX_ROUNDS:
            shares = self.write(_mix(point, step))
            key = _key(shares)
            if key in seen:
                step /= 2
                continue
            if key in self.points:
                return None
            seen.add(key)
            moved = self.solve(shares)
            if moved.solution.has_solution and not moved.delivers:
                step /= 2
                continue
            return moved
        return None

    def host_start(self) -> dict[str, dict[str, float] | None] | None:
        """The delivered-energy shares of a solve with the offtake projects' credits kept
        where the power is displaced (π = 0); None if it delivers nothing."""
        m = self.session.model.pyomo
        for key in m.credit_pooled:
            if (key[0] if isinstance(key, tuple) else key) in self.projects:
                m.credit_pooled[key] = 0.0
        solution = self.session.solve(self.options)
        self.solves += 1
        self.last = None
        if not solution.has_solution:
            return None
        delivered = delivered_energy(self.session, solution)
        start = {p: delivered.get(p) for p in self.projects}
        start = {p: e if e and sum(e.values()) > NOTHING_TWH else None for p, e in start.items()}
        return start if any(e is not None for e in start.values()) else None

    def vertices(self) -> list[dict[str, dict[str, float] | None]]:
        """For each project and each region it can deliver to: all its credits to that region,
        the other projects' shares equal."""
        receivers = self.session.model.index.projects.absorption_keys
        out = []
        for p in self.projects:
            for region in dict.fromkeys(r for q, r, _ in receivers if q == p):
                out.append({**dict.fromkeys(self.projects), p: {region: 1.0}})
        return out

    def best(self) -> Point | None:
        """The consistent point with the lowest objective, one that delivers if any does."""
        consistent = [p for p in self.points.values() if p.consistent]
        pool = [p for p in consistent if p.delivers] or consistent
        return min(pool, key=lambda p: p.solution.objective, default=None)

    def confirm_best(self) -> Solution:
        """The best point's solution, re-solved under its shares unless solved last. A re-solve
        that is no longer consistent (another optimum of a MILP) drops the point."""
        while (best := self.best()) is not None:
            key = _key(best.shares)
            if self.last == key:
                return best.solution
            point = self.solve(self.write(best.shares))
            if point.consistent:
                return point.solution
        closest = min((p.residual for p in self.points.values()), default=math.inf)
        raise SolveError(
            f"offtake shares found no fixed point in {self.solves} solves: the closest leaves "
            f"shares {closest:.3g} from the delivered-energy shares"
        )


def _mix(point: Point, step: float) -> dict[str, dict[str, float] | None]:
    """s + α·(F(s) − s) for each project that delivers; the others keep their shares."""
    out: dict[str, dict[str, float] | None] = {}
    for p, shares in point.shares.items():
        target = point.target.get(p)
        if target is None:
            out[p] = shares or None
            continue
        regions = dict.fromkeys([*shares, *target])
        out[p] = {r: (1 - step) * shares.get(r, 0.0) + step * target.get(r, 0.0) for r in regions}
    return out


def _distance(a: dict[str, float], b: dict[str, float]) -> float:
    return max((abs(a.get(r, 0.0) - b.get(r, 0.0)) for r in {*a, *b}), default=0.0)


def _key(shares: Shares | dict[str, dict[str, float] | None]) -> Key:
    """Shares rounded well below TOLERANCE, as a dictionary key."""
    return tuple(
        (p, r, round(v, 12))
        for p in sorted(shares)
        for r, v in sorted((shares[p] or {}).items())
        if round(v, 12) != 0
    )
