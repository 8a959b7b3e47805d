"""The `abatelink` command: run, compare and validate scenarios.

Exit codes: 0 optimal; 2 infeasible or unbounded; 3 a solver limit was reached (the best
solution found is written, marked); 4 bad input; 5 solver error; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import pandas as pd

from abatelink.compare import compare_runs, headline, write_comparison
from abatelink.errors import AbatelinkError, InputError
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
from abatelink.run import RunResult, default_out_dir, run, write_run
from abatelink.version import __version__

EXIT_OPTIMAL, EXIT_INFEASIBLE, EXIT_LIMIT = 0, 2, 3
EXIT_INTERRUPTED = 130
LIMIT_STATUSES = {"time_limit", "iteration_limit", "solution_limit", "objective_limit"}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `abatelink` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except AbatelinkError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


class _Parser(argparse.ArgumentParser):
    """Usage errors end with one line and exit 4, bad input, not argparse's 2 (which here means
    an infeasible scenario)."""

    def error(self, message: str) -> NoReturn:
        self.exit(InputError.exit_code, f"error: {self.prog}: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="abatelink", description="Linked carbon markets and joint abatement projects."
    )
    parser.add_argument("--version", action="version", version=f"abatelink {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    run_cmd = commands.add_parser("run", help="solve a scenario and write its tables")
    run_cmd.add_argument("scenario", type=Path, help="scenario YAML file")
    run_cmd.add_argument(
        "--out", type=Path, help="output folder (default: results/<name>/ beside it)"
    )
    run_cmd.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    run_cmd.add_argument("--mip-gap", type=float, help="relative MIP gap to stop at")
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
        "--dataset", type=Path, help="use this data set folder (any path) instead of the scenario's"
    )

    run_cmd.set_defaults(handler=_run)
    cmp_cmd = commands.add_parser("compare", help="gain of each region: cost A − cost B")
    cmp_cmd.add_argument("a", type=Path, help="scenario A (e.g. runs/autarky.yaml)")
    cmp_cmd.add_argument("b", type=Path, help="scenario B (e.g. runs/linked.yaml)")
    cmp_cmd.add_argument("--out", type=Path, help="output folder (default: results/A-vs-B/)")
    cmp_cmd.set_defaults(handler=_compare)
    share_cmd = commands.add_parser(
        "share", help="coalition values and a fair allocation of the savings, with a core check"
    )
    source = share_cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("scenario", type=Path, nargs="?", help="scenario YAML file")
    source.add_argument(
        "--values",
        type=Path,
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
        "--out", type=Path, help="output folder (default: results/<name>/share-<solution or rule>/)"
    )
    share_cmd.set_defaults(handler=_share)
    _add_output_commands(commands)
    _add_study_commands(commands)
    _add_plants_command(commands)

    check_cmd = commands.add_parser("validate", help="check a data set folder or a scenario file")
    check_cmd.add_argument("path", type=Path)
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
    sweep_cmd.add_argument("study", type=Path, help="study file, e.g. runs/studies/*.yaml")
    where = sweep_cmd.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, help="local worker processes (default: cores; 0 = in this process)"
    )
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://...)")
    sweep_cmd.add_argument("--resume", action="store_true", help="run only unfinished batches")
    sweep_cmd.add_argument("--max-batches", type=int, help="stop after this many batches")
    sweep_cmd.add_argument("--out", type=Path, help="results folder (default: results/<name>/)")
    sweep_cmd.set_defaults(handler=_sweep)
    sens_cmd = commands.add_parser("sensitivity", help="tornado, Morris or Sobol of a sweep")
    sens_cmd.add_argument("study", type=Path)
    sens_cmd.add_argument("--out", type=Path, help="results folder of the sweep")
    sens_cmd.set_defaults(handler=_sensitivity)


def _sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from abatelink.studies.sweep import sweep

    bar = tqdm(unit="scenario", dynamic_ncols=True, disable=None)

    def progress(done: int, total: int, seconds: float) -> None:
        bar.total = total
        bar.update(done - bar.n)

    summary = sweep(
        args.study,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        max_batches=args.max_batches,
        progress=progress,
    )
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
    for path in write_sensitivity(analyse(study, folder), folder):
        print(path)
    return EXIT_OPTIMAL


def _add_plants_command(commands: argparse._SubParsersAction) -> None:
    plants_cmd = commands.add_parser(
        "plants", help="write a plant-level synthetic data set with SOURCE's national totals"
    )
    plants_cmd.add_argument("source", type=Path, help="data set folder to split (data/nea2018)")
    plants_cmd.add_argument("out", type=Path, help="folder to write")
    plants_cmd.add_argument("--emitters", type=int, default=5000, help="plants in all")
    plants_cmd.add_argument("--units", type=int, default=2000, help="candidate CCS units")
    plants_cmd.add_argument("--seed", type=int, default=0)
    plants_cmd.set_defaults(handler=_plants)


def _plants(args: argparse.Namespace) -> int:
    from abatelink.inputs.plants import write_plant_dataset

    out = write_plant_dataset(args.source, args.out, args.emitters, args.units, args.seed)
    print(f"wrote {out}")
    return EXIT_OPTIMAL


def _add_output_commands(commands: argparse._SubParsersAction) -> None:
    """export, plot and report: read a run folder written by `run`."""
    export_cmd = commands.add_parser("export", help="export a run folder: xlsx, parquet, iamc")
    export_cmd.add_argument("run_dir", type=Path, help="run folder written by `abatelink run`")
    export_cmd.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=("xlsx", "parquet", "iamc"),
        help="format to write; repeat for several (default: all three)",
    )
    export_cmd.add_argument("--out", type=Path, help="output folder (default: RUN_DIR/export/)")
    export_cmd.set_defaults(handler=_export)
    plot_cmd = commands.add_parser("plot", help="figures of a run folder (PNG and SVG)")
    plot_cmd.add_argument("run_dir", type=Path, help="run folder written by `abatelink run`")
    plot_cmd.add_argument("--compare", type=Path, help="a second run folder, e.g. autarky")
    plot_cmd.add_argument("--out", type=Path, help="output folder (default: RUN_DIR/figures/)")
    plot_cmd.set_defaults(handler=_plot)
    report_cmd = commands.add_parser("report", help="one self-contained HTML report of a run")
    report_cmd.add_argument("run_dir", type=Path, help="run folder written by `abatelink run`")
    report_cmd.add_argument("--compare", type=Path, help="a second run folder, e.g. autarky")
    report_cmd.add_argument("--out", type=Path, help="HTML file (default: RUN_DIR/report.html)")
    report_cmd.set_defaults(handler=_report)


def _export(args: argparse.Namespace) -> int:
    from abatelink.reports.export import FORMATS, export_run  # lazy: pyam is slow to import

    for path in export_run(args.run_dir, args.formats or FORMATS, args.out):
        print(path)
    return EXIT_OPTIMAL


def _plot(args: argparse.Namespace) -> int:
    from abatelink.reports.figures import plot_run

    for path in plot_run(args.run_dir, args.out, other_run=args.compare):
        print(path)
    return EXIT_OPTIMAL


def _report(args: argparse.Namespace) -> int:
    from abatelink.reports.html import write_report

    print(write_report(args.run_dir, compare_dir=args.compare, out=args.out))
    return EXIT_OPTIMAL


def _run(args: argparse.Namespace) -> int:

    scenario = _with_solver_flags(load_scenario(args.scenario), args)
    result = run(scenario, diagnose_always=args.diagnose)
    folder = write_run(result, args.out)
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
        items=("item", "count"), gross_cost_musd=("cost_musd", "sum")
    )
    if len(summary):
        by_project = credits.groupby(["project", "period"])
        saved = by_project["avoided_generation_musd"].sum()
        summary["net_cost_musd"] = summary["gross_cost_musd"] - saved.reindex(
            summary.index, fill_value=0.0
        )
        summary["avoided_mt"] = by_project["generated_mt"].sum()
        print(
            "\njoint projects built (US$ million/yr; net of generation displaced; Mt/yr)\n"
            + _fmt(summary)
        )
    else:
        print("\njoint projects: none built")
    rules = result.priced.inputs.credit_rules
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
    a, b = run(args.a), run(args.b)
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
        name, out = args.values.stem, args.values.parent / "results" / args.values.stem
    else:
        scenario = _with_credit_rule(load_scenario(args.scenario), args.credit_rule)
        solution = None if args.credit_rule else (args.solution or "shapley")
        result = allocate(scenario, solution)
        name, out = scenario.name, default_out_dir(scenario)
    # each way of sharing keeps its own files: share-shapley/, share-credit-equal/, ...
    out = out / f"share-{solution or 'credit-' + args.credit_rule}"
    folder = write_allocation(result, args.out or out)
    table = result.table.set_index("region")
    by = solution or f"credit rules ({credit_rules_text(result.credit_rules)})"
    print(f"sharing the savings of {name} by {by} (US$ million)")
    print(_fmt(table))
    print(result.core.message)

    print(f"\ncoalitions.csv and allocation.csv written to {folder}")
    return EXIT_OPTIMAL


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
