"""Issues 15 and 17, start-up: `abatelink --help` and `--version` import no heavy library, the
public API still imports as before, and a Ctrl-C while a command imports its libraries ends
quietly with exit 130.

Each check runs in a fresh interpreter: this one has imported everything already.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "pyomo", "dask", "distributed", "matplotlib", "scipy", "highspy")


def python(code: str, *args: str, **popen) -> subprocess.CompletedProcess:
    """`python -c CODE ARGS` with this checkout's package, in the repository's folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "models")}
    command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, **popen)


LOADED_AFTER = """
import sys
{code}
heavy = {heavy!r}
print("loaded:", *sorted(m for m in sys.modules if m.split(".")[0] in heavy))
"""
MAIN = """
from abatelink.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    assert stop.code == 0, stop.code
"""


def heavy_loaded(code: str, *args: str) -> set[str]:
    """The heavy modules loaded after `code` ran in a fresh interpreter."""
    done = python(LOADED_AFTER.format(code=code, heavy=HEAVY), *args)
    assert done.returncode == 0, done.stderr
    *_, last = done.stdout.splitlines()
    assert last.startswith("loaded:"), done.stdout
    return set(last.split()[1:])


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["-h"]])
def test_help_and_version_import_no_heavy_library(argv):
    assert heavy_loaded(MAIN, *argv) == set()


def test_importing_the_package_imports_no_heavy_library():
    assert heavy_loaded("import abatelink") == set()


def test_a_command_imports_what_it_uses_only():
    """`validate` reads a data set: pandas, not Pyomo, HiGHS or matplotlib."""
    loaded = {m.split(".")[0] for m in heavy_loaded(MAIN, "validate", "data/nea2018")}
    assert "pandas" in loaded and not loaded & {"pyomo", "highspy", "matplotlib", "dask"}


PUBLIC_API = """
import abatelink.run
import abatelink.solve.priced
import abatelink
from abatelink import Session, load_dataset, run, solve, tables

assert callable(run) and abatelink.run is run, run  # the function, not its module
assert callable(solve) and abatelink.solve is solve, solve
assert load_dataset.__module__ == "abatelink.inputs.dataset"
assert Session.__name__ == "Session" and callable(tables)
assert abatelink.results.TABLE_NAMES  # a subpackage, imported on first use
namespace = {}
exec("from abatelink import *", namespace)
assert set(abatelink.__all__) <= set(namespace), set(abatelink.__all__) - set(namespace)
try:
    abatelink.nonsense
except AttributeError as err:
    assert "no attribute 'nonsense'" in str(err)
else:
    raise AssertionError("abatelink.nonsense")
"""


def test_the_public_api_imports_as_before_even_after_its_modules():
    done = python(PUBLIC_API)
    assert done.returncode == 0, done.stderr


INTERRUPTED_IMPORT = """
import sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise KeyboardInterrupt

sys.meta_path.insert(0, CtrlC())
from abatelink.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("argv", [["validate", "data/nea2018"], ["run", "runs/linked.yaml"]])
def test_ctrl_c_while_a_command_imports_its_libraries_ends_quietly_with_130(argv):
    done = python(INTERRUPTED_IMPORT, *argv)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted\n"


SLOW_PANDAS = """
import sys
import time

class SlowPandas:
    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            print("importing pandas", flush=True)
            time.sleep(30)

sys.meta_path.insert(0, SlowPandas())
from abatelink.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_at_start_up_ends_quietly_with_130(tmp_path):
    """A real SIGINT, sent while the command imports pandas (made slow to be sure of it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "models")}
    argv = ["run", "runs/linked.yaml", "--out", str(tmp_path / "out")]
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_PANDAS, *argv],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal
    )
    assert process.stdout.readline() == "importing pandas\n"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    assert err == "interrupted\n"
    assert not (tmp_path / "out").exists()
