"""A sweep on a real Dask cluster: a `dask scheduler` and two `dask worker` processes, as on
a cluster, reached through `abatelink sweep --scheduler`; one worker is killed mid-sweep and
no scenario is lost or counted twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_sweep import one_by_one, study_file, swept_prices

from abatelink.studies.store import load_results

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not (BIN / "dask").exists(), reason="no dask command")


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "dask"), *args], stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def wait_for(check, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def cluster(tmp_path):
    """The scheduler's address and the two worker processes."""
    file = tmp_path / "scheduler.json"
    processes = [
        _start(
            [
                "scheduler",
                "--port",
                "0",
                "--scheduler-file",
                str(file),
                "--dashboard-address",
                ":0",
            ],
            tmp_path / "scheduler.log",
        )
    ]
    address = wait_for(
        lambda: file.exists() and json.loads(file.read_text() or "{}").get("address"),
        60,
        "the scheduler",
    )
    for name in ("w1", "w2"):
        processes.append(
            _start(
                [
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--name",
                    name,
                    "--no-nanny",
                    "--dashboard-address",
                    ":0",
                ],
                tmp_path / f"{name}.log",
            )
        )
    yield address, processes[1:]
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_sweep_on_a_real_cluster_loses_nothing_when_a_worker_is_killed(tmp_path, cluster):
    address, workers = cluster
    values = [round(0.9 + 0.02 * i, 3) for i in range(11)]
    path = study_file(
        tmp_path,
        batch_size=3,
        parameters={
            "b_cap": {
                "table": "caps",
                "where": {"market": "MB"},
                "scale": "cap_mt",
                "values": values,
            },
            "b_imports": {
                "table": "limits",
                "where": {"market": "MB"},
                "set": "max_import_share",
                "values": [0.05, 0.1, 0.5],
            },
        },
    )
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    sweep = subprocess.Popen(
        [str(BIN / "abatelink"), "sweep", path, "--scheduler", address, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    wait_for(lambda: any((out / "batches").glob("batch-*.parquet")), 120, "a first batch")
    assert sweep.poll() is None, "the sweep ended before a worker could be killed"
    workers[0].kill()  # SIGKILL: its running batch is lost with it
    _, stderr = sweep.communicate(timeout=300)
    assert sweep.returncode == 0, stderr
    results = load_results(out)
    assert sorted(set(results["scenario_id"])) == list(range(33))  # none lost
    assert not results.duplicated(["scenario_id", "output", "item", "period"]).any()  # none twice
    expected = one_by_one(path).sort_values(["scenario_id", "item"])
    got = swept_prices(out)
    assert got["value"].to_numpy() == pytest.approx(expected["value"].to_numpy(), abs=1e-9)
