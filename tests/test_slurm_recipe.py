"""The README's SLURM recipe, end to end, on a fake SLURM: `sbatch`, `squeue` and `scancel`
scripts on PATH. dask-jobqueue (0.9) submits each job with `sbatch <script>` and reads the
job id from "Submitted batch job N", cancels it with `scancel N`, and never calls `squeue`.
The fake `sbatch` copies the script (dask-jobqueue deletes its temporary file as soon as
`sbatch` returns; real SLURM keeps a copy too) and runs it on this machine in a session of its
own, detached, as a job would run on a node; `scancel` sends SIGTERM to that session's process
group, as SLURM signals every process of a job. A sweep through `abatelink sweep --scheduler`
on the two jobs' workers equals the scenarios run one by one, and closing the cluster leaves
no job's process behind."""

from __future__ import annotations

import inspect
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_real_cluster import wait_for
from test_sweep import one_by_one, study_file, swept_prices

from abatelink.studies.store import load_results

pytest.importorskip("dask_jobqueue")
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX sessions and signals")

BIN = Path(sys.executable).parent

# Each fake command appends its arguments to <jobs>/calls.log; job N is the folder <jobs>/N
# with job.sh (the script as submitted), out.log (its output) and pid (its session leader).
SBATCH = '''\
"""Fake sbatch: run the job script here, detached; print its id as SLURM does."""
import os, shutil, subprocess, sys
from pathlib import Path

jobs = Path(JOBS)
with (jobs / "calls.log").open("a") as calls:
    calls.write("sbatch " + " ".join(sys.argv[1:]) + "\\n")
number = 1
while True:  # mkdir is atomic: two jobs submitted at once get two numbers
    try:
        (jobs / str(number)).mkdir()
        break
    except FileExistsError:
        number += 1
job = jobs / str(number)
script = job / "job.sh"
shutil.copyfile(sys.argv[-1], script)
script.chmod(0o755)  # run through its own #! line, as SLURM does
with (job / "out.log").open("wb") as out:
    process = subprocess.Popen(
        [str(script)],
        cwd=os.getcwd(),
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, left running when sbatch exits
        env={**os.environ, "SLURM_JOB_ID": str(number)},
    )
(job / "pid").write_text(str(process.pid))
print(f"Submitted batch job {number}")
'''

SCANCEL = '''\
"""Fake scancel: SIGTERM to every process of each job, as SLURM's first signal."""
import os, signal, sys
from pathlib import Path

jobs = Path(JOBS)
with (jobs / "calls.log").open("a") as calls:
    calls.write("scancel " + " ".join(sys.argv[1:]) + "\\n")
for number in sys.argv[1:]:
    pid = jobs / number / "pid"
    if not pid.exists():
        sys.exit(f"scancel: error: Invalid job id specified: {number}")
    (jobs / number / "cancelled").touch()
    try:
        os.killpg(int(pid.read_text()), signal.SIGTERM)
    except ProcessLookupError:
        pass  # the job had ended
'''

SQUEUE = '''\
"""Fake squeue: the jobs with a live process."""
import os, sys
from pathlib import Path

LIVE_PROCESSES

jobs = Path(JOBS)
with (jobs / "calls.log").open("a") as calls:
    calls.write("squeue " + " ".join(sys.argv[1:]) + "\\n")
print("JOBID")
for pid in sorted(jobs.glob("*/pid"), key=lambda p: int(p.parent.name)):
    if live_processes(int(pid.read_text())):
        print(pid.parent.name)
'''


def live_processes(group: int) -> list[int]:
    """The processes of a process group that are alive (not zombies: a job's processes are
    orphans, and this machine's init need not reap them)."""
    proc = Path("/proc")
    if not proc.is_dir():  # no /proc: ask the kernel (a zombie counts as alive there)
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [group]
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def fake_slurm(folder: Path) -> Path:
    """Write sbatch, squeue and scancel into folder/bin; their jobs go to folder/jobs."""
    bin_, jobs = folder / "bin", folder / "jobs"
    bin_.mkdir(parents=True)
    jobs.mkdir()
    constants = f"JOBS = {str(jobs)!r}\n"
    squeue = SQUEUE.replace("LIVE_PROCESSES", inspect.getsource(live_processes))
    for name, body in (("sbatch", SBATCH), ("scancel", SCANCEL), ("squeue", squeue)):
        command = bin_ / name
        command.write_text(f"#!{sys.executable}\n{constants}{body}")
        command.chmod(command.stat().st_mode | stat.S_IXUSR)
    return jobs


def test_the_readme_slurm_recipe_runs_a_sweep_and_cancels_its_jobs(tmp_path, monkeypatch):
    from dask.distributed import Client
    from dask_jobqueue import SLURMCluster

    jobs = fake_slurm(tmp_path / "slurm")
    monkeypatch.setenv("PATH", f"{jobs.parent / 'bin'}{os.pathsep}{os.environ['PATH']}")
    path = study_file(tmp_path)  # 6 scenarios in 3 batches
    out = tmp_path / "out"

    # The README's recipe, smaller; the dashboard on any free port (8787 may be taken).
    cluster = SLURMCluster(
        cores=1,
        processes=1,
        memory="1GB",
        walltime="00:10:00",
        scheduler_options={"dashboard_address": ":0"},
    )
    try:
        script = cluster.job_script()
        assert "#SBATCH --cpus-per-task=1" in script and "#SBATCH -t 00:10:00" in script
        assert f"{sys.executable} -m distributed.cli.dask_worker" in script
        assert "--nthreads 1 " in script and "--nworkers" not in script  # single-threaded
        cluster.scale(jobs=2)
        with Client(cluster) as client:
            client.wait_for_workers(2, timeout=45)
            workers = client.scheduler_info()["workers"].values()
            assert [w["nthreads"] for w in workers] == [1, 1]
        address = cluster.scheduler_address  # what the README prints
        sweep = subprocess.run(
            [str(BIN / "abatelink"), "sweep", path, "--scheduler", address, "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sweep.returncode == 0, sweep.stderr
    finally:
        cluster.close()

    results = load_results(out)
    assert sorted(set(results["scenario_id"])) == list(range(6))  # none lost
    assert not results.duplicated(["scenario_id", "output", "item", "period"]).any()  # none twice
    expected = one_by_one(path).sort_values(["scenario_id", "item"])
    got = swept_prices(out)
    assert got["scenario_id"].tolist() == expected["scenario_id"].tolist()
    assert got["value"].to_numpy() == pytest.approx(expected["value"].to_numpy(), abs=1e-9)

    # Both jobs ran the worker and were cancelled with scancel; none left a process.
    numbers = sorted(p.name for p in jobs.iterdir() if p.is_dir())
    assert numbers == ["1", "2"]
    for number in numbers:
        assert (jobs / number / "cancelled").exists(), f"job {number} was not cancelled"
        assert "Registered to" in (jobs / number / "out.log").read_text()
    calls = (jobs / "calls.log").read_text().splitlines()
    assert sorted(c.split()[0] for c in calls) == ["sbatch", "sbatch", "scancel", "scancel"]
    groups = [int((jobs / n / "pid").read_text()) for n in numbers]
    wait_for(lambda: not any(live_processes(g) for g in groups), 30, "the cancelled jobs to end")
    for number in numbers:  # ended by scancel's signal, not on their own
        assert "Received signal SIGTERM" in (jobs / number / "out.log").read_text()
    squeue = subprocess.run(["squeue"], capture_output=True, text=True, check=True)
    assert squeue.stdout.split() == ["JOBID"]
