"""The kink test (`solve/kinks.py`) flags exactly the priced bounds HiGHS's ranging puts at an
end of the interval on which their dual holds (or that a basic row or column holds).

kinks.py makes the ratio test itself, for the priced rows and binding export limits only
(getRanging computes some sixteen values for every column of the LP); here HiGHS's own
ranging is the independent answer, on generated markets whose caps and export limits often
sit exactly on a MAC step boundary, where kinks are.
"""

from __future__ import annotations

import random
from pathlib import Path

import highspy
import numpy as np
import pytest

from abatelink.solve import kinks
from abatelink.solve.priced import priced_rows_and_columns

from factory import both_ways, merge, one_market, solve, write_dataset

RUNS = Path(__file__).resolve().parent.parent / "runs"


def ranging_kinks(highs: highspy.Highs, solution, rows: np.ndarray, cols: np.ndarray):
    """The priced rows and binding limit columns at a kink by HiGHS's ranging."""
    _, ranging = highs.getRanging()
    _, basic = highs.getBasicVariables()
    lp = highs.getLp()
    row_lower, row_upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    col_upper = np.asarray(lp.col_upper_)
    activity = np.asarray(highs.getSolution().row_value)
    row_up, row_dn = (np.asarray(r.value_) for r in (ranging.row_bound_up, ranging.row_bound_dn))
    col_up, col_dn = (np.asarray(r.value_) for r in (ranging.col_bound_up, ranging.col_bound_dn))

    def at_end(bound: float, up: float, down: float) -> bool:
        scale = kinks.AT_KINK * max(1.0, abs(bound))
        return abs(up - bound) <= scale or abs(down - bound) <= scale

    kinked_rows = set()
    for r in rows:
        bound = kinks._row_bound(row_lower[r], row_upper[r], activity[r])
        if not np.isnan(bound) and (-1 - r in basic or at_end(bound, row_up[r], row_dn[r])):
            kinked_rows.add(int(r))
    kinked_cols = {
        int(c)
        for c in cols
        if col_upper[c] < highspy.kHighsInf
        and solution.col_value[c] >= col_upper[c] - 1e-9
        and (c in basic or at_end(col_upper[c], col_up[c], col_dn[c]))
    }
    return kinked_rows, kinked_cols


def flagged(result) -> tuple[tuple[set, set], tuple[set, set]]:
    """(ratio test's, ranging's) kinked rows and columns of a run's final LP solve."""
    session = result.session
    session.highs.run()  # warm from the run's basis: its vertex again, with HiGHS's state
    solution = session.current_solution()
    assert solution.status == "optimal" and not solution.is_mip
    rows, cols = priced_rows_and_columns(session)
    moved = kinks._Moved.at_kinks(session.highs, solution, rows, cols)
    ours = ({int(r) for r in moved.rows}, {int(c) for c in moved.cols})
    return ours, ranging_kinks(session.highs, solution, rows, cols)


def market_instance(tmp_path: Path, seed: int) -> Path:
    """Three linked markets, two MAC steps each; caps and export limits are drawn so that
    they sit on a step boundary about half of the time."""
    rng = random.Random(seed)
    tables, limits = [], []
    for name in ("A", "B", "C"):
        steps = [rng.choice([5, 10, 15]) for _ in range(2)]
        costs = sorted(rng.sample(range(5, 60, 5), 2))
        need = rng.choice([steps[0], steps[0] + steps[1], rng.randint(1, sum(steps) - 1)])
        tables.append(one_market(tmp_path, f"M{name}", name, 100, 100 - need, steps, costs))
        if rng.random() < 0.5:
            share = rng.choice([steps[0], 3]) / (100 - need)
            limits.append({"market": f"M{name}", "period": 2020, "max_export_share": share})
    links = both_ways("MA", "MB") + both_ways("MB", "MC") + both_ways("MA", "MC")
    data = merge(*tables, {"links": links, **({"limits": limits} if limits else {})})
    return write_dataset(tmp_path / f"d{seed}", periods=[2020], regions=["A", "B", "C"], **data)


def test_the_ratio_test_flags_what_ranging_flags_on_generated_markets(tmp_path):
    seen_kinks = 0
    for seed in range(40):
        ours, theirs = flagged(solve(market_instance(tmp_path, seed)))
        assert ours == theirs, seed
        seen_kinks += bool(ours[0] or ours[1])
    assert seen_kinks >= 10  # the generator does put bounds on kinks


@pytest.mark.parametrize("name", ["linked", "price-controls", "limited", "autarky"])
def test_the_ratio_test_flags_what_ranging_flags_on_the_shipped_scenarios(name):
    from abatelink.inputs.scenario import load_scenario
    from abatelink.run import run

    ours, theirs = flagged(run(load_scenario(RUNS / f"{name}.yaml")))
    assert ours == theirs
