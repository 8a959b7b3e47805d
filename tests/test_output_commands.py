"""Issue 15: `plants`, `plot`, `report` and `export` follow the output policy of `run`.

Each writes only inside its output folder, atomically, with a manifest written last that lists
what is in the folder; a rerun removes its own stale files; a folder holding inputs is refused;
a folder that cannot be written ends in exit 6 and one line. The commands that read a run
folder write into subfolders of it (figures/, report/, export/), each with its own manifest:
the run's manifest keeps listing the run's files only.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from matplotlib.figure import Figure
from test_hardening import digest, one_error_line, project, scenario  # noqa: F401 (fixture)

from abatelink.cli import main
from abatelink.outputs import LOCK, MANIFEST, entry_problem

from factory import one_market, write_dataset


@pytest.fixture
def runs(project: Path) -> Path:  # noqa: F811 (the fixture imported above)
    """`project` with two run folders: run/ (linked, trades) and apart/ (no trade)."""
    apart = scenario(project, "apart", links="none")
    assert main(["run", str(project / "linked.yaml"), "--out", str(project / "run")]) == 0
    assert main(["run", str(apart), "--out", str(project / "apart")]) == 0
    return project


def kr_source(folder: Path) -> Path:
    """A data set whose one emitter (KR power) may host CCS units, for `plants --units`."""
    if (folder / "kr").exists():
        return folder / "kr"
    rows = one_market(folder, "KM", "KR", 100, 80, [10, 10], [5, 12])
    return write_dataset(folder / "kr", periods=[2020], regions=["KR", "JP"], **rows)


COMMANDS: dict[str, Callable[[Path], tuple[list[str], Path]]] = {  # (argv, folder written)
    "plot": lambda p: (["plot", str(p / "run")], p / "run" / "figures"),
    "report": lambda p: (["report", str(p / "run")], p / "run" / "report"),
    "export": lambda p: (["export", str(p / "run"), "--format", "parquet"], p / "run" / "export"),
    "plants": lambda p: (
        ["plants", str(kr_source(p)), str(p / "plants"), "--emitters", "4", "--units", "2"],
        p / "plants",
    ),
}


def assert_manifest_lists_the_folder(folder: Path, kind: str) -> None:
    """The manifest lists every file of the folder, as it is; nothing temporary is left."""
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["kind"] == kind and manifest["command"].startswith(f"abatelink {kind} ")
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {e["path"] for e in manifest["files"]} == on_disk - {MANIFEST}
    assert [e["path"] for e in manifest["files"] if entry_problem(folder, e)] == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_lists_what_it_wrote_in_its_own_manifest(runs, capsys, command):
    run_manifest = (runs / "run" / MANIFEST).read_bytes()
    argv, folder = COMMANDS[command](runs)
    assert main(argv) == 0
    assert_manifest_lists_the_folder(folder, command)
    assert (runs / "run" / MANIFEST).read_bytes() == run_manifest  # the run's: untouched
    assert not list(runs.rglob(f"*{LOCK}*")) and not list(runs.rglob("*.tmp*"))


def test_a_run_folder_keeps_its_manifest_and_each_subfolder_its_own(runs, capsys):
    run = runs / "run"
    for argv in (["plot"], ["report"], ["export", "--format", "parquet"]):
        assert main([*argv, str(run)]) == 0
    listed = {e["path"] for e in json.loads((run / MANIFEST).read_text())["files"]}
    assert listed == {p.name for p in run.iterdir() if p.is_file()} - {MANIFEST}
    for sub, kind in (("figures", "plot"), ("report", "report"), ("export", "export")):
        assert_manifest_lists_the_folder(run / sub, kind)
    assert main(["run", str(runs / "linked.yaml"), "--out", str(run)]) == 0
    assert_manifest_lists_the_folder(run / "figures", "plot")  # another command's: kept


def test_plot_again_removes_the_figures_that_no_longer_apply_and_nothing_else(runs, capsys):
    out = runs / "figures"
    assert main(["plot", str(runs / "run"), "--out", str(out)]) == 0
    assert (out / "trades.png").exists() and (out / "trades.svg").exists()
    (out / "notes.txt").write_text("mine")
    assert main(["plot", str(runs / "apart"), "--out", str(out)]) == 0  # no trade: no figure
    assert not (out / "trades.png").exists() and not (out / "trades.svg").exists()
    assert (out / "notes.txt").read_text() == "mine"
    (out / "notes.txt").unlink()
    assert_manifest_lists_the_folder(out, "plot")


def test_export_again_removes_the_formats_not_written_again(runs, capsys):
    run = runs / "run"
    assert main(["export", str(run), "--format", "xlsx", "--format", "parquet"]) == 0
    assert (run / "export" / "parquet" / "prices.parquet").exists()
    assert main(["export", str(run), "--format", "xlsx"]) == 0
    assert not (run / "export" / "parquet").exists()
    assert_manifest_lists_the_folder(run / "export", "export")


def test_plants_again_removes_the_units_it_no_longer_writes(tmp_path, capsys):
    source, out = kr_source(tmp_path), tmp_path / "plants"
    assert main(["plants", str(source), str(out), "--emitters", "4", "--units", "2"]) == 0
    assert (out / "ccs_units.csv").exists()
    assert main(["plants", str(source), str(out), "--emitters", "4", "--units", "0"]) == 0
    assert not (out / "ccs_units.csv").exists()
    assert_manifest_lists_the_folder(out, "plants")


def test_plants_never_writes_over_a_data_set_it_did_not_write(tmp_path, capsys):
    source, other = kr_source(tmp_path), kr_source(tmp_path / "other")
    before = digest(other)
    assert main(["plants", str(source), str(other), "--emitters", "4"]) == 4
    assert "holds a data set" in one_error_line(capsys)
    assert digest(other) == before


@pytest.mark.parametrize("command", ["plot", "report", "export"])
@pytest.mark.parametrize("where", ["run", ".", "data"])
def test_a_command_reading_a_run_never_writes_among_its_inputs(runs, capsys, command, where):
    before = digest(runs)
    assert main([command, str(runs / "run"), "--out", str(runs / where)]) == 4
    one_error_line(capsys)
    assert digest(runs) == before


def half_then_disk_full(real: Callable, fail_on: int = 1) -> Callable:
    """`real`, except that its `fail_on`-th call writes half a file and fails: disk full."""
    calls = []

    def write(*args, **kwargs):
        calls.append(args)
        if len(calls) < fail_on:
            return real(*args, **kwargs)
        path = args[0] if isinstance(args[0], Path) else args[1]
        Path(path).write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    return write


BREAKERS = {  # what each command writes its files with, and the call that fails
    "plot": (Figure, "savefig", 3),
    "report": (Path, "write_text", 2),  # (the first writes the lock file)
    "export": (pd.DataFrame, "to_parquet", 2),
    "plants": (pd.DataFrame, "to_csv", 2),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_write_that_fails_leaves_the_earlier_outputs_whole(runs, capsys, command):
    argv, folder = COMMANDS[command](runs)
    assert main(argv) == 0
    before = digest(folder)
    owner, name, fail_on = BREAKERS[command]
    capsys.readouterr()
    broken = half_then_disk_full(getattr(owner, name), fail_on)
    with mock.patch.object(owner, name, broken):
        assert main(argv) == 6
    assert "disk full" in one_error_line(capsys)
    assert digest(folder) == before  # no half file, no temporary file, the old manifest


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_read_only_output_folder_exits_6_with_one_line(runs, capsys, command):
    real = os.replace

    def read_only(src, dst):
        if MANIFEST not in str(dst):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))
        return real(src, dst)

    argv, folder = COMMANDS[command](runs)
    with mock.patch("os.replace", read_only):
        assert main(argv) == 6
    assert "read-only" in one_error_line(capsys)
    assert not folder.exists() or digest(folder) == {}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_output_folder_that_is_a_file_exits_6_with_one_line(runs, capsys, command):
    argv, folder = COMMANDS[command](runs)
    argv = [*argv, "--out", str(runs / "a-file")] if command != "plants" else argv
    target = folder if command == "plants" else runs / "a-file"
    target.write_text("x")
    assert main(argv) == 6
    assert "is a file, not a folder" in one_error_line(capsys)
    assert target.read_text() == "x"
