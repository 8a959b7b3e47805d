"""Issue 15, outputs and command line: each example of the issue ends in a clear message or a
correct result — nothing written where it must not be, nothing lost, no traceback.

The output policy (`abatelink.outputs`): results only inside the output folder, never among
inputs; a manifest written last; stale outputs of an earlier run removed, nothing else; atomic
writes; solver files confined. Sweeps: resume keyed by every input, batches verified, a lock
against a second sweep. Every number on the command line checked; I/O errors, a closed pipe
and Ctrl-C end with their documented exit codes and one line.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
import yaml

from abatelink import outputs
from abatelink.cli import main
from abatelink.errors import InputError, OutputError
from abatelink.outputs import LOCK, MANIFEST, OutputFolder
from abatelink.studies.sweep import batch_file, load_results, sweep

from factory import both_ways, merge, one_market, write_dataset

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A data set (data/), a scenario (linked.yaml) and a study (study.yaml) in tmp_path."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10, 10, 10, 10], [5, 12, 20, 40]),
        one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [15, 30, 60]),
        {"links": both_ways("MA", "MB")},
    )
    write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B"], **data)
    scenario(tmp_path)
    study(tmp_path)
    return tmp_path


def scenario(folder: Path, file: str = "linked", **keys) -> Path:
    """`folder/<file>.yaml`, a scenario of the data set named `file` (unless keys say else)."""
    path = folder / f"{file}.yaml"
    path.write_text(yaml.safe_dump({"name": file, "dataset": "data", "links": "all", **keys}))
    return path


def study(folder: Path, **keys) -> Path:
    content = {
        "name": "grid",
        "scenario": "linked.yaml",
        "design": "grid",
        "batch_size": 2,
        "outputs": ["prices"],
        "parameters": {
            "b_cap": {
                "table": "caps",
                "where": {"market": "MB"},
                "scale": "cap_mt",
                "values": [0.9, 0.95, 1.0, 1.05, 1.1],
            }
        },
        **keys,
    }
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(content))
    return path


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` and its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    return err


# --- one output policy --------------------------------------------------------------------------


def test_out_naming_the_data_set_is_refused_and_the_data_set_is_untouched(project, capsys):
    before = digest(project / "data")
    assert main(["run", str(project / "linked.yaml"), "--out", str(project / "data")]) == 4
    assert "dataset.yaml" in one_error_line(capsys)
    assert digest(project / "data") == before


@pytest.mark.parametrize("where", [".", "..", "data/.."])
def test_out_holding_the_inputs_is_refused(project, capsys, where):
    before = digest(project)
    out = project / where
    assert main(["run", str(project / "linked.yaml"), "--out", str(out)]) == 4
    assert "an input of this command" in one_error_line(capsys)
    assert digest(project) == before


@pytest.mark.parametrize("name", ["../../..", "..", "a/b", "/etc", "a\\b", "."])
def test_a_study_whose_name_would_leave_the_results_area_is_refused(project, capsys, name):
    path = study(project, name=name)
    before = set(project.parent.rglob("*"))
    assert main(["sweep", str(path), "--workers", "0"]) == 4
    assert "key 'name'" in one_error_line(capsys)
    assert set(project.parent.rglob("*")) == before


@pytest.mark.parametrize("name", ["../../up", "/abs", "a/b"])
def test_a_scenario_whose_name_would_leave_the_results_area_is_refused(project, capsys, name):
    path = scenario(project, "other", name=name)
    assert main(["run", str(path)]) == 4
    assert "key 'name'" in one_error_line(capsys)


@pytest.mark.parametrize(
    "options",
    [
        {"log_file": "/tmp/abatelink-escape.log"},
        {"log_file": "../escape.log"},
        {"solution_file": "a/../../escape.sol", "write_solution_to_file": True},
        {"write_model_file": "~/model.mps", "write_model_to_file": True},
        {"write_solution_to_file": True},  # no file: HiGHS would write to the terminal
    ],
)
def test_solver_options_that_write_outside_the_output_folder_are_refused(project, capsys, options):
    path = scenario(project, "s", solver={"options": options})
    assert main(["run", str(path)]) == 4
    assert "solver.options" in one_error_line(capsys)
    assert not Path("/tmp/abatelink-escape.log").exists()
    assert not (project.parent / "escape.log").exists()


def test_solver_files_go_into_the_output_folder_and_its_manifest(project, capsys):
    options = {"solution_file": "highs/solution.sol", "write_solution_to_file": True}
    path = scenario(project, "s", solver={"options": options})
    out = project / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    assert (out / "highs" / "solution.sol").stat().st_size > 0
    listed = {e["path"] for e in json.loads((out / MANIFEST).read_text())["files"]}
    assert "highs/solution.sol" in listed
    assert not (project / "highs").exists() and not Path("highs").exists()


def test_an_unknown_solver_option_is_bad_input_not_a_solver_failure(project, capsys):
    path = scenario(project, "s", solver={"options": {"no_such_option": 1}})
    assert main(["run", str(path)]) == 4
    assert "no_such_option" in one_error_line(capsys)
    path = scenario(project, "s", solver={"options": {"presolve": "maybe"}})
    assert main(["validate", str(path)]) == 4


@pytest.mark.parametrize(
    "solver", ["time_limit: .nan", "time_limit: .inf", "time_limit: -1", "mip_rel_gap: 1"]
)
def test_scenario_solver_limits_are_finite_and_in_range(project, capsys, solver):
    path = project / "s.yaml"
    path.write_text(f"name: s\ndataset: data\nsolver: {{{solver}}}\n")
    assert main(["validate", str(path)]) == 4
    assert "solver" in one_error_line(capsys)


def test_the_manifest_lists_every_file_with_size_checksum_version_and_command(project):
    out = project / "out"
    assert main(["run", str(project / "linked.yaml"), "--out", str(out)]) == 0
    manifest = json.loads((out / MANIFEST).read_text())
    from abatelink.version import __version__

    assert manifest["abatelink"] == __version__ and manifest["kind"] == "run"
    assert manifest["command"].startswith("abatelink run ")
    listed = {e["path"]: e for e in manifest["files"]}
    on_disk = {p.name for p in out.iterdir()} - {MANIFEST}
    assert set(listed) == on_disk  # no temporary file, no lock left behind
    assert "prices.csv" in listed and "summary.json" in listed
    for name, entry in listed.items():
        data = (out / name).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_reused_output_folder_loses_its_stale_outputs_and_nothing_else(project, capsys):
    out = project / "out"
    linked = str(project / "linked.yaml")
    assert main(["run", linked, "--out", str(out), "--game-solution", "shapley"]) == 0
    assert (out / "coalitions.csv").exists() and (out / "allocation.csv").exists()
    (out / "notes.txt").write_text("mine")  # not abatelink's: never removed
    (out / "allocation.csv").write_text("edited by hand\n")  # changed since: kept, warned
    capsys.readouterr()
    assert main(["run", linked, "--out", str(out)]) == 0
    assert not (out / "coalitions.csv").exists()  # stale: removed
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "allocation.csv").read_text() == "edited by hand\n"
    assert "allocation.csv: an earlier output changed" in capsys.readouterr().err
    listed = {e["path"] for e in json.loads((out / MANIFEST).read_text())["files"]}
    assert "coalitions.csv" not in listed and "notes.txt" not in listed


def test_a_manifest_entry_leading_out_of_the_folder_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    entry = {"path": "../victim.txt", "bytes": 4, "sha256": hashlib.sha256(b"keep").hexdigest()}
    manifest = {"abatelink": "0", "kind": "run", "files": [entry]}
    (out / MANIFEST).write_text(json.dumps(manifest))
    with OutputFolder(out, "run") as folder:
        folder.write_text("a.txt", "a")
        folder.finish()
    assert victim.read_text() == "keep"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    with OutputFolder(tmp_path / "out", "run") as folder:
        folder.write_text("a.csv", "old\n")

        def half_then_fail(path: Path) -> None:
            path.write_text("half")
            raise RuntimeError("disk gone")

        with pytest.raises(RuntimeError):
            folder.write("a.csv", half_then_fail)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.csv"]
    assert (tmp_path / "out" / "a.csv").read_text() == "old\n"


def test_a_folder_holding_another_commands_results_is_refused(project, capsys):
    out = project / "out"
    assert main(["sweep", str(project / "study.yaml"), "--workers", "0", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["run", str(project / "linked.yaml"), "--out", str(out)]) == 4
    assert "abatelink sweep" in one_error_line(capsys)


def test_export_into_its_own_run_folder_is_refused(project, capsys):
    out = project / "run"
    assert main(["run", str(project / "linked.yaml"), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["export", str(out), "--format", "parquet", "--out", str(out)]) == 4
    assert "an input of this command" in one_error_line(capsys)
    assert main(["export", str(out), "--format", "parquet"]) == 0
    manifest = json.loads((out / "export" / MANIFEST).read_text())
    assert {e["path"] for e in manifest["files"]} >= {"parquet/prices.parquet"}


def test_share_and_sensitivity_write_manifests(project, capsys):
    out = project / "share"
    assert main(["share", str(project / "linked.yaml"), "--out", str(out)]) == 0
    listed = {e["path"] for e in json.loads((out / MANIFEST).read_text())["files"]}
    assert listed == {"coalitions.csv", "allocation.csv"}
    path = study(project, design="oat", parameters={
        "b_cap": {"table": "caps", "where": {"market": "MB"}, "scale": "cap_mt",
                  "values": [0.9, 1.1], "base": 1.0}})  # fmt: skip
    assert main(["sweep", str(path), "--workers", "0", "--out", str(project / "o")]) == 0
    assert main(["sensitivity", str(path), "--out", str(project / "o")]) == 0
    sens = json.loads((project / "o" / "sensitivity" / MANIFEST).read_text())
    assert [e["path"] for e in sens["files"]] == ["tornado.csv"]


def test_plants_never_writes_over_its_source(project, capsys):
    argv = ["plants", str(project / "data"), str(project / "data"), "--emitters", "4"]
    before = digest(project / "data")
    assert main(argv) == 4
    one_error_line(capsys)
    assert digest(project / "data") == before


def test_plot_and_report_never_write_among_inputs(project, capsys):
    run_dir = project / "run"
    assert main(["run", str(project / "linked.yaml"), "--out", str(run_dir)]) == 0
    before = digest(project / "data")
    capsys.readouterr()
    assert main(["plot", str(run_dir), "--out", str(project / "data")]) == 4
    one_error_line(capsys)
    assert main(["report", str(run_dir), "--out", str(project / "data")]) == 4
    assert "holds a data set" in one_error_line(capsys)
    assert main(["report", str(run_dir), "--out", str(project / "data" / "caps.csv")]) == 6
    assert "is a file, not a folder" in one_error_line(capsys)
    assert main(["report", str(run_dir), "--out", str(project / "r.html")]) == 4
    assert "expected an output folder" in one_error_line(capsys)
    assert digest(project / "data") == before
    assert not (project / "r.html").exists()


# --- I/O errors: one line, exit 6 -----------------------------------------------------------


def test_out_naming_a_file_exits_6_with_one_line(project, capsys):
    target = project / "a-file"
    target.write_text("x")
    for out in (target, target / "below"):
        assert main(["run", str(project / "linked.yaml"), "--out", str(out)]) == 6
        assert "is a file, not a folder" in one_error_line(capsys)
    assert target.read_text() == "x"


@pytest.mark.parametrize(
    ("number", "words"),
    [(errno.EROFS, "read-only"), (errno.ENOSPC, "disk full"), (errno.EACCES, "permission")],
)
def test_a_read_only_folder_or_a_full_disk_exits_6_with_one_line(project, capsys, number, words):
    real = os.replace

    def failing(src, dst):
        if str(dst).endswith(".csv"):
            raise OSError(number, os.strerror(number), str(dst))
        return real(src, dst)

    out = project / "out"
    with mock.patch("os.replace", failing):
        assert main(["run", str(project / "linked.yaml"), "--out", str(out)]) == 6
    assert words in one_error_line(capsys)
    assert not out.exists() or not [p for p in out.iterdir() if ".tmp" in p.name]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_really_read_only_folder_exits_6(project, capsys):  # pragma: no cover (root in CI)
    out = project / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert main(["run", str(project / "linked.yaml"), "--out", str(out)]) == 6
        one_error_line(capsys)
    finally:
        out.chmod(0o755)


def test_a_scheduler_out_of_reach_exits_6(project, capsys):
    import dask
    import distributed  # noqa: F401  (its defaults first: `set` restores what it found)

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        argv = ["sweep", str(project / "study.yaml"), "--scheduler", "tcp://127.0.0.1:9"]
        assert main([*argv, "--out", str(project / "o")]) == 6
    assert "cannot reach the Dask scheduler" in one_error_line(capsys)


# --- sweeps: resume keyed by every input, verified batches, a lock --------------------------------


def half_sweep(project: Path) -> Path:
    out = project / "out"
    sweep(project / "study.yaml", out, workers=0, max_batches=1)
    assert batch_file(out, 0).exists() and not batch_file(out, 1).exists()
    return out


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("scenario", "the base scenario changed"),
        ("data", "the data set's files changed"),
        ("study", "the study file changed"),
    ],
)
def test_resuming_on_changed_inputs_is_refused_with_the_reason(project, capsys, change, reason):
    out = half_sweep(project)
    if change == "scenario":
        scenario(project, links="none")
    elif change == "data":
        caps = project / "data" / "caps.csv"
        caps.write_text(caps.read_text().replace(",75", ",74"))
    else:
        study(project, outputs=["prices", "trades"])
    argv = ["sweep", str(project / "study.yaml"), "--workers", "0", "--resume", "--out", str(out)]
    assert main(argv) == 4
    assert reason in one_error_line(capsys)
    assert not batch_file(out, 1).exists()


def test_a_truncated_batch_is_computed_again_and_every_scenario_is_there_once(project, capsys):
    out = half_sweep(project)
    full = batch_file(out, 0).read_bytes()
    batch_file(out, 0).write_bytes(full[: len(full) // 2])  # killed mid-copy, disk trouble
    with pytest.raises(InputError, match="--resume"):
        load_results(out)
    # sensitivity on the damaged store: one line, no ArrowInvalid traceback
    assert main(["sensitivity", str(project / "study.yaml"), "--out", str(out)]) == 4
    one_error_line(capsys)
    summary = sweep(project / "study.yaml", out, workers=0, resume=True)
    assert summary.batches_run == 3  # batch 0 again, then 1 and 2
    assert "batch-00000.parquet" in capsys.readouterr().err
    objectives = load_results(out).query("output == 'objective'")
    assert sorted(objectives["scenario_id"]) == list(range(5))


def test_a_batch_written_after_the_last_manifest_is_computed_again(project):
    out = half_sweep(project)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"] = [e for e in manifest["files"] if "batch" not in e]  # killed in between
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert sweep(project / "study.yaml", out, workers=0, resume=True).batches_run == 3
    assert len(load_results(out).query("output == 'objective'")) == 5


def test_a_second_sweep_on_a_folder_in_use_is_refused(project, capsys):
    out = project / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = {"pid": holder.pid, "host": os.uname().nodename, "started": "now", "command": "x"}
        (out / LOCK).write_text(json.dumps(lock))
        argv = ["sweep", str(project / "study.yaml"), "--workers", "0", "--out", str(out)]
        assert main(argv) == 4
        err = one_error_line(capsys)
        assert f"in use by process {holder.pid}" in err and "lock" in err
        assert not (out / "design.parquet").exists()
    finally:
        holder.kill()
        holder.wait()
    # its process gone: the lock is stale and taken over
    assert main(argv) == 0
    assert "took over the stale lock" in capsys.readouterr().err
    assert not (out / LOCK).exists()


def test_a_lock_on_another_host_is_respected(tmp_path):
    (tmp_path / LOCK).write_text(json.dumps({"pid": 1, "host": "elsewhere", "started": "x"}))
    with pytest.raises(InputError, match="elsewhere"):
        OutputFolder(tmp_path, "run").open()


def test_a_study_may_not_vary_its_data_set(project, capsys):
    path = study(project, parameters={"d": {"scenario": "dataset", "values": ["/etc"]}})
    assert main(["sweep", str(path), "--workers", "0"]) == 4
    assert "'dataset' cannot be varied" in one_error_line(capsys)


def test_a_base_scenario_writing_solver_files_is_refused_in_a_sweep(project, capsys):
    scenario(project, solver={"options": {"log_file": "highs.log"}})
    assert main(["sweep", str(project / "study.yaml"), "--workers", "0"]) == 4
    assert "not allowed in a sweep" in one_error_line(capsys)


# --- every number on the command line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "argument"),
    [
        (["sweep", "s.yaml", "--workers", "-2"], "--workers"),
        (["sweep", "s.yaml", "--workers", "1e9"], "--workers"),
        (["sweep", "s.yaml", "--workers", "100000"], "--workers"),
        (["sweep", "s.yaml", "--max-batches", "-1"], "--max-batches"),
        (["sweep", "s.yaml", "--max-batches", "0"], "--max-batches"),
        (["sweep", "s.yaml", "--max-batches", "1.5"], "--max-batches"),
        (["sweep", "s.yaml", "--scheduler", "nonsense"], "--scheduler"),
        (["run", "s.yaml", "--time-limit", "nan"], "--time-limit"),
        (["run", "s.yaml", "--time-limit", "inf"], "--time-limit"),
        (["run", "s.yaml", "--time-limit", "0"], "--time-limit"),
        (["run", "s.yaml", "--time-limit", "-5"], "--time-limit"),
        (["run", "s.yaml", "--mip-gap", "1"], "--mip-gap"),
        (["run", "s.yaml", "--mip-gap", "-0.1"], "--mip-gap"),
        (["run", "s.yaml", "--mip-gap", "nan"], "--mip-gap"),
        (["plants", "d", "o", "--emitters", "0"], "--emitters"),
        (["plants", "d", "o", "--emitters", "-3"], "--emitters"),
        (["plants", "d", "o", "--units", "-1"], "--units"),
        (["plants", "d", "o", "--seed", "-1"], "--seed"),
        (["plants", "d", "o", "--emitters", "10" * 3000], "--emitters"),
        (["run", "a\x00b"], "scenario"),
        (["run", "s.yaml", "--out", ""], "--out"),
    ],
)
def test_command_line_numbers_are_checked(argv, argument, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 4
    assert argument in one_error_line(capsys)


# --- a closed pipe and Ctrl-C end quietly ---------------------------------------------------------


def cli_process(*args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "models")}
    command = [sys.executable, "-m", "abatelink.cli", *args]
    return subprocess.Popen(command, env=env, text=True, **popen)


def test_a_closed_pipe_ends_quietly_with_141(project):
    """`abatelink run … | head -1`: the reader goes before the summary is printed."""
    process = cli_process(
        "run", str(project / "linked.yaml"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 141
    assert err == ""
    assert (project / "results" / "linked" / MANIFEST).exists()  # the results are written


def test_ctrl_c_during_a_dask_sweep_ends_quietly_with_130(project):
    values = [round(0.8 + 0.0001 * i, 4) for i in range(4000)]  # far more than a second's work
    path = study(project, parameters={
        "b_cap": {"table": "caps", "where": {"market": "MB"}, "scale": "cap_mt",
                  "values": values}}, outputs=["prices", "costs"])  # fmt: skip
    out = project / "out"
    process = cli_process(
        "sweep", str(path), "--workers", "1", "--out", str(out),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (out / MANIFEST).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the cluster is starting or running
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: every process of the group
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert err.replace("\r", "\n").strip().splitlines()[-1:] == ["interrupted"]
    assert "Traceback" not in err and "distributed" not in err, err
    assert not (out / LOCK).exists()
    done = [e for e in json.loads((out / MANIFEST).read_text())["files"] if "batch" in e]
    if done:  # what finished is kept, verified
        assert len(load_results(out)) == sum(e["rows"] for e in done)


def test_ctrl_c_in_the_command_is_exit_130(project, capsys):
    handler = signal.getsignal(signal.SIGINT)
    try:
        with mock.patch("abatelink.run.run", side_effect=KeyboardInterrupt):
            assert main(["run", str(project / "linked.yaml"), "--out", str(project / "o")]) == 130
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN  # a second Ctrl-C: ignored
    finally:
        signal.signal(signal.SIGINT, handler)  # (the processes later tests start inherit it)
    assert capsys.readouterr().err.strip() == "interrupted"
    assert not (project / "o").exists()  # nothing half made


def test_errors_name_the_argument_and_fit_on_one_line(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", "x.yaml", "a\nb"])
    assert stop.value.code == 4
    assert "a\\nb" in one_error_line(capsys)


def test_results_folder_refuses_names_that_leave_it(tmp_path):
    for name in ("..", "../x", "/x", "a/b", "", "a\x00"):
        with pytest.raises(InputError):
            outputs.results_folder(tmp_path, name, "s.yaml")
    assert outputs.results_folder(tmp_path, "ok", "s.yaml") == tmp_path / "ok"


def test_output_error_is_exit_6():
    assert OutputError("x", "y").exit_code == 6


def test_a_sweep_store_reads_back_equal(project):
    out = project / "out"
    sweep(project / "study.yaml", out, workers=0)
    results = load_results(out)
    frames = [pd.read_parquet(batch_file(out, i)) for i in range(3)]
    assert len(results) == sum(len(f) for f in frames)
