"""The `abatelink` command: run, compare and validate scenarios.

Exit codes: 0 optimal; 2 infeasible or unbounded; 3 a solver limit was reached (the best
solution found is written, marked); 4 bad input or usage (one line naming the file and place,
or the argument); 5 solver error; 6 an I/O error (results cannot be written: a read-only
folder, a full disk, a file where a folder is expected; a Dask scheduler out of reach);
130 interrupted (Ctrl-C); 141 standard output closed early (`abatelink run … | head`).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import pandas as pd

from abatelink import outputs
from abatelink.compare import compare_runs, comparison_folder, headline, write_comparison
from abatelink.errors import AbatelinkError, InputError, OutputError
from abatelink.games.allocation import (
    allocate,
    allocate_table,
    credit_rules_text,
    write_allocation,
)
from abatelink.inputs.dataset import load_dataset
from abatelink.inputs.scenario import (
    GAME_SOLUTIONS,
    Scenario,
    load_scenario,
    scenario_dataset,
    scenario_inputs,
    scenario_periods,
)
from abatelink.inputs.schema import CREDIT_RULES
from abatelink.model.credit_rules import check_credit_shares
from abatelink.run import (
    RunResult,
    default_out_dir,
    run,
    run_folder,
    run_inputs,
    solver_options_in,
    write_run,
)
from abatelink.studies.sweep import MAX_WORKERS
from abatelink.version import __version__

EXIT_OPTIMAL, EXIT_INFEASIBLE, EXIT_LIMIT = 0, 2, 3
EXIT_IO = OutputError.exit_code
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a process the signal ended
LIMIT_STATUSES = {"time_limit", "iteration_limit", "solution_limit", "objective_limit"}
MAX_COUNT = 10_000_000  # plants and units: more would not fit in memory


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `abatelink` command; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    outputs.set_command(["abatelink", *argv])
    try:
        args = _parser().parse_args(argv)
        code = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except AbatelinkError as err:
        _say(f"error: {err}")
        return err.exit_code
    except KeyboardInterrupt:
        _ignore_ctrl_c()  # the process is ending: a second Ctrl-C would only leave a mess
        _say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _stdout_to_null()
        return EXIT_BROKEN_PIPE
    except OSError as err:  # reading or writing outside the checks above: one line
        where = f"{err.filename}: " if err.filename else ""
        _say(f"error: {where}{err.strerror or err}")
        return EXIT_IO


def _say(line: str) -> None:
    """One line on stderr, its control characters escaped, even if stderr is gone."""
    with contextlib.suppress(OSError, ValueError):
        print(_one_line(line), file=sys.stderr)


def _ignore_ctrl_c() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _stdout_to_null() -> None:
    """Standard output was closed by its reader (`| head`): send what is still buffered
    nowhere, so Python's exit does not report the broken pipe."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # (no file: tests capture it)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


class _Parser(argparse.ArgumentParser):
    """Usage errors end with one line and exit 4, bad input, not argparse's 2 (which here means
    an infeasible scenario)."""

    def error(self, message: str) -> NoReturn:
        self.exit(InputError.exit_code, f"error: {_one_line(self.prog)}: {_one_line(message)}\n")


# --- argument types: each checks its text and says what it expected ---------------------------


def _count(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """A whole number in [minimum, maximum]."""
    bounds = f"≥ {minimum}" if maximum is None else f"from {minimum} to {maximum}"

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected a whole number {bounds}, found {text!r}")
        return value

    return parse


def _number(text: str, expected: str, ok: Callable[[float], bool]) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not ok(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, found {text!r}")
    return value


def _seconds(text: str) -> float:
    return _number(text, "a finite number of seconds > 0", lambda v: math.isfinite(v) and v > 0)


def _gap(text: str) -> float:
    return _number(text, "a relative gap in [0, 1)", lambda v: 0 <= v < 1)


def _path(text: str) -> Path:
    """A path: not empty, no NUL character (the operating system refuses those)."""
    if not text or not text.strip() or "\x00" in text:
        raise argparse.ArgumentTypeError(f"expected a path, found {text!r}")
    return Path(text)


_ADDRESS = re.compile(r"(tcp|tls|ucx|ws|wss|inproc)://[^\s/]+(:\d{1,5})?/?")


def _address(text: str) -> str:
    if not _ADDRESS.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected a Dask scheduler address such as tcp://host:8786, found {text!r}"
        )
    return text


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="abatelink", description="Linked carbon markets and joint abatement projects."
    )
    parser.add_argument("--version", action="version", version=f"abatelink {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run_cmd = commands.add_parser("run", help="solve a scenario and write its tables")
    run_cmd.add_argument("scenario", type=_path, help="scenario YAML file")
    run_cmd.add_argument(
        "--out", type=_path, help="output folder (default: results/<name>/ beside it)"
    )
    run_cmd.add_argument("--time-limit", type=_seconds, help="solver time limit in seconds")
    run_cmd.add_argument("--mip-gap", type=_gap, help="relative MIP gap to stop at, in [0, 1)")
    _add_credit_rule(run_cmd)
    run_cmd.add_argument(
        "--game-solution",
        choices=GAME_SOLUTIONS,
        help="also compute coalition values and allocate the savings by this game solution",
    )
    run_cmd.add_argument(
        "--diagnose",
        action="store_true",
        help="also list the least relaxations of caps, NDCs and limits needed",
    )
    run_cmd.add_argument(
        "--dataset",
        type=_path,
        help="use this data set folder (any path) instead of the scenario's",
    )

    run_cmd.set_defaults(handler=_run)
    cmp_cmd = commands.add_parser("compare", help="gain of each region: cost A − cost B")
    cmp_cmd.add_argument("a", type=_path, help="scenario A (e.g. runs/autarky.yaml)")
    cmp_cmd.add_argument("b", type=_path, help="scenario B (e.g. runs/linked.yaml)")
    cmp_cmd.add_argument("--out", type=_path, help="output folder (default: results/A-vs-B/)")
    cmp_cmd.set_defaults(handler=_compare)
    share_cmd = commands.add_parser(
        "share", help="coalition values and a fair allocation of the savings, with a core check"
    )
    source = share_cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("scenario", type=_path, nargs="?", help="scenario YAML file")
    source.add_argument(
        "--values",
        type=_path,
        help="a game from a table instead: CSV with columns coalition (members joined by '+', "
        "empty for the empty set) and value_musd",
    )
    by = share_cmd.add_mutually_exclusive_group()
    by.add_argument(
        "--solution",
        choices=GAME_SOLUTIONS,
        help="allocate the grand coalition's saving by this game solution, carried out with "
        "side payments (default: shapley)",
    )
    _add_credit_rule(by, "each country keeps what it saves when every project's credits are ")
    share_cmd.add_argument(
        "--out",
        type=_path,
        help="output folder (default: results/<name>/share-<solution or rule>/)",
    )
    share_cmd.set_defaults(handler=_share)
    _add_output_commands(commands)
    _add_study_commands(commands)
    _add_plants_command(commands)

    check_cmd = commands.add_parser("validate", help="check a data set folder or a scenario file")
    check_cmd.add_argument("path", type=_path)
    check_cmd.set_defaults(handler=_validate)
    return parser


def _add_credit_rule(
    parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup,
    lead: str = "",
) -> None:
    parser.add_argument(
        "--credit-rule",
        choices=CREDIT_RULES,
        help=lead + "shared by this credit rule (every project; overrides the scenario's)",
    )


def _add_study_commands(commands: argparse._SubParsersAction) -> None:
    """sweep and sensitivity: many scenarios of a study file."""
    sweep_cmd = commands.add_parser("sweep", help="run every scenario of a study (Dask)")
    sweep_cmd.add_argument("study", type=_path, help="study file, e.g. runs/studies/*.yaml")
    where = sweep_cmd.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_count(0, MAX_WORKERS),
        help="local worker processes (default: cores; 0 = in this process)",
    )
    where.add_argument(
        "--scheduler", type=_address, help="address of a running Dask scheduler (tcp://...)"
    )
    sweep_cmd.add_argument(
        "--resume",
        action="store_true",
        help="run only unfinished batches (refused if the study, base scenario, data set or "
        "abatelink changed since)",
    )
    sweep_cmd.add_argument(
        "--max-batches", type=_count(1), help="stop after this many batches (≥ 1)"
    )
    sweep_cmd.add_argument("--out", type=_path, help="results folder (default: results/<name>/)")
    sweep_cmd.set_defaults(handler=_sweep)
    sens_cmd = commands.add_parser("sensitivity", help="tornado, Morris or Sobol of a sweep")
    sens_cmd.add_argument("study", type=_path)
    sens_cmd.add_argument("--out", type=_path, help="results folder of the sweep")
    sens_cmd.set_defaults(handler=_sensitivity)


def _sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from abatelink.studies.sweep import sweep

    bar = tqdm(unit="scenario", dynamic_ncols=True, disable=None)

    def progress(done: int, total: int, seconds: float) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        summary = sweep(
            args.study,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            max_batches=args.max_batches,
            progress=progress,
        )
    finally:
        bar.close()
    rate = summary.batches_run / summary.seconds if summary.seconds else 0.0
    print(
        f"{summary.batches_run} batches run ({summary.scenarios} scenarios in "
        f"{summary.batches} batches in all), {summary.seconds:.1f} s, {rate:.2f} batches/s; "
        f"results in {summary.folder}"
    )
    return EXIT_OPTIMAL


def _sensitivity(args: argparse.Namespace) -> int:
    from abatelink.inputs.study import load_study
    from abatelink.studies.sensitivity import analyse, write_sensitivity
    from abatelink.studies.sweep import default_out

    study = load_study(args.study)
    folder = args.out or default_out(study)
    for path in write_sensitivity(analyse(study, folder), folder, study):
        print(path)
    return EXIT_OPTIMAL


def _add_plants_command(commands: argparse._SubParsersAction) -> None:
    plants_cmd = commands.add_parser(
        "plants", help="write a plant-level synthetic data set with SOURCE's national totals"
    )
    plants_cmd.add_argument("source", type=_path, help="data set folder to split (data/nea2018)")
    plants_cmd.add_argument("out", type=_path, help="folder to write")
    plants_cmd.add_argument(
        "--emitters", type=_count(1, MAX_COUNT), default=5000, help="plants in all (≥ 1)"
    )
    plants_cmd.add_argument(
        "--units", type=_count(0, MAX_COUNT), default=2000, help="candidate CCS units (≥ 0)"
    )
    plants_cmd.add_argument("--seed", type=_count(0, 2**63 - 1), default=0)
    plants_cmd.set_defaults(handler=_plants)


def _plants(args: argparse.Namespace) -> int:
    from abatelink.inputs.plants import write_plant_dataset

    # the new data set may replace an earlier one there, never its own source
    outputs.check_output_folder(args.out, [args.source], dataset_allowed=True)
    out = write_plant_dataset(args.source, args.out, args.emitters, args.units, args.seed)
    print(f"wrote {out}")
    return EXIT_OPTIMAL


def _add_output_commands(commands: argparse._SubParsersAction) -> None:
    """export, plot and report: read a run folder written by `run`."""
    export_cmd = commands.add_parser("export", help="export a run folder: xlsx, parquet, iamc")
    export_cmd.add_argument("run_dir", type=_path, help="run folder written by `abatelink run`")
    export_cmd.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=("xlsx", "parquet", "iamc"),
        help="format to write; repeat for several (default: all three)",
    )
    export_cmd.add_argument("--out", type=_path, help="output folder (default: RUN_DIR/export/)")
    export_cmd.set_defaults(handler=_export)
    plot_cmd = commands.add_parser("plot", help="figures of a run folder (PNG and SVG)")
    plot_cmd.add_argument("run_dir", type=_path, help="run folder written by `abatelink run`")
    plot_cmd.add_argument("--compare", type=_path, help="a second run folder, e.g. autarky")
    plot_cmd.add_argument("--out", type=_path, help="output folder (default: RUN_DIR/figures/)")
    plot_cmd.set_defaults(handler=_plot)
    report_cmd = commands.add_parser("report", help="one self-contained HTML report of a run")
    report_cmd.add_argument("run_dir", type=_path, help="run folder written by `abatelink run`")
    report_cmd.add_argument("--compare", type=_path, help="a second run folder, e.g. autarky")
    report_cmd.add_argument("--out", type=_path, help="HTML file (default: RUN_DIR/report.html)")
    report_cmd.set_defaults(handler=_report)


def _export(args: argparse.Namespace) -> int:
    from abatelink.reports.export import FORMATS, export_run  # lazy: pyam is slow to import

    for path in export_run(args.run_dir, args.formats or FORMATS, args.out):
        print(path)
    return EXIT_OPTIMAL


def _plot(args: argparse.Namespace) -> int:
    from abatelink.reports.figures import plot_run

    if args.out is not None:  # (the default, RUN_DIR/figures/, holds no input)
        outputs.check_output_folder(args.out, [args.run_dir, args.compare])
    for path in plot_run(args.run_dir, args.out, other_run=args.compare):
        print(path)
    return EXIT_OPTIMAL


def _report(args: argparse.Namespace) -> int:
    from abatelink.reports.html import write_report

    if args.out is not None:
        if args.out.suffix.lower() not in (".html", ".htm"):
            raise InputError(args.out, "expected an HTML file name (….html) to write the report")
        outputs.check_output_folder(args.out.parent)  # no data set folder; a folder, not a file
    print(write_report(args.run_dir, compare_dir=args.compare, out=args.out))
    return EXIT_OPTIMAL


def _run(args: argparse.Namespace) -> int:
    scenario = _with_solver_flags(load_scenario(args.scenario), args)
    with run_folder(scenario, args.out) as target:  # refused before solving, not after
        result = run(scenario, diagnose_always=args.diagnose, out=target.folder)
        folder = write_run(result, target)
    _print_run(result, folder)
    return _exit_code(result)


def _with_solver_flags(scenario: Scenario, args: argparse.Namespace) -> Scenario:
    if args.dataset is not None:
        scenario = scenario.model_copy(update={"dataset": str(args.dataset.resolve())})
    scenario = _with_credit_rule(scenario, args.credit_rule)
    if args.game_solution is not None:
        scenario = scenario.model_copy(update={"game_solution": args.game_solution})
    changes = {}
    if args.time_limit is not None:
        changes["time_limit"] = args.time_limit
    if args.mip_gap is not None:
        changes["mip_rel_gap"] = args.mip_gap
    if not changes:
        return scenario
    return scenario.model_copy(update={"solver": scenario.solver.model_copy(update=changes)})


def _with_credit_rule(scenario: Scenario, rule: str | None) -> Scenario:
    if rule is None:
        return scenario
    return scenario.model_copy(update={"credit_rule": rule, "project_credit_rules": {}})


def _exit_code(result: RunResult) -> int:
    if result.status == "optimal":
        return EXIT_OPTIMAL
    if result.status in LIMIT_STATUSES:
        return EXIT_LIMIT
    if result.status in ("infeasible", "unbounded", "infeasible_or_unbounded"):
        return EXIT_INFEASIBLE
    return AbatelinkError.exit_code


def _print_run(result: RunResult, folder: Path) -> None:
    s = result.summary
    print(f"scenario {s['scenario']}: {s['status']}", end="")
    if s["objective_present_value_musd"] is not None:
        print(f", discounted cost US${s['objective_present_value_musd']:,.1f} million", end="")
    print(f" ({sum(s['timings_s'].values()):.2f} s)")
    for line in s.get("warnings") or []:
        print("warning: " + line)
    for line in s.get("diagnosis") or []:
        print("diagnosis: " + line)
    if "prices" not in result.tables:
        print("no solution to report; summary and diagnosis written to", folder)
        return

    prices = result["prices"].pivot(index="market", columns="period", values="price_usd_per_t")
    print("\nprices (US$/t)\n" + _fmt(prices))
    ndc = result["ndc"].dropna(subset=["target_mt"])
    if len(ndc):
        shadow = ndc.pivot(index="region", columns="period", values="shadow_price_usd_per_t")
        print("\nNDC shadow prices (US$/t; > 0 where the NDC binds)\n" + _fmt(shadow))
    _print_projects(result)
    costs = result["costs"].pivot(index="region", columns="period", values="national_cost_musd")
    costs.loc["total"] = costs.sum()
    print("\nnational cost by region (US$ million/yr)\n" + _fmt(costs))
    print(
        "\nnet allowance sales abroad (Mt/yr; > 0 a seller, < 0 a buyer)\n"
        + _fmt(_net_sales(result))
    )
    pv = pd.DataFrame(result.summary["present_value_musd"])
    pv.loc["total"] = pv.sum()
    print("\nthe three accounts, present value (US$ million)\n" + _fmt(pv))
    print(f"\ntables written to {folder}")


def _net_sales(result: RunResult) -> pd.DataFrame:
    """Cross-border allowance sales minus purchases of each region, by period (Mt/yr)."""
    trades = result["trades"]
    abroad = trades[trades["cross_border"]]
    sold = abroad.groupby(["from_region", "period"])["volume_mt"].sum()
    bought = abroad.groupby(["to_region", "period"])["volume_mt"].sum()
    net = sold.sub(bought, fill_value=0.0).rename_axis(["region", "period"]).rename("net_mt")
    table = net.reset_index().pivot(index="region", columns="period", values="net_mt")
    regions = result.model.index.regions
    return table.reindex(regions, fill_value=0.0).fillna(0.0)


def _print_projects(result: RunResult) -> None:
    credits = result["credits"]
    if credits.empty:
        return
    built = result["projects"].query("built")
    summary = built.groupby(["project", "period"]).agg(
        items=("item", "count"),
        gross_cost_musd=("cost_musd", "sum"),
        co_financed_musd=("co_financed_musd", "sum"),
    )
    if len(summary):
        by_project = credits.groupby(["project", "period"])
        saved = by_project["avoided_generation_musd"].sum()
        summary["regions_pay_musd"] = (
            summary["gross_cost_musd"]
            - summary["co_financed_musd"]
            - saved.reindex(summary.index, fill_value=0.0)
        )
        summary["avoided_mt"] = by_project["generated_mt"].sum()
        print(
            "\njoint projects built (US$ million/yr; the regions pay the gross cost less what a "
            "third party co-finances and the generation displaced; Mt/yr)\n" + _fmt(summary)
        )
    else:
        print("\njoint projects: none built")
    inputs = result.priced.inputs
    rules = {p: r for p, r in inputs.credit_rules.items() if p in inputs.open_projects}
    credited = credits.pivot_table(
        index="region", columns="period", values="credited_mt", aggfunc="sum"
    )
    print(
        f"\nproject credits by region (Mt/yr; credit rules: {credit_rules_text(rules)})\n"
        + _fmt(credited)
    )
    if result.summary.get("prices_conditional_on_build"):
        print("prices are LP duals with the build fixed: conditional on the build")


def _fmt(frame: pd.DataFrame) -> str:
    return frame.to_string(float_format=lambda v: f"{v:,.2f}")


def _compare(args: argparse.Namespace) -> int:
    scenario_a, scenario_b = load_scenario(args.a), load_scenario(args.b)
    folder = comparison_folder(scenario_a, scenario_b, args.out)
    inputs = run_inputs(scenario_a) + run_inputs(scenario_b)
    outputs.check_output_folder(folder, inputs)  # before solving
    a, b = run(scenario_a, out=folder / "a"), run(scenario_b, out=folder / "b")
    for result in (a, b):
        if not result.tables:
            print(f"scenario {result.scenario.name} has no solution ({result.status})")
            return _exit_code(result)
    gains = compare_runs(a, b)
    folder = write_comparison(gains, a, b, args.out)
    names = f"{a.scenario.name} → {b.scenario.name}"
    print(f"national cost, present value (US$ million), {names}")
    print(_fmt(headline(gains, a, b)))
    print(f"\ngain of each region: national cost of {a.scenario.name} − of {b.scenario.name}")
    table = gains.pivot(index="region", columns="period", values="gain_musd")
    table["present value"] = gains.groupby("region")["gain_present_value_musd"].sum()
    print("(US$ million/yr; present value in US$ million)\n" + _fmt(table))
    moved = gains.groupby("region")[["emitters_gain_musd", "revenue_change_musd"]].sum()
    print("\nthe other accounts (US$ million/yr, summed over periods)\n" + _fmt(moved))
    print(f"\nwritten to {folder}")
    return max(_exit_code(a), _exit_code(b))


def _share(args: argparse.Namespace) -> int:
    if args.values is not None:
        if args.credit_rule:
            raise InputError(args.values, "a game from a table has no credit rule: give --solution")
        solution = args.solution or "shapley"
        result = allocate_table(args.values, solution)
        name = args.values.stem
        out = outputs.results_folder(args.values.parent / "results", name, args.values)
        inputs = [args.values]
        with outputs.OutputFolder(
            args.out or out / f"share-{solution}", "share", inputs=inputs
        ) as target:
            folder = _write_allocation(result, target)
    else:
        scenario = _with_credit_rule(load_scenario(args.scenario), args.credit_rule)
        solution = None if args.credit_rule else (args.solution or "shapley")
        # each way of sharing keeps its own files: share-shapley/, share-credit-equal/, ...
        out = default_out_dir(scenario) / f"share-{solution or 'credit-' + args.credit_rule}"
        with outputs.OutputFolder(args.out or out, "share", inputs=run_inputs(scenario)) as target:
            options, files = solver_options_in(scenario, target.folder)
            result = allocate(scenario.model_copy(update={"solver": options}), solution)
            folder = _write_allocation(result, target, files)
        name = scenario.name
    table = result.table.set_index("region")
    by = solution or f"credit rules ({credit_rules_text(result.credit_rules)})"
    print(f"sharing the savings of {name} by {by} (US$ million)")
    print(_fmt(table))
    print(result.core.message)

    print(f"\ncoalitions.csv and allocation.csv written to {folder}")
    return EXIT_OPTIMAL


def _write_allocation(result, target: outputs.OutputFolder, files: Sequence[Path] = ()) -> Path:
    """coalitions.csv and allocation.csv (`write_allocation`), each written atomically."""
    target.write_folder(None, lambda tmp: _allocation_files(write_allocation(result, tmp)))
    for path in files:
        target.record(path)
    target.finish()
    return target.folder


def _allocation_files(folder: Path) -> list[Path]:
    return [folder / "coalitions.csv", folder / "allocation.csv"]


def _validate(args: argparse.Namespace) -> int:
    if args.path.is_dir():
        ds = load_dataset(args.path)
        print(
            f"data set {ds.meta.name}: ok ({len(ds.emitters)} emitters, {len(ds.markets)} markets)"
        )
        return EXIT_OPTIMAL
    scenario = load_scenario(args.path)
    dataset = scenario_dataset(scenario)
    scenario_periods(scenario, dataset)
    check_credit_shares(scenario_inputs(scenario, dataset))
    print(f"scenario {scenario.name}: ok")
    return EXIT_OPTIMAL


if __name__ == "__main__":
    sys.exit(main())
