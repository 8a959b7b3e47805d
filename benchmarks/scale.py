"""Scale benchmark: abatelink against HiGHS alone on a plant-level data set.

    python benchmarks/scale.py [--emitters 5000] [--units 2000] [--seed 0]
                               [--cases milp,no-projects,lp] [--highs-option KEY=VALUE ...]
                               [--profile 25] [--keep DIR]

Writes a plant-level split of data/nea2018 (`abatelink.inputs.plants.write_plant_dataset`) into a
temporary folder and, for each case, runs the linked scenario (`links: all`) in this process
(imports not timed), then gives the model HiGHS holds to a fresh `highspy.Highs` through an
MPS file and times its read and run alone. Cases: `milp` (every project, CCS units and
supergrid modules are integers), `no-projects` (the same data with `projects: none`) and
`lp` (the data without any project table: a pure LP). `--highs-option` passes a HiGHS option
to both (the scenario's `solver.options`), e.g. `presolve_rule_off=8192`, which switches off
HiGHS's parallel rows and columns presolve rule. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import highspy

from abatelink.inputs.plants import write_plant_dataset
from abatelink.inputs.scenario import Scenario, SolverOptions
from abatelink.run import RunResult, run
from abatelink.solve.highs import use_threads

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "nea2018"
PHASES = ("load_s", "build_s", "send_to_highs_s", "solve_s", "extract_s")
PROJECT_FILES = (
    "projects.csv",
    "participants.csv",
    "ccs_units.csv",
    "pm_transport.csv",
    "sites.csv",
    "corridors.csv",
    "grids.csv",
)
CASES = ("milp", "no-projects", "lp")


@dataclass(frozen=True)
class Alone:
    """HiGHS on its own: seconds to read the MPS file and to run, and what it found."""

    read_s: float
    run_s: float
    status: str
    objective: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emitters", type=int, default=5000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES)
    )
    parser.add_argument(
        "--highs-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="HiGHS option for both runs (repeatable), e.g. presolve_rule_off=8192",
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="print the N top functions of each run"
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="write the data sets here, keep them"
    )
    args = parser.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {sorted(unknown)}; choose from {', '.join(CASES)}")
    options = dict(parse_option(text) for text in args.highs_option)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="abatelink-scale-"))
    try:
        plants = generate(folder / "plants", args.emitters, args.units, args.seed)
        for case in cases:
            dataset = lp_variant(plants, folder / "plants-lp") if case == "lp" else plants
            projects = "all" if case == "milp" else "none"
            scenario = Scenario(
                name=f"plants-{case}",
                dataset=str(dataset),
                links="all",
                projects=projects,
                solver=SolverOptions(options=options),
            )
            reference = scenario.model_copy(
                update={"name": f"source-{case}", "dataset": str(SOURCE)}
            )
            report(case, scenario, folder, run(reference), args.profile)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def parse_option(text: str) -> tuple[str, str | int | float | bool]:
    """`KEY=VALUE` → (key, value as a bool, int, float or text)."""
    key, _, value = text.partition("=")
    if value.lower() in ("true", "false"):
        return key, value.lower() == "true"
    for kind in (int, float):
        try:
            return key, kind(value)
        except ValueError:
            pass
    return key, value


def generate(out: Path, emitters: int, units: int, seed: int) -> Path:
    """Write the plant-level data set and print how long it took and how big it is."""
    start = time.perf_counter()
    write_plant_dataset(SOURCE, out, n_emitters=emitters, n_ccs_units=units, seed=seed)
    seconds = time.perf_counter() - start
    mac_rows = sum(1 for _ in (out / "mac.csv").open()) - 1
    print(
        f"data set: {emitters} emitters, {units} CCS units from {SOURCE.relative_to(ROOT)} "
        f"(seed {seed}); {mac_rows} MAC rows; generated in {seconds:.2f} s"
    )
    return out


def lp_variant(plants: Path, out: Path) -> Path:
    """A copy of the plant data set without its project tables (a pure LP)."""
    if not out.exists():
        shutil.copytree(plants, out, ignore=shutil.ignore_patterns(*PROJECT_FILES))
    return out


def timed_run(scenario: Scenario, profile: int) -> tuple[RunResult, float, str]:
    """Run the scenario; wall seconds and, if asked, the profile's top functions."""
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = run(scenario)
    if profiler is not None:
        profiler.disable()
    wall = time.perf_counter() - start
    text = ""
    if profiler is not None:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(profile)
        text = stream.getvalue()
    return result, wall, text


def highs_alone(mps: Path, options: SolverOptions) -> Alone:
    """Read the MPS file into a fresh HiGHS and run it with the run's settings."""
    use_threads(options.threads)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    start = time.perf_counter()
    highs.readModel(str(mps))
    read = time.perf_counter() - start
    highs.setOptionValue("threads", options.threads)
    highs.setOptionValue("mip_rel_gap", options.mip_rel_gap)
    if options.time_limit is not None:
        highs.setOptionValue("time_limit", options.time_limit)
    for key, value in options.options.items():
        highs.setOptionValue(key, value)
    start = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - start
    status = highs.modelStatusToString(highs.getModelStatus())
    return Alone(read, seconds, status, highs.getInfo().objective_function_value)


def model_size(highs: highspy.Highs) -> tuple[int, int, int, int]:
    """Rows, columns, integer columns and non-zeros of the model HiGHS holds."""
    lp = highs.getLp()
    continuous = highspy.HighsVarType.kContinuous
    integers = sum(1 for kind in lp.integrality_ if kind != continuous)
    return highs.getNumRow(), highs.getNumCol(), integers, highs.getNumNz()


def report(case: str, scenario: Scenario, folder: Path, reference: RunResult, profile: int) -> None:
    """Run one case ours and HiGHS alone; print phases, sizes, ratios and price differences."""
    result, wall, profile_text = timed_run(scenario, profile)
    phases = result.summary["timings_s"]
    rows, cols, integers, nonzeros = model_size(result.session.highs)
    mps = folder / f"{case}.mps"
    start = time.perf_counter()
    result.session.highs.writeModel(str(mps))
    write_s = time.perf_counter() - start
    options = scenario.solver
    alone = highs_alone(mps, options)
    ours = sum(phases.get(p, 0.0) for p in PHASES)
    ours_no_extract = ours - phases.get("extract_s", 0.0)
    highs_total = alone.read_s + alone.run_s
    extra = f", HiGHS options {options.options}" if options.options else ""
    print(f"\n== {case}: {scenario.name} (links: all, projects: {scenario.projects}{extra})")
    print(f"model: {rows} rows, {cols} columns, {integers} integer, {nonzeros} non-zeros")
    objective = result.summary["objective_present_value_musd"]
    print(f"ours: status {result.status}, objective {objective:.6f}")
    print("  " + ", ".join(f"{p} {phases.get(p, 0.0):.2f}" for p in PHASES))
    if result.solution.is_mip:
        first = result.solution.solve_seconds
        rest = phases["solve_s"] - first
        print(f"  solve_s = MILP {first:.2f} + LP with the build fixed (for prices) {rest:.2f}")
    print(
        f"  load..solve {ours_no_extract:.2f} s, load..extract {ours:.2f} s, "
        f"wall of run() {wall:.2f} s (summary, coefficient ranges included)"
    )
    print(
        f"HiGHS alone: status {alone.status}, objective {alone.objective:.6f}; "
        f"read {alone.read_s:.2f} s + run {alone.run_s:.2f} s = {highs_total:.2f} s "
        f"(MPS written in {write_s:.2f} s, not counted)"
    )
    print(
        f"ratio ours/HiGHS alone: load..solve {ours_no_extract / highs_total:.2f}x, "
        f"load..extract {ours / highs_total:.2f}x, run() wall {wall / highs_total:.2f}x "
        "(target ≤ 1.5x)"
    )
    print_price_gap(result, reference)
    if profile_text:
        print(profile_text)


def print_price_gap(result: RunResult, reference: RunResult) -> None:
    """Largest relative gap between the plant data set's prices and the source's.

    The source runs the same scenario, with `projects: none` for the `lp` case (as its data).
    """
    if "prices" not in result.tables:
        return
    key = ["market", "period"]
    ours = result["prices"].set_index(key)["price_usd_per_t"]
    source = reference["prices"].set_index(key)["price_usd_per_t"].reindex(ours.index)
    gap = (ours - source).abs() / source.abs().clip(lower=1e-9)
    binding = source > 1e-6
    worst = gap[binding].idxmax() if binding.any() else None
    if worst is not None:
        print(
            f"prices vs nea2018 itself (same scenario): largest relative gap "
            f"{gap[worst]:.1%} at {worst[0]} {worst[1]} ({source[worst]:.3f} → {ours[worst]:.3f})"
        )


if __name__ == "__main__":
    sys.exit(main())
