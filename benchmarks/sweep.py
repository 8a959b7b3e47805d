"""Per-scenario time of a sweep of cap and limit changes on the national model.

    python benchmarks/sweep.py [--scenarios 1000] [--rebuild 20] [--skip-dask]

Study: a Latin hypercube over Korea's cap (×0.8–1.2) and China's export limit (0–10% of its
caps) on runs/linked.yaml (markets linked, no projects), keeping the prices.
  (a) rebuild: build the Pyomo model, set its inputs, send it to HiGHS and solve, per scenario
      (timed on the first --rebuild scenarios; the data set is loaded once);
  (b) our sweep path on one worker: one built model, levers changed in place, warm re-solve;
  (c) raw highspy, the floor: the same LP written once, the same row and column bounds
      changed with changeRowsBounds / changeColsBounds, run, duals read;
  (d) the whole sweep on a LocalCluster with 1 and with 2 workers (start-up included).
Prints b/c and a/b (targets: b within 2x of c; a/b >= 40).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np
import yaml

from abatelink.inputs.scenario import scenario_dataset, scenario_inputs
from abatelink.inputs.study import base_scenario, design, load_study, scenario_for
from abatelink.model.build import build
from abatelink.model.levers import set_inputs
from abatelink.results.extract import Extract
from abatelink.results.prices import price_table
from abatelink.solve.priced import solve
from abatelink.solve.session import Session
from abatelink.studies.sweep import run_batch, sweep

ROOT = Path(__file__).resolve().parent.parent


def write_study(folder: Path, scenarios: int) -> Path:
    study = {
        "name": "bench-sweep",
        "scenario": "../../linked.yaml",
        "design": "lhs",
        "samples": scenarios,
        "seed": 7,
        "batch_size": 100,
        "outputs": ["prices"],
        "parameters": {
            "kr_cap_scale": {
                "table": "caps",
                "where": {"market": "KR-ETS"},
                "scale": "cap_mt",
                "range": [0.8, 1.2],
            },
            "cn_export_share": {
                "table": "limits",
                "where": {"market": ["CN-ETS", "CN-PILOT"]},
                "set": "max_export_share",
                "range": [0.0, 0.1],
            },
        },
    }
    path = folder / "bench-sweep.yaml"
    path.write_text(yaml.safe_dump(study))
    return path


def per_scenario_ms(seconds: float, n: int) -> float:
    return 1000 * seconds / n


def rebuild(study_path: Path, rows: list[dict]) -> float:
    study = load_study(study_path)
    base = base_scenario(study)
    dataset = scenario_dataset(base)
    start = time.perf_counter()
    for row in rows:
        scenario = scenario_for(base, study, row)
        model = build(dataset)
        inputs = scenario_inputs(scenario, dataset)
        set_inputs(model, inputs)
        price_table(Extract(solve(Session(model), inputs)))
    return per_scenario_ms(time.perf_counter() - start, len(rows))


def ours(study_path: Path, rows: list[dict]) -> float:
    run_batch(str(study_path), rows[:1])  # the worker builds its model once
    start = time.perf_counter()
    run_batch(str(study_path), rows)
    return per_scenario_ms(time.perf_counter() - start, len(rows))


def bound_changes(study_path: Path, rows: list[dict]):
    """For each scenario, the HiGHS bounds that differ from the base (computed, not timed)."""
    study = load_study(study_path)
    base = base_scenario(study)
    dataset = scenario_dataset(base)
    model = build(dataset)
    set_inputs(model, scenario_inputs(base, dataset))
    session = Session(model)
    session.solve()
    mps = Path(tempfile.mkdtemp()) / "national.mps"
    session.highs.writeModel(str(mps))
    lp = session.highs.getLp()
    rows0 = np.array(lp.row_lower_), np.array(lp.row_upper_)
    cols0 = np.array(lp.col_lower_), np.array(lp.col_upper_)
    balance_rows = session.rows(model.pyomo.market_balance)[1]
    changes = []
    for row in rows:
        set_inputs(model, scenario_inputs(scenario_for(base, study, row), dataset))
        session.opt.update_parameters()
        lp = session.highs.getLp()
        rows1 = np.array(lp.row_lower_), np.array(lp.row_upper_)
        cols1 = np.array(lp.col_lower_), np.array(lp.col_upper_)
        r = np.flatnonzero((rows1[0] != rows0[0]) | (rows1[1] != rows0[1]))
        c = np.flatnonzero((cols1[0] != cols0[0]) | (cols1[1] != cols0[1]))
        changes.append((r, rows1[0][r], rows1[1][r], c, cols1[0][c], cols1[1][c]))
    return mps, balance_rows, changes, (rows0, cols0)


def raw_highspy(mps: Path, balance_rows: np.ndarray, changes, base) -> float:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.readModel(str(mps))
    highs.run()
    (row_lo, row_up), (col_lo, col_up) = base
    start = time.perf_counter()
    for r, rl, ru, c, cl, cu in changes:
        highs.changeRowsBounds(len(r), r.astype(np.int32), rl, ru)
        highs.changeColsBounds(len(c), c.astype(np.int32), cl, cu)
        highs.run()
        np.asarray(highs.getSolution().row_dual)[balance_rows]
        highs.changeRowsBounds(len(r), r.astype(np.int32), row_lo[r], row_up[r])
        highs.changeColsBounds(len(c), c.astype(np.int32), col_lo[c], col_up[c])
    return per_scenario_ms(time.perf_counter() - start, len(changes))


def dask_sweep(study_path: Path, workers: int) -> float:
    start = time.perf_counter()
    sweep(study_path, Path(tempfile.mkdtemp()) / "out", workers=workers)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--rebuild", type=int, default=20)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    folder = ROOT / "runs" / "studies" / "results"  # git-ignored; the study names ../../linked
    folder.mkdir(parents=True, exist_ok=True)
    path = write_study(folder, args.scenarios)

    rows = design(load_study(path)).to_dict("records")
    a = rebuild(path, rows[: args.rebuild])
    b = ours(path, rows)
    mps, balance_rows, changes, base = bound_changes(path, rows)
    c = raw_highspy(mps, balance_rows, changes, base)
    sizes = statistics.mean(len(ch[0]) + len(ch[3]) for ch in changes)
    print(f"{len(rows)} scenarios; {sizes:.1f} bounds changed per scenario on average")
    print(f"(a) rebuild per scenario:        {a:8.2f} ms (first {args.rebuild} scenarios)")
    print(f"(b) our sweep path, one worker:  {b:8.2f} ms")
    print(f"(c) raw highspy, same LP:        {c:8.2f} ms")
    print(f"b/c = {b / c:.1f} (target <= 2);  a/b = {a / b:.1f} (target >= 40)")
    if not args.skip_dask:
        one, two = dask_sweep(path, 1), dask_sweep(path, 2)
        print(
            f"(d) LocalCluster, whole sweep: 1 worker {one:.1f} s, 2 workers {two:.1f} s "
            f"(speed-up {one / two:.2f}x, cluster start-up included)"
        )


if __name__ == "__main__":
    main()
