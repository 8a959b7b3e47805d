"""Coalition values from the model: what one costs against HiGHS's own warm re-solve.

    python benchmarks/coalitions.py [--players 10] [--repeats 5]

(1) all 16 coalitions of runs/joint-all.yaml (CN, JP, KR, MN), after the first build;
(2) a game of N provinces (`games.synthetic.provinces`: one ETS each, linked to every other),
    all 2^N coalitions on one persistent model, then the exact Shapley value, the nucleolus,
    the core check and a sampled Shapley value with its error.

For each, every coalition's evaluation (`ModelValues`: openings written and pushed to HiGHS
as arrays, the solve, each region's cost read from the column values) is timed whole and for
HiGHS's `run()` alone, the warm re-solve from the previous coalition's basis. Each figure is
the median over the repeats (a fresh model each) of the per-coalition median; the ratio is
ours / HiGHS's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from abatelink.games.coalitions import ModelValues, all_coalitions, game_of
from abatelink.games.sampling import shapley_by_sampling
from abatelink.games.solutions import core_check, nucleolus, shapley
from abatelink.inputs.scenario import Scenario, load_scenario, scenario_dataset, scenario_inputs
from abatelink.model.build import build
from abatelink.model.levers import set_inputs
from abatelink.solve.priced import solve
from abatelink.solve.session import Session
from abatelink.validation.synthetic_games import provinces

ROOT = Path(__file__).resolve().parent.parent


def time_coalitions(scenario: Scenario) -> tuple[float, float, float, ModelValues]:
    """First build and solve (s), and the per-coalition medians of one evaluation and of
    HiGHS's run (s) over all coalitions, on a fresh model."""
    dataset = scenario_dataset(scenario)
    inputs = scenario_inputs(scenario, dataset)
    start = time.perf_counter()
    model = build(dataset)
    set_inputs(model, inputs)
    session = Session(model)
    solve(session, inputs)
    first = time.perf_counter() - start
    values = ModelValues(model, session, inputs, scenario.solver)
    for members in all_coalitions(values.players):
        values(members)
    values.restore()
    solved = values.solved.values()
    ours = statistics.median(s.seconds for s in solved)
    highs = statistics.median(s.solve_seconds for s in solved)
    return first, ours, highs, values


def report(name: str, scenario: Scenario, repeats: int) -> ModelValues:
    runs = [time_coalitions(scenario) for _ in range(repeats)]
    first, ours, highs = (statistics.median(r[i] for r in runs) for i in range(3))
    values = runs[-1][3]
    print(
        f"{name}: {values.evaluations} coalitions; first build and solve {first:.2f} s; "
        f"a coalition value {1000 * ours:.2f} ms, HiGHS's warm re-solve {1000 * highs:.2f} ms: "
        f"ratio {ours / highs:.2f} (medians of {repeats} repeats)"
    )
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    report("(1) joint-all", load_scenario(ROOT / "runs" / "joint-all.yaml"), args.repeats)
    folder = provinces(Path(tempfile.mkdtemp()) / "provinces", args.players)
    scenario = Scenario(name="provinces", dataset=str(folder), links="all")
    values = report(f"(2) {args.players} provinces", scenario, args.repeats)
    game = game_of(pd.DataFrame(list(values.solved.values())), values.players)
    start = time.perf_counter()
    exact = shapley(game)
    t_shapley = time.perf_counter() - start
    start = time.perf_counter()
    nucleus = nucleolus(game)
    t_nucleolus = time.perf_counter() - start
    check = core_check(game, exact)
    tolerance = 0.01 * max(abs(v) for v in exact.values())
    estimate = shapley_by_sampling(values.players, game.value, tolerance, seed=1)
    error = max(abs(estimate.value[p] - exact[p]) for p in values.players)
    print(
        f"    Shapley {t_shapley:.3f} s, nucleolus {t_nucleolus:.2f} s; Shapley in the core: "
        f"{check.in_core}; nucleolus sums to v(N): "
        f"{abs(sum(nucleus.values()) - game.value(frozenset(values.players))) < 1e-6}"
    )
    print(
        f"    sampled Shapley to SE <= {tolerance:.2f} ({estimate.n_permutations} orders, "
        f"{estimate.n_evaluations} coalitions): largest error {error:.2f} US$ million, "
        f"largest standard error {estimate.max_std_error:.2f}"
    )


if __name__ == "__main__":
    main()
