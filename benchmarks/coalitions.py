"""Coalition values from the model: the four-country game and a 10-player game.

    python benchmarks/coalitions.py [--players 10]

(1) all 16 coalitions of runs/joint-all.yaml (CN, JP, KR, MN), after the first build;
(2) a game of N provinces, each with its own ETS market linked to every other (synthetic:
    seeded linear MACs and caps), all 2^N coalitions on one persistent model, then the exact
    Shapley value, the nucleolus, the core check and a sampled Shapley value with its error.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from abatelink.games.coalitions import coalition_values, game_of
from abatelink.games.solutions import core_check, nucleolus, sampled_shapley, shapley
from abatelink.inputs.scenario import Scenario, load_scenario, scenario_dataset, scenario_inputs
from abatelink.model.build import build
from abatelink.model.levers import set_inputs
from abatelink.solve.priced import solve
from abatelink.solve.session import Session

ROOT = Path(__file__).resolve().parent.parent


def solve_all(scenario: Scenario) -> tuple[float, float, pd.DataFrame, tuple[str, ...]]:
    dataset = scenario_dataset(scenario)
    inputs = scenario_inputs(scenario, dataset)
    start = time.perf_counter()
    model = build(dataset)
    set_inputs(model, inputs)
    session = Session(model)
    solve(session, inputs)
    first = time.perf_counter() - start
    start = time.perf_counter()
    frame = coalition_values(model, session, inputs).table
    return first, time.perf_counter() - start, frame, model.index.regions


def provinces(folder: Path, n: int, seed: int = 0) -> Path:
    """N provinces, one ETS each: 40 MAC steps of 1 Mt, slopes and cuts drawn at random."""
    rng = np.random.default_rng(seed)
    names = [f"P{i:02d}" for i in range(n)]
    steps = []
    for name, slope in zip(names, rng.uniform(0.5, 4.0, n)):
        steps += [(f"{name}-e", 2030, k + 1, 1.0, round(slope * (k + 0.5), 3)) for k in range(40)]
    tables = {
        "markets": pd.DataFrame({"market": names, "region": names, "kind": "ets"}),
        "emitters": pd.DataFrame(
            {
                "emitter": [f"{p}-e" for p in names],
                "region": names,
                "sector": "industry",
                "market": names,
            }
        ),
        "baseline": pd.DataFrame(
            {"emitter": [f"{p}-e" for p in names], "period": 2030, "emissions_mt": 100.0}
        ),
        "mac": pd.DataFrame(
            steps, columns=["emitter", "period", "step", "quantity_mt", "cost_usd_per_t"]
        ),
        "caps": pd.DataFrame(
            {"market": names, "period": 2030, "cap_mt": 100.0 - rng.uniform(5, 30, n).round(2)}
        ),
        "links": pd.DataFrame(
            [(a, b, 2030, None, 0.2) for a in names for b in names if a != b],
            columns=[
                "from_market",
                "to_market",
                "period",
                "max_volume_mt",
                "transaction_cost_usd_per_t",
            ],
        ),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    meta = {
        "name": "provinces",
        "periods": [2030],
        "discount_rate": 0.0,
        "currency_year": 2030,
        "regions": {p: p for p in names},
    }
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=10)
    args = parser.parse_args()
    first, all_of_them, frame, players = solve_all(load_scenario(ROOT / "runs" / "joint-all.yaml"))
    print(
        f"(1) joint-all, players {'+'.join(players)}: first build and solve {first:.2f} s; "
        f"all {len(frame)} coalitions {all_of_them:.2f} s "
        f"({1000 * all_of_them / len(frame):.0f} ms each)"
    )
    folder = provinces(Path(tempfile.mkdtemp()) / "provinces", args.players)
    first, all_of_them, frame, players = solve_all(
        Scenario(name="provinces", dataset=str(folder), links="all")
    )
    game = game_of(frame, players)
    start = time.perf_counter()
    exact = shapley(game)
    t_shapley = time.perf_counter() - start
    start = time.perf_counter()
    nucleus = nucleolus(game)
    t_nucleolus = time.perf_counter() - start
    check = core_check(game, exact)
    estimate = sampled_shapley(players, game.value, n_permutations=200, seed=1)
    error = max(abs(estimate.value[p] - exact[p]) for p in players)
    std = max(estimate.std_error.values())
    print(
        f"(2) {len(players)} provinces: first build and solve {first:.2f} s; all {len(frame)} "
        f"coalitions {all_of_them:.1f} s ({1000 * all_of_them / len(frame):.1f} ms each)"
    )
    print(
        f"    Shapley {t_shapley:.3f} s, nucleolus {t_nucleolus:.2f} s; Shapley in the core: "
        f"{check.in_core}; nucleolus sums to v(N): "
        f"{abs(sum(nucleus.values()) - game.value(frozenset(players))) < 1e-6}"
    )
    print(
        f"    sampled Shapley (200 permutations): largest error {error:.2f} US$ million, "
        f"largest stated standard error {std:.2f}"
    )


if __name__ == "__main__":
    main()
