"""A built wheel holds the whole package and runs every shipped scenario without the source tree.

An editable install finds modules in models/ whether or not the wheel would carry them; this
test builds the wheel, unpacks it apart from the checkout and runs the command from there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "runs").glob("*.yaml"))


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    """The wheel built from this checkout, unpacked into a folder of its own."""
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*pip, "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("abatelink-*.whl")
    site = out / "site"
    zipfile.ZipFile(wheel).extractall(site)
    return site


def test_the_wheel_holds_every_module_of_the_package(unpacked):
    source = ROOT / "models"
    modules = {p.relative_to(source) for p in source.rglob("*.py")}
    assert modules and modules == {p.relative_to(unpacked) for p in unpacked.rglob("*.py")}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_runs_from_the_wheel(unpacked, scenario, tmp_path):
    code = (
        "import sys, abatelink, abatelink.cli; "
        f"assert abatelink.__file__.startswith({str(unpacked)!r}), abatelink.__file__; "
        "sys.exit(abatelink.cli.main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    done = subprocess.run(
        [sys.executable, "-c", code, "run", str(scenario), "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "costs.csv").is_file()
