"""The `abatelink` command: run, compare and validate scenarios.

Exit codes: 0 optimal; 2 infeasible or unbounded; 3 a solver limit was reached (the best
solution found is written, marked); 4 bad input or usage (one line naming the file and place,
or the argument); 5 solver error; 6 an I/O error (results cannot be written: a read-only
folder, a full disk, a file where a folder is expected; a Dask scheduler out of reach);
130 interrupted (Ctrl-C); 141 standard output closed early (`abatelink run … | head`).

Start-up: this module imports the standard library only. The parser adds the arguments of
the command named on the command line alone, and each command imports what it uses, so
`abatelink --help` loads neither pandas nor Pyomo, and a Ctrl-C while a command imports them
ends like one while it works (exit 130, one line).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from abatelink import outputs
from abatelink.errors import AbatelinkError, InputError, OutputError
from abatelink.extras import need
from abatelink.terminal import (
    fmt,
    method,
    print_comparison,
    print_differences,
    print_json,
    print_run,
    run_json,
)
from abatelink.version import __version__

if TYPE_CHECKING:
    from abatelink.games.allocation import Allocation
    from abatelink.inputs.scenario import Scenario
    from abatelink.reports.export import RunFolder
    from abatelink.run import RunResult

EXIT_OPTIMAL, EXIT_INFEASIBLE, EXIT_LIMIT = 0, 2, 3
EXIT_IO = OutputError.exit_code
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a process the signal ended
LIMIT_STATUSES = {"time_limit", "iteration_limit", "solution_limit", "objective_limit"}
MAX_COUNT = 10_000_000  # plants and units: more would not fit in memory


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `abatelink` command; returns the exit code."""
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        outputs.set_command(["abatelink", *argv])
        args = _parser(_named_command(argv)).parse_args(argv)
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


def _tolerance(text: str) -> float:
    return _number(text, "a number > 0 and < 1", lambda v: 0 < v < 1)


def _formats(known: Sequence[str]) -> Callable[[str], list[str]]:
    """`xlsx,parquet` → ["xlsx", "parquet"], each one of `known`."""

    def parse(text: str) -> list[str]:
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [f for f in chosen if f not in known]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(
                f"expected formats among {', '.join(known)}, comma-separated; found {text!r}"
            )
        return chosen

    return parse


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


# --- the parser ------------------------------------------------------------------------------


def _parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser of the command line, with the arguments of `commands` (default: all).

    Every command is listed; only those named get their arguments, which may import what
    their choices come from (e.g. the game solutions).
    """
    parser = _Parser(
        prog="abatelink", description="Linked carbon markets and joint abatement projects."
    )
    parser.add_argument("--version", action="version", version=f"abatelink {__version__}")
    subparsers = parser.add_subparsers(required=True, metavar="COMMAND")
    for name, (text, add_arguments) in COMMANDS.items():
        command = subparsers.add_parser(name, help=text)
        if commands is None or name in commands:
            add_arguments(command)
    return parser


def _named_command(argv: Sequence[str]) -> set[str]:
    """The command named on the command line: its first word that is not an option (the
    options before it, --help and --version, take no value)."""
    return {next((word for word in argv if not word.startswith("-")), "")}


def _add_run(parser: argparse.ArgumentParser) -> None:
    from abatelink.inputs.scenario import GAME_SOLUTIONS

    parser.add_argument("scenario", type=_path, help="scenario YAML file")
    parser.add_argument(
        "--out", type=_path, help="output folder (default: results/<name>/ beside it)"
    )
    parser.add_argument("--time-limit", type=_seconds, help="solver time limit in seconds")
    parser.add_argument("--mip-gap", type=_gap, help="relative MIP gap to stop at, in [0, 1)")
    _add_credit_rule(parser)
    parser.add_argument(
        "--game-solution",
        choices=GAME_SOLUTIONS,
        help="also compute coalition values and allocate the savings by this game solution",
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="also list the least relaxations of caps, NDCs and limits needed",
    )
    parser.add_argument(
        "--dataset",
        type=_path,
        help="use this data set folder (any path) instead of the scenario's",
    )
    _add_output_style(parser)
    parser.set_defaults(handler=_run)


def _add_output_style(parser: argparse.ArgumentParser) -> None:
    """-q and --json: what a script reading the command's standard output wants."""
    style = parser.add_mutually_exclusive_group()
    style.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    style.add_argument(
        "--json", action="store_true", help="print one JSON document instead of tables"
    )


def _add_compare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", type=_path, help="scenario A (e.g. runs/autarky.yaml)")
    parser.add_argument("b", type=_path, help="scenario B (e.g. runs/linked.yaml)")
    parser.add_argument("--out", type=_path, help="output folder (default: results/A-vs-B/)")
    _add_output_style(parser)
    parser.set_defaults(handler=_compare)


def _add_diff(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", type=_path, help="scenario A")
    parser.add_argument("b", type=_path, help="scenario B")
    parser.set_defaults(handler=_diff)


def _add_share(parser: argparse.ArgumentParser) -> None:
    from abatelink.inputs.scenario import GAME_SOLUTIONS

    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("scenario", type=_path, nargs="?", help="scenario YAML file")
    source.add_argument(
        "--values",
        type=_path,
        help="a game from a table instead: CSV with columns coalition (members joined by '+', "
        "empty for the empty set) and value_musd",
    )
    by = parser.add_mutually_exclusive_group()
    by.add_argument(
        "--solution",
        "--game-solution",
        dest="solution",
        choices=GAME_SOLUTIONS,
        help="allocate the grand coalition's saving by this game solution, carried out with "
        "side payments (default: shapley)",
    )
    _add_credit_rule(by, "each country keeps what it saves when every project's credits are ")
    parser.add_argument(
        "--method",
        choices=("auto", "enumerate", "generate"),
        default="auto",
        help="enumerate every coalition, or generate only those the solution needs (sampled "
        "Shapley, constraint generation); auto enumerates up to 12 players",
    )
    parser.add_argument(
        "--tolerance",
        type=_tolerance,
        help="without enumeration: the Shapley value's target standard error as a share of "
        "the mean saving (default 0.05); the least core's excess tolerance relative to max |v| "
        "(default 1e-6)",
    )
    parser.add_argument(
        "--out",
        type=_path,
        help="output folder (default: results/<name>/share-<solution or rule>/)",
    )
    _add_output_style(parser)
    parser.set_defaults(handler=_share)


def _add_credit_rule(
    parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup,
    lead: str = "",
) -> None:
    from abatelink.inputs.schema import CREDIT_RULES

    parser.add_argument(
        "--credit-rule",
        choices=CREDIT_RULES,
        help=lead + "shared by this credit rule (every project; overrides the scenario's)",
    )


def _add_run_folder(
    parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int], default: str
) -> None:
    """The run folder a command reads and the folder it writes (export, plot, report)."""
    parser.add_argument("run_dir", type=_path, help="run folder written by `abatelink run`")
    parser.add_argument("--out", type=_path, help=f"output folder (default: RUN_DIR/{default}/)")
    parser.set_defaults(handler=handler)


def _add_export(parser: argparse.ArgumentParser) -> None:
    from abatelink.reports.export import FORMATS
    from abatelink.reports.run_folder import EXPORT_FOLDER

    parser.add_argument(
        "--format",
        dest="formats",
        action="append",
        type=_formats(FORMATS),
        help=f"formats to write, comma-separated or repeated: {','.join(FORMATS)} (default: all)",
    )
    _add_run_folder(parser, _export, EXPORT_FOLDER)


def _add_plot(parser: argparse.ArgumentParser) -> None:
    from abatelink.reports.run_folder import FIGURES_FOLDER

    parser.add_argument("--compare", type=_path, help="a second run folder, e.g. autarky")
    _add_run_folder(parser, _plot, FIGURES_FOLDER)


def _add_report(parser: argparse.ArgumentParser) -> None:
    from abatelink.reports.run_folder import REPORT_FOLDER

    parser.add_argument("--compare", type=_path, help="a second run folder, e.g. autarky")
    _add_run_folder(parser, _report, REPORT_FOLDER)


def _add_sweep(parser: argparse.ArgumentParser) -> None:
    from abatelink.studies.sweep import MAX_WORKERS

    parser.add_argument("study", type=_path, help="study file, e.g. runs/studies/*.yaml")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_count(0, MAX_WORKERS),
        help="local worker processes (default: cores; 0 = in this process)",
    )
    where.add_argument(
        "--scheduler", type=_address, help="address of a running Dask scheduler (tcp://...)"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="run only unfinished batches (refused if the study, base scenario, data set or "
        "abatelink changed since)",
    )
    parser.add_argument("--max-batches", type=_count(1), help="stop after this many batches (≥ 1)")
    parser.add_argument("--out", type=_path, help="results folder (default: results/<name>/)")
    parser.set_defaults(handler=_sweep)


def _add_sensitivity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", type=_path)
    parser.add_argument("--out", type=_path, help="results folder of the sweep")
    parser.set_defaults(handler=_sensitivity)


def _add_plants(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=_path, help="data set folder to split (data/nea2018)")
    parser.add_argument("out", type=_path, help="folder to write")
    parser.add_argument(
        "--emitters", type=_count(1, MAX_COUNT), default=5000, help="plants in all (≥ 1)"
    )
    parser.add_argument(
        "--units", type=_count(0, MAX_COUNT), default=2000, help="candidate CCS units (≥ 0)"
    )
    parser.add_argument("--seed", type=_count(0, 2**63 - 1), default=0)
    parser.set_defaults(handler=_plants)


def _add_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=_path)
    parser.set_defaults(handler=_validate)


# --- the commands --------------------------------------------------------------------------------


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
        f"{summary.batches} batches in all, {summary.batching}), {summary.seconds:.1f} s, "
        f"{rate:.2f} batches/s; results in {summary.folder}"
    )
    return EXIT_OPTIMAL


def _sensitivity(args: argparse.Namespace) -> int:
    from abatelink.inputs.study import load_study
    from abatelink.studies.sensitivity import analyse, write_sensitivity
    from abatelink.studies.sweep import default_out

    study = load_study(args.study)
    folder = args.out or default_out(study)
    analysis = analyse(study, folder)
    for path in write_sensitivity(analysis, folder, study):
        print(path)
    for note in analysis.notes:
        print(note)
    return EXIT_OPTIMAL


def _plants(args: argparse.Namespace) -> int:
    from abatelink.inputs.plants import write_plant_dataset

    def write(folder: Path) -> list[Path]:
        made = write_plant_dataset(args.source, folder, args.emitters, args.units, args.seed)
        return _files_in(made)

    # the new data set may replace one written here before, never its own source
    inputs = [args.source]
    with outputs.OutputFolder(args.out, "plants", inputs=inputs, dataset_allowed=True) as target:
        target.write_folder(None, write)
        target.finish()
    print(f"wrote {target.folder}")
    return EXIT_OPTIMAL


def _files_in(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_file())


def _export(args: argparse.Namespace) -> int:
    from abatelink.reports.export import FORMATS, export_run

    chosen = list(dict.fromkeys(f for group in args.formats or [FORMATS] for f in group))
    for path in export_run(args.run_dir, chosen, args.out):
        print(path)
    return EXIT_OPTIMAL


def _plot(args: argparse.Namespace) -> int:
    need("matplotlib", "abatelink plot")
    from abatelink.reports.figures import plot_run
    from abatelink.reports.run_folder import FIGURES_FOLDER

    run, other = _read_runs(args)
    with _output_folder(args, run, other, FIGURES_FOLDER, "plot") as target:
        paths = target.write_folder(None, lambda tmp: plot_run(run, tmp, other_run=other))
        target.finish()
    for path in paths:
        print(path)
    return EXIT_OPTIMAL


def _report(args: argparse.Namespace) -> int:
    need("matplotlib", "abatelink report")
    from abatelink.reports.html import REPORT_FILE, render_report
    from abatelink.reports.run_folder import REPORT_FOLDER

    if args.out is not None and args.out.suffix.lower() in (".html", ".htm"):
        raise InputError(
            args.out,
            f"expected an output folder, found an HTML file name: the report is the folder's "
            f"{REPORT_FILE}",
        )
    run, other = _read_runs(args)
    with _output_folder(args, run, other, REPORT_FOLDER, "report") as target:
        path = target.write_text(REPORT_FILE, render_report(run, other))
        target.finish()
    print(path)
    return EXIT_OPTIMAL


def _read_runs(args: argparse.Namespace) -> tuple[RunFolder, RunFolder | None]:
    """The run folder a command reads and the one it compares with (--compare), if any."""
    from abatelink.reports.export import read_run

    return read_run(args.run_dir), (read_run(args.compare) if args.compare else None)


def _output_folder(
    args: argparse.Namespace, run: RunFolder, other: RunFolder | None, default: str, kind: str
) -> outputs.OutputFolder:
    """--out, or RUN_DIR/<default>/: an output folder that holds none of the runs read."""
    inputs = [*run.inputs, *(other.inputs if other is not None else [])]
    return outputs.OutputFolder(args.out or run.path / default, kind, inputs=inputs)


def _run(args: argparse.Namespace) -> int:
    from abatelink.inputs.scenario import load_scenario
    from abatelink.run import run, run_folder, write_run

    gc.freeze()  # the imported modules' objects live to the end: no collection scans them
    scenario = _with_solver_flags(load_scenario(args.scenario), args)
    with run_folder(scenario, args.out) as target:  # refused before solving, not after
        result = run(scenario, diagnose_always=args.diagnose, out=target.folder)
        folder = write_run(result, target)
    if args.json:
        print_json({**run_json(result, folder), "exit_code": _exit_code(result)})
    elif not args.quiet:
        print_run(result, folder)
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


def _compare(args: argparse.Namespace) -> int:
    from abatelink.compare import compare_runs, comparison_folder, headline, write_comparison
    from abatelink.inputs.differences import differences
    from abatelink.inputs.scenario import load_scenario
    from abatelink.run import run, run_inputs

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
    changed = differences(scenario_a, scenario_b)
    folder = write_comparison(gains, a, b, args.out, changed)
    costs = headline(gains, a, b)
    if args.json:
        print_json(
            {
                "a": a.scenario.name,
                "b": b.scenario.name,
                "folder": str(folder),
                "present_value_musd": costs.reset_index().to_dict("records"),
                "gains": gains.to_dict("records"),
                "differences": changed.to_dict("records"),
            }
        )
    elif not args.quiet:
        print_comparison(a, b, gains, costs, changed, folder)
    return max(_exit_code(a), _exit_code(b))


def _diff(args: argparse.Namespace) -> int:
    from abatelink.inputs.differences import differences
    from abatelink.inputs.scenario import load_scenario

    a, b = load_scenario(args.a), load_scenario(args.b)
    print_differences(differences(a, b), a.name, b.name)
    return EXIT_OPTIMAL


def _share(args: argparse.Namespace) -> int:
    from abatelink.games.allocation import allocate, allocate_table, credit_rules_text
    from abatelink.inputs.scenario import load_scenario
    from abatelink.run import default_out_dir, run_inputs, solver_options_in

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
            result = allocate(
                scenario.model_copy(update={"solver": options}),
                solution,
                args.method,
                args.tolerance,
            )
            folder = _write_allocation(result, target, files)
        name = scenario.name
    by = solution or f"credit rules ({credit_rules_text(result.credit_rules)})"
    if args.json:
        print_json(
            {
                "game": name,
                "by": by,
                "method": result.method,
                "coalitions_evaluated": len(result.coalitions),
                "allocation": result.table.to_dict("records"),
                "core": result.core.message,
                "folder": str(folder),
            }
        )
        return EXIT_OPTIMAL
    if args.quiet:
        return EXIT_OPTIMAL
    print(f"sharing the savings of {name} by {by} (US$ million; {method(result)})")
    print(fmt(result.table.set_index("region")))
    print(result.core.message)

    print(f"\ncoalitions.csv and allocation.csv written to {folder}")
    return EXIT_OPTIMAL


def _write_allocation(
    result: Allocation, target: outputs.OutputFolder, files: Sequence[Path] = ()
) -> Path:
    """coalitions.csv and allocation.csv (`write_allocation`), each written atomically."""
    from abatelink.games.allocation import write_allocation

    target.write_folder(None, lambda tmp: _files_in(write_allocation(result, tmp)))
    for path in files:
        target.record(path)
    target.finish()
    return target.folder


def _validate(args: argparse.Namespace) -> int:
    from abatelink.inputs.dataset import load_dataset
    from abatelink.inputs.scenario import (
        load_scenario,
        scenario_dataset,
        scenario_inputs,
        scenario_periods,
    )
    from abatelink.model.credit_rules import check_credit_shares

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


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "run": ("solve a scenario and write its tables", _add_run),
    "compare": ("gain of each region: cost A − cost B", _add_compare),
    "diff": ("what differs between two scenarios' inputs, after their overrides", _add_diff),
    "share": (
        "coalition values and a fair allocation of the savings, with a core check",
        _add_share,
    ),
    "export": ("export a run folder: xlsx, parquet, iamc", _add_export),
    "plot": ("figures of a run folder (PNG and SVG)", _add_plot),
    "report": ("one self-contained HTML report of a run", _add_report),
    "sweep": ("run every scenario of a study (Dask)", _add_sweep),
    "sensitivity": ("tornado, Morris or Sobol of a sweep", _add_sensitivity),
    "plants": ("write a plant-level synthetic data set with SOURCE's national totals", _add_plants),
    "validate": ("check a data set folder or a scenario file", _add_validate),
}


if __name__ == "__main__":
    sys.exit(main())
