"""Which coalition of a linked-market game has the largest excess: one MILP over membership.

For allocation x, the separation problem of the least core is

    max_{S ≠ ∅, N} e(S, x) = max_S Σ_{i∈S} (c_i(alone) - x_i) - C(S),

C(S) the members' cost acting together. When a coalition changes only which cross-border
links are open (no joint projects) and the LP falls apart, with those links closed, into one
block per region (checked: connected components of the constraint matrix without the
cross-border trade columns, labelled by their market balances), member i's block is the LP
restricted to it, and a non-member's block can be scaled to zero. With z_i = 1 for a member,
every row of region i, lo_r <= a_r·y <= hi_r, becomes lo_r·z_i <= a_r·y <= hi_r·z_i, and every
finite column bound l_c <= y_c <= u_c of region i becomes l_c·z_i <= y_c <= u_c·z_i (the
perspective of the block: exact at z_i = 1, the origin at z_i = 0, which costs nothing because
the block's LP is bounded). The MILP

    min Σ_c cost_c·y_c + Σ_i (x_i - c_i(alone))·z_i   s.t. the scaled rows and bounds,
                                                         1 <= Σ_i z_i <= n - 1, z binary,

with the objective checked to equal Σ_r c_r (`member_costs`: every cost is some region's), has
optimum -max_S e(S, x) when no flow through a non-member helps the members; where one could
(a missing or costlier direct link), the MILP is a relaxation and its bound still bounds
every excess from above. Its dual bound is the certificate the least core's generation
reports; a proposed coalition is always evaluated by the model itself.
"""

from __future__ import annotations

import highspy
import numpy as np

from abatelink.games.coalitions import ModelValues
from abatelink.games.solutions import GameError
from abatelink.solve.highs import new_highs

_NOT_A_REGION = -1


class MembershipMILP:
    """The separation MILP (module docstring) of `values`' game, built once.

    `propose(x, threshold)` returns the coalition of largest excess if it exceeds `threshold`
    and an upper bound on every proper coalition's excess.
    """

    def __init__(self, values: ModelValues, time_limit: float = 120.0) -> None:
        model, session = values.model, values.session
        if model.index.projects.projects:
            raise GameError(
                "The membership MILP needs a game in which coalitions only open links; this "
                "data set has joint projects. Use oracle='local'."
            )
        self.players = values.players
        self.alone = values.standalone.to_numpy()
        values.apply(frozenset(self.players))  # every link open: the LP's full structure
        lp = session.highs.getLp()
        cost = np.asarray(lp.col_cost_)
        if lp.offset_ != 0 or not np.allclose(cost, values.member_costs.weights.sum(axis=0)):
            raise GameError(
                "The membership MILP needs an objective that is the regions' resource costs "
                "and nothing else; this scenario's is not. Use oracle='local'."
            )
        col_region, row_region = _regions(values, lp)
        _check_costs(values.member_costs.weights, col_region)
        self.highs = _perspective(lp, col_region, row_region, len(self.players))
        self.highs.setOptionValue("time_limit", float(time_limit))
        self.highs.setOptionValue("mip_rel_gap", 1e-9)
        self.z = np.arange(lp.num_col_, lp.num_col_ + len(self.players), dtype=np.int32)

    def propose(self, x: np.ndarray, threshold: float) -> tuple[list[frozenset[str]], float]:
        """The coalition of largest excess at x if that exceeds `threshold` (else none), and an
        upper bound on max_S e(S, x) (`threshold` when none exceeds it)."""
        self.highs.changeColsCost(len(self.z), self.z, x - self.alone)
        self.highs.run()
        status = self.highs.getModelStatus()
        info = self.highs.getInfo()
        if info.primal_solution_status != 2 or status not in (
            highspy.HighsModelStatus.kOptimal,
            highspy.HighsModelStatus.kTimeLimit,
        ):
            raise GameError(
                f"The membership MILP stopped with {self.highs.modelStatusToString(status)}; "
                "raise its time limit or use oracle='local'."
            )
        bound = -float(info.mip_dual_bound)
        if -info.objective_function_value <= threshold:
            return [], bound
        z = np.asarray(self.highs.getSolution().col_value)[self.z]
        members = frozenset(p for p, zi in zip(self.players, z, strict=True) if zi > 0.5)
        return [members], bound


def _regions(values: ModelValues, lp: highspy.HighsLp) -> tuple[np.ndarray, np.ndarray]:
    """Each column's and row's region (index into the players), or _NOT_A_REGION: connected
    components of the matrix without cross-border trade columns, labelled by the market
    balance rows in them; a cross-border trade column belongs to none."""
    model, session = values.model, values.session
    n_col, n_row = lp.num_col_, lp.num_row_
    starts, index = np.asarray(lp.a_matrix_.start_), np.asarray(lp.a_matrix_.index_)
    region_of = model.index.region_of_market
    keys, columns = session.columns(model.pyomo.trade_mt)
    cross = {
        int(c) for k, c in zip(keys, columns, strict=True) if region_of[k[0]] != region_of[k[1]]
    }
    parent = np.arange(n_col + n_row)

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = int(parent[a])
        return a

    for col in range(n_col):
        if col not in cross:
            for row in index[starts[col] : starts[col + 1]]:
                parent[root(col)] = root(n_col + int(row))
    player = {p: i for i, p in enumerate(values.players)}
    label: dict[int, int] = {}
    balance_keys, balance_rows = session.rows(model.pyomo.market_balance)
    for key, row in zip(balance_keys, balance_rows, strict=True):
        component, region = root(n_col + int(row)), player[region_of[key[0]]]
        if label.setdefault(component, region) != region:
            raise GameError(
                "The membership MILP needs an LP that falls apart by region once cross-border "
                "links are closed; here two regions share constraints. Use oracle='local'."
            )
    col_region = [
        _NOT_A_REGION if c in cross else label.get(root(c), _NOT_A_REGION) for c in range(n_col)
    ]
    row_region = [label.get(root(n_col + r), _NOT_A_REGION) for r in range(n_row)]
    return np.array(col_region), np.array(row_region)


def _check_costs(weights: np.ndarray, col_region: np.ndarray) -> None:
    """Every column of a region's block that costs something is that region's cost."""
    costly = np.flatnonzero((weights != 0).any(axis=0) & (col_region != _NOT_A_REGION))
    payer = np.argmax(weights[:, costly] != 0, axis=0)
    shared = (weights[:, costly] != 0).sum(axis=0) > 1
    if (payer != col_region[costly]).any() or shared.any():
        raise GameError(
            "The membership MILP needs each region's block to bear its own costs; here a "
            "block's column is another region's cost. Use oracle='local'."
        )


def _perspective(
    lp: highspy.HighsLp, col_region: np.ndarray, row_region: np.ndarray, n: int
) -> highspy.Highs:
    """The MILP of the module docstring: the LP's rows and columns of region i scaled by z_i,
    the n binaries z after its columns, and 1 <= Σ z <= n - 1."""
    inf = highspy.kHighsInf
    n_col = lp.num_col_
    starts = np.asarray(lp.a_matrix_.start_)
    entry_col = np.repeat(np.arange(n_col), np.diff(starts))
    entry_row, entry_value = np.asarray(lp.a_matrix_.index_), np.asarray(lp.a_matrix_.value_)
    row_lo, row_hi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    rows: list[tuple[list, list, float, float]] = []  # columns, values, lower, upper
    order = np.argsort(entry_row, kind="stable")
    row_starts = np.searchsorted(entry_row[order], np.arange(lp.num_row_ + 1))
    for r in range(lp.num_row_):
        take = order[row_starts[r] : row_starts[r + 1]]
        cols, vals = entry_col[take].tolist(), entry_value[take].tolist()
        region, lo, hi = int(row_region[r]), float(row_lo[r]), float(row_hi[r])
        if region == _NOT_A_REGION:
            rows.append((cols, vals, lo, hi))
            continue
        with_z = [*cols, n_col + region]
        if np.isfinite(lo) and lo == hi:
            rows.append((with_z, [*vals, -lo], 0.0, 0.0))
            continue
        if np.isfinite(lo):
            rows.append((with_z, [*vals, -lo], 0.0, inf))
        if np.isfinite(hi):
            rows.append((with_z, [*vals, -hi], -inf, 0.0))
    col_lo, col_hi = np.asarray(lp.col_lower_).copy(), np.asarray(lp.col_upper_).copy()
    for c in np.flatnonzero(col_region != _NOT_A_REGION):
        z = n_col + int(col_region[c])
        if np.isfinite(col_hi[c]) and col_hi[c] != 0:
            rows.append(([int(c), z], [1.0, -float(col_hi[c])], -inf, 0.0))
        if np.isfinite(col_lo[c]) and col_lo[c] != 0:
            rows.append(([int(c), z], [1.0, -float(col_lo[c])], 0.0, inf))
        col_lo[c], col_hi[c] = min(col_lo[c], 0.0), max(col_hi[c], 0.0)
    rows.append((list(range(n_col, n_col + n)), [1.0] * n, 1.0, float(n - 1)))
    return _milp(
        np.r_[np.asarray(lp.col_cost_), np.zeros(n)],
        np.r_[col_lo, np.zeros(n)],
        np.r_[col_hi, np.ones(n)],
        rows,
        n_integer=n,
    )


def _milp(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    rows: list[tuple[list, list, float, float]],
    n_integer: int,
) -> highspy.Highs:
    """A HiGHS MILP from row lists, its last `n_integer` columns integer."""
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(cost), len(rows)
    model.col_cost_, model.col_lower_, model.col_upper_ = cost, lower, upper
    model.row_lower_ = np.array([r[2] for r in rows])
    model.row_upper_ = np.array([r[3] for r in rows])
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_ = np.cumsum([0] + [len(r[0]) for r in rows])
    model.a_matrix_.index_ = np.array([c for r in rows for c in r[0]], dtype=np.int32)
    model.a_matrix_.value_ = np.array([v for r in rows for v in r[1]], dtype=float)
    kinds = [highspy.HighsVarType.kContinuous] * (len(cost) - n_integer)
    model.integrality_ = kinds + [highspy.HighsVarType.kInteger] * n_integer
    solver = new_highs()
    solver.passModel(model)
    return solver
