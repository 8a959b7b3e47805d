"""Every speed figure of abatelink against its floor, as a table and a JSON file.

    python benchmarks/all.py [--quick] [--json FILE] [--cases a,b] [--plants 1000,5000]
                             [--time-limit S]

Each case times our path (`ours_s`) and a floor (`floor_s`) doing the same work with nothing
but HiGHS or Python; `ratio` = ours_s / floor_s. `--quick` (at most 3 minutes on the 2-core
machine) runs every case once at 5,000 plants; without it, more repeats and the plant cases at
1,000, 5,000, 20,000 and 50,000 plants, with benchmarks/results/scaling.png. Writes the JSON
list to --json (default benchmarks/results/all[-quick].json; the folder is git-ignored).

Cases and their floors:

plants-lp, plants-no-projects, plants-milp
    A plant-level split of data/nea2018 (`abatelink.inputs.plants.write_plant_dataset`, CCS
    units 2/5 of the plants), linked (`links: all`): `lp` without the project tables,
    `no-projects` with them and `projects: none`, `milp` with `projects: all` (named
    `plants-lp@20000` etc. at other sizes than 5,000). ours_s = the
    run's load_s + build_s + send_to_highs_s + solve_s + extract_s (summary timings; for the
    MILP solve_s holds the MILP, the LP with the build fixed for prices and the kink re-solves).
    floor_s = `run()` alone of a fresh `highspy.Highs` given the model and options the run's
    session holds (`getModel`/`getOptions` → `passModel`/`passOptions`, output off), in the
    same process after our run; for the MILP that is the MILP solve only.
    Peak memory: each side runs in a fresh child process started by a bare `python -c`
    launcher that reads `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` once its one child
    has exited (a child's ru_maxrss starts from the RSS of the process that forked it, so
    the launcher, ~11 MB, must not be this script). `peak_rss_mb`: our child's ru_maxrss when
    `run()` returns (read in the child, before the floor is timed there; its launcher's figure
    would include the floor's copy of the model). `floor_peak_rss_mb`: a second child that
    reads the model from an MPS file our child wrote, sets the same options (the options file
    HiGHS writes, plus `presolve_rule_off`, which it leaves out) and runs; the MPS read is in
    its RSS, not in floor_s. `mps_read_s` (that read) and `floor_mps_run_s` (that run) are
    reported apart.
sweep-bounds
    Per scenario, a Latin hypercube of K-ETS caps and China's export limits on
    runs/linked.yaml keeping prices: our sweep path on one worker (benchmarks/sweep.py `ours`,
    the worker's model built before timing) vs raw highspy changing the same row and column
    bounds on the same LP, run, duals read (`raw_highspy`, one thread, its MPS read untimed).
sweep-full
    The same sweep keeping prices, costs, trades and ndc_prices vs the same bounds-only floor
    (the study only moves bounds, so it takes the compiled path: `detail.path`).
sweep-full-path
    The same sweep keeping builds too, which only the full path reads (overrides → levers →
    persistent interface → result tables per scenario), vs the same floor.
coalition
    Per coalition of runs/joint-all.yaml (its 16 coalitions, on a model built and solved
    beforehand): benchmarks/coalitions.py `time_coalitions`, the median of one coalition's
    whole evaluation (`ModelValues`: openings pushed, solve, costs read) vs the median of
    HiGHS's own `run()` in it, the warm re-solve from the previous coalition's basis; each the
    median over repeats on fresh models.
startup-help
    Median wall of `abatelink --help` in a subprocess vs `python -c pass` (Python start-up).
run-linked
    Median wall of `abatelink run runs/linked.yaml --out TMP` vs Python start-up (as above)
    plus the median in-memory HiGHS run of the same model (as for the plant cases).
    Both command cases run as an installed tool does, from compiled bytecode: after one
    untimed call, with bytecode written to a cache in the benchmark's temporary folder
    (PYTHONPYCACHEPREFIX; PYTHONDONTWRITEBYTECODE dropped: this development machine sets it,
    and every call then compiled abatelink's modules again, ~0.08 s of a run).

`detail.in_highs_s` (the table's "in HiGHS"), for the plant and sweep cases: of ours_s, the
seconds spent inside HiGHS's solves and basis solves (`HIGHS_WORK`) — the main solve and the
work of the two price rules (`solve.kinks`: a ratio test on the basis, and two warm re-solves
where a priced bound sits at a kink; `solve.ties`: the least-norm QP over the optimal face),
which the floor does not do. ours_s minus it is Python's share (load, build, hand-over,
extraction, tables).

Figures are what one machine measured once; nothing is asserted.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SOURCE = ROOT / "data" / "nea2018"
PHASES = ("load_s", "build_s", "send_to_highs_s", "solve_s", "extract_s")
PLANT_CASES = {"plants-lp": "lp", "plants-no-projects": "none", "plants-milp": "all"}
SWEEPS = ("sweep-bounds", "sweep-full", "sweep-full-path")
CASES = (*PLANT_CASES, *SWEEPS, "coalition", "startup-help", "run-linked")
FULL_OUTPUTS = ["prices", "costs", "trades", "ndc_prices"]
QUICK_PLANTS = (5000,)
FULL_PLANTS = (1000, 5000, 20000, 50000)
REFERENCE_PLANTS = 5000
RSS_MARK = "peak-rss-kb "
LAUNCHER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    f"print('\\n{RSS_MARK}' + str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))"
)
UNWRITTEN_OPTIONS = ("presolve_rule_off",)
HIGHS_WORK = ("run", "getBasisInverseCol", "getReducedColumn")  # inherited from the C++ core


@dataclass(frozen=True)
class Settings:
    """How much to measure: plant counts, sweep scenarios, repeats of wall-time cases."""

    plants: tuple[int, ...]
    scenarios: int
    repeats: int
    time_limit: float | None
    folder: Path


@dataclass
class Case:
    """One line of the table and one record of the JSON list."""

    case: str
    ours_s: float
    floor_s: float
    unit: str
    peak_rss_mb: float | None = None
    floor_peak_rss_mb: float | None = None
    mps_read_s: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.ours_s / self.floor_s

    def record(self) -> dict[str, Any]:
        record = {
            "case": self.case,
            "ours_s": self.ours_s,
            "floor_s": self.floor_s,
            "ratio": self.ratio,
            "unit": self.unit,
        }
        for key in ("peak_rss_mb", "floor_peak_rss_mb", "mps_read_s"):
            if getattr(self, key) is not None:
                record[key] = getattr(self, key)
        record["detail"] = self.detail
        return record


@contextmanager
def quiet() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null (HiGHS prints its banner from C++)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def fresh_highs(model: Any, options: Any) -> Any:
    """A new silent `highspy.Highs` holding `model` with `options`."""
    import highspy

    with quiet():
        highs = highspy.Highs()
    highs.passOptions(options)
    highs.setOptionValue("output_flag", False)
    highs.passModel(model)
    return highs


def in_memory_run(source: Any) -> tuple[float, str, float]:
    """Seconds of `run()` on a fresh Highs given `source`'s model and options; status, objective."""
    highs = fresh_highs(source.getModel(), source.getOptions())
    start = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - start
    status = highs.modelStatusToString(highs.getModelStatus())
    return seconds, status, highs.getInfo().objective_function_value


@contextmanager
def time_in_highs() -> Iterator[list[float]]:
    """Seconds spent inside HiGHS's solving calls (`HIGHS_WORK`) of every `highspy.Highs`
    while the block runs, summed into the one-element list yielded: what of a case's time is
    HiGHS's own work (the main solve and the price rules' basis solves, re-solves and
    least-norm QP), the rest being Python's."""
    import highspy

    spent = [0.0]

    def timed(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        return call

    for name in HIGHS_WORK:
        setattr(highspy.Highs, name, timed(getattr(highspy.Highs, name)))
    try:
        yield spent
    finally:
        for name in HIGHS_WORK:
            delattr(highspy.Highs, name)  # back to the inherited method


def benchmark_module(name: str) -> Any:
    """A sibling script of benchmarks/ as a module (benchmarks/ is no package)."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module(name)


def peak_rss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def installed_env(folder: Path) -> dict[str, str]:
    """The environment with bytecode cached under `folder`, as an installed tool runs."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(folder / "pycache")}


def wall(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def median_wall(command: list[str], repeats: int, env: dict[str, str] | None = None) -> float:
    wall(command, env)  # untimed: writes the bytecode cache
    return statistics.median(wall(command, env) for _ in range(repeats))


def abatelink_command() -> str:
    return shutil.which("abatelink") or str(Path(sys.executable).parent / "abatelink")


@functools.cache
def python_startup_s(repeats: int, folder: Path) -> float:
    return median_wall([sys.executable, "-c", "pass"], repeats, installed_env(folder))


def in_child(spec: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Run `spec` in a fresh child under a bare Python launcher; what the child wrote and its
    ru_maxrss in MB as the launcher reads it (RUSAGE_CHILDREN)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True
    )
    if launched.returncode:
        output = (launched.stdout + launched.stderr)[-3000:]
        raise RuntimeError(f"child {spec['kind']} failed:\n{output}")
    rss_kb = int(launched.stdout.splitlines()[-1].removeprefix(RSS_MARK))
    return json.loads(Path(spec["result"]).read_text()), rss_kb / 1024


def ours_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Our run of a plant case, then the in-memory floor on the model its session holds."""
    from abatelink.inputs.scenario import Scenario, SolverOptions
    from abatelink.run import run

    scenario = Scenario(
        name=spec["name"],
        dataset=spec["dataset"],
        links="all",
        projects=spec["projects"],
        solver=SolverOptions(time_limit=spec["time_limit"]),
    )
    with time_in_highs() as in_highs:
        result = run(scenario)
    rss = peak_rss_self_mb()
    highs = result.session.highs
    floor_s, floor_status, floor_objective = in_memory_run(highs)
    highs.writeModel(spec["mps"])
    highs.writeOptions(spec["options"])
    unwritten = {name: highs.getOptionValue(name)[1] for name in UNWRITTEN_OPTIONS}
    Path(spec["options"] + ".json").write_text(json.dumps(unwritten))
    timings = result.summary["timings_s"]
    return {
        "phases": {p: timings.get(p, 0.0) for p in PHASES},
        "in_highs_s": in_highs[0],
        "status": result.status,
        "objective": result.solution.objective,
        "milp_s": result.solution.solve_seconds if result.solution.is_mip else None,
        "rows": highs.getNumRow(),
        "columns": highs.getNumCol(),
        "peak_rss_mb": rss,
        "floor_s": floor_s,
        "floor_status": floor_status,
        "floor_objective": floor_objective,
    }


def floor_child(spec: dict[str, Any]) -> dict[str, Any]:
    """HiGHS alone from the MPS file and options file our child wrote."""
    import highspy

    with quiet():
        highs = highspy.Highs()
    highs.readOptions(spec["options"])
    for name, value in json.loads(Path(spec["options"] + ".json").read_text()).items():
        highs.setOptionValue(name, value)
    highs.setOptionValue("output_flag", False)
    start = time.perf_counter()
    highs.readModel(spec["mps"])
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    highs.run()
    return {"read_s": read_s, "run_s": time.perf_counter() - start}


CHILDREN: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "ours": ours_child,
    "floor": floor_child,
}


def child_main(text: str) -> None:
    spec = json.loads(text)
    Path(spec["result"]).write_text(json.dumps(CHILDREN[spec["kind"]](spec)))


def plant_data(settings: Settings, plants: int) -> dict[str, Path]:
    """The plant data set with and without its project tables, generated once per size."""
    from abatelink.inputs.plants import write_plant_dataset

    scale = benchmark_module("scale")
    full = settings.folder / f"plants-{plants}"
    if not full.exists():
        write_plant_dataset(SOURCE, full, n_emitters=plants, n_ccs_units=2 * plants // 5, seed=0)
    return {"with": full, "without": scale.lp_variant(full, settings.folder / f"lp-{plants}")}


def plant_case(name: str, settings: Settings, plants: int) -> Case:
    data = plant_data(settings, plants)
    projects = PLANT_CASES[name]
    stem = settings.folder / f"{name}-{plants}"
    spec = {
        "kind": "ours",
        "name": name,
        "dataset": str(data["without" if projects == "lp" else "with"]),
        "projects": "none" if projects == "lp" else projects,
        "time_limit": settings.time_limit,
        "mps": f"{stem}.mps",
        "options": f"{stem}.options",
        "result": f"{stem}-ours.json",
    }
    ours, _ = in_child(spec)
    floor, floor_rss = in_child({**spec, "kind": "floor", "result": f"{stem}-floor.json"})
    Path(spec["mps"]).unlink()
    label = name if plants == REFERENCE_PLANTS else f"{name}@{plants}"
    keys = ("phases", "in_highs_s", "status", "rows", "columns", "milp_s")
    detail = {key: ours[key] for key in keys}
    gap = None  # a MILP stopped at the time limit may have no incumbent on one side
    if ours["objective"] is not None and ours["floor_objective"] is not None:
        gap = abs(ours["objective"] - ours["floor_objective"]) / max(abs(ours["objective"]), 1e-9)
    detail |= {
        "plants": plants,
        "floor_status": ours["floor_status"],
        "objective_rel_gap": gap,
        "floor_mps_run_s": floor["run_s"],
    }
    return Case(
        label,
        sum(ours["phases"].values()),
        ours["floor_s"],
        "s",
        ours["peak_rss_mb"],
        floor_rss,
        floor["read_s"],
        detail,
    )


def sweep_study(folder: Path, scenarios: int, outputs: list[str]) -> Path:
    """benchmarks/sweep.py's study with `outputs` kept, placed in `folder`."""
    import yaml

    sweep = benchmark_module("sweep")
    study = yaml.safe_load(sweep.write_study(folder, scenarios).read_text())
    name = "-".join(outputs)
    study |= {"name": f"bench-{name}", "outputs": outputs}
    path = ROOT / "runs" / "studies" / "results" / f"bench-all-{os.getpid()}-{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(study))
    return path


@functools.cache
def sweep_floor_s(scenarios: int, folder: Path) -> float:
    """Per-scenario seconds of raw highspy applying the same bound changes (sweep.py)."""
    from abatelink.inputs.study import design, load_study

    sweep = benchmark_module("sweep")
    path = sweep_study(folder, scenarios, ["prices"])
    try:
        rows = design(load_study(path)).to_dict("records")
        mps, balance_rows, changes, base = sweep.bound_changes(path, rows)
        with quiet():
            return sweep.raw_highspy(mps, balance_rows, changes, base) / 1000
    finally:
        path.unlink()


def sweep_case(name: str, settings: Settings, outputs: list[str]) -> Case:
    from abatelink.inputs.study import design, load_study
    from abatelink.studies.compiled import CompiledStudy
    from abatelink.studies.sweep import _worker_model, run_batch

    path = sweep_study(settings.folder, settings.scenarios, outputs)
    try:
        rows = design(load_study(path)).to_dict("records")
        run_batch(str(path), rows[:1])  # the worker builds its model once
        with time_in_highs() as in_highs:
            start = time.perf_counter()
            run_batch(str(path), rows)
            ours = (time.perf_counter() - start) / len(rows)
        compiled = _worker_model(str(path)).compiled
    finally:
        path.unlink()
    floor = sweep_floor_s(settings.scenarios, settings.folder)
    taken = "compiled" if isinstance(compiled, CompiledStudy) else f"full: {compiled.reason}"
    detail = {
        "scenarios": len(rows),
        "outputs": outputs,
        "path": taken,
        "in_highs_s": in_highs[0] / len(rows),
    }
    return Case(name, ours, floor, "s/scenario", detail=detail)


def coalition_case(settings: Settings) -> Case:
    from abatelink.inputs.scenario import load_scenario

    coalitions = benchmark_module("coalitions")
    scenario = load_scenario(ROOT / "runs" / "joint-all.yaml")
    repeats = max(1, settings.repeats // 2)
    with quiet():
        runs = [coalitions.time_coalitions(scenario) for _ in range(repeats)]
    ours = statistics.median(r[1] for r in runs)
    floor = statistics.median(r[2] for r in runs)
    detail = {"coalitions": runs[-1][3].evaluations, "repeats": repeats}
    return Case("coalition", ours, floor, "s/coalition", detail=detail)


def startup_case(settings: Settings) -> Case:
    env = installed_env(settings.folder)
    ours = median_wall([abatelink_command(), "--help"], settings.repeats, env)
    floor = python_startup_s(settings.repeats, settings.folder)
    return Case("startup-help", ours, floor, "s", detail={})


def run_linked_case(settings: Settings) -> Case:
    from abatelink.inputs.scenario import load_scenario
    from abatelink.run import run

    scenario = ROOT / "runs" / "linked.yaml"
    repeats = max(3, settings.repeats // 2 + 1)
    env = installed_env(settings.folder)

    def run_once(i: int) -> float:
        out = settings.folder / f"linked-{i}"
        return wall([abatelink_command(), "run", str(scenario), "--out", str(out)], env)

    run_once(-1)  # untimed: writes the bytecode cache
    walls = [run_once(i) for i in range(repeats)]
    with quiet():
        result = run(load_scenario(scenario))
    solve_s = statistics.median(in_memory_run(result.session.highs)[0] for _ in range(repeats))
    startup = python_startup_s(settings.repeats, settings.folder)
    detail = {"repeats": repeats, "python_startup_s": startup, "highs_run_s": solve_s}
    return Case("run-linked", statistics.median(walls), startup + solve_s, "s", detail=detail)


def measure(name: str, settings: Settings) -> list[Case]:
    if name in PLANT_CASES:
        return [plant_case(name, settings, n) for n in settings.plants]
    if name == "sweep-bounds":
        return [sweep_case(name, settings, ["prices"])]
    if name == "sweep-full":
        return [sweep_case(name, settings, FULL_OUTPUTS)]
    if name == "sweep-full-path":
        return [sweep_case(name, settings, [*FULL_OUTPUTS, "builds"])]
    if name == "coalition":
        return [coalition_case(settings)]
    if name == "startup-help":
        return [startup_case(settings)]
    return [run_linked_case(settings)]


def table(cases: list[Case]) -> str:
    header = (
        f"{'case':<26} {'ours':>10} {'in HiGHS':>10} {'floor':>10} {'ratio':>7}  {'unit':<12}"
        f"{'RSS ours':>9} {'RSS floor':>10}"
    )
    lines = [header, "-" * len(header)]
    for c in cases:
        rss = [f"{v:.0f} MB" if v is not None else "" for v in (c.peak_rss_mb, c.floor_peak_rss_mb)]
        in_highs = c.detail.get("in_highs_s")
        spent = f"{in_highs:>10.4g}" if in_highs is not None else " " * 10
        lines.append(
            f"{c.case:<26} {c.ours_s:>10.4g} {spent} {c.floor_s:>10.4g} {c.ratio:>7.2f}  "
            f"{c.unit:<12}{rss[0]:>9} {rss[1]:>10}"
        )
    return "\n".join(lines)


def scaling_figure(cases: list[Case], path: Path) -> None:
    """Ours and floor seconds against plants (log-log) and their ratio, per plant case."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (times, ratios) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, color in zip(PLANT_CASES, ("C0", "C1", "C2"), strict=True):
        chosen = [c for c in cases if c.case.split("@")[0] == name]
        points = [(c.detail["plants"], c) for c in sorted(chosen, key=lambda c: c.detail["plants"])]
        if not points:
            continue
        plants = [p for p, _ in points]
        times.plot(plants, [c.ours_s for _, c in points], "o-", color=color, label=f"{name} ours")
        times.plot(plants, [c.floor_s for _, c in points], "s--", color=color, label="floor")
        ratios.plot(plants, [c.ratio for _, c in points], "o-", color=color, label=name)
    times.set(xscale="log", yscale="log", xlabel="plants", ylabel="seconds")
    ratios.set(xscale="log", yscale="log", xlabel="plants", ylabel="ours / floor")
    ratios.axhline(1.0, color="grey", lw=0.8)
    times.legend(fontsize=7)
    ratios.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def chosen_cases(text: str | None, parser: argparse.ArgumentParser) -> list[str]:
    cases = [c.strip() for c in (text or ",".join(CASES)).split(",") if c.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {sorted(unknown)}; choose from {', '.join(CASES)}")
    return cases


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one pass, 5,000 plants (≤ 3 min)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the JSON list")
    parser.add_argument("--cases", default=None, help="comma-separated: " + ", ".join(CASES))
    parser.add_argument("--plants", default=None, help="plant counts, e.g. 1000,5000")
    parser.add_argument("--time-limit", type=float, default=None, help="HiGHS time limit, s")
    parser.add_argument("--scenarios", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cases = chosen_cases(args.cases, parser)
    return args


def settings_of(args: argparse.Namespace, folder: Path) -> Settings:
    default_plants = QUICK_PLANTS if args.quick else FULL_PLANTS
    plants = tuple(int(n) for n in args.plants.split(",")) if args.plants else default_plants
    return Settings(
        plants=plants,
        scenarios=args.scenarios or (100 if args.quick else 1000),
        repeats=args.repeats or (5 if args.quick else 11),
        time_limit=args.time_limit,
        folder=folder,
    )


def write_json(path: Path, cases: list[Case]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps([c.record() for c in cases], indent=2) + "\n")
    partial.replace(path)


def main() -> None:
    args = parse_args()
    if args.child is not None:
        child_main(args.child)
        return
    json_path = args.json or RESULTS / ("all-quick.json" if args.quick else "all.json")
    folder = Path(tempfile.mkdtemp(prefix="abatelink-all-"))
    settings = settings_of(args, folder)
    cases: list[Case] = []
    start = time.perf_counter()
    try:
        for name in args.cases:
            began = time.perf_counter()
            measured = measure(name, settings)
            load = os.getloadavg()[0]
            for case in measured:
                case.detail["load_avg_1min"] = round(load, 2)
            cases += measured
            write_json(json_path, cases)  # after each case: a later failure loses nothing
            print(f"{name}: measured in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(table(cases))
    print(f"\n{len(cases)} cases in {time.perf_counter() - start:.0f} s; JSON: {json_path}")
    if not args.quick and any(name in PLANT_CASES for name in args.cases):
        figure = RESULTS / "scaling.png"
        scaling_figure(cases, figure)
        print(f"figure: {figure}")


if __name__ == "__main__":
    main()
