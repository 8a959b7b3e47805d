"""The core works without the extras; a command that needs one names it and exits 4."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from test_sweep import study_file

from abatelink import extras
from abatelink.cli import main


@pytest.fixture
def without(monkeypatch):
    """Make the named optional modules look uninstalled."""

    def hide(*modules: str) -> None:
        find = importlib.util.find_spec
        monkeypatch.setattr(
            importlib.util, "find_spec", lambda m, *a: None if m in modules else find(m, *a)
        )

    return hide


def test_a_sampled_design_without_salib_names_the_sensitivity_extra(tmp_path, without, capsys):
    without("SALib")
    path = study_file(tmp_path, design="morris", samples=2)
    study = yaml.safe_load(Path(path).read_text())
    for p in study["parameters"].values():
        p["range"] = [min(p["values"]), max(p.pop("values"))]
    Path(path).write_text(yaml.safe_dump(study))
    assert main(["sweep", path, "--out", str(tmp_path / "out")]) == 4
    err = capsys.readouterr().err
    assert 'needs the "sensitivity" extra: pip install "abatelink[sensitivity]"' in err
    assert len(err.strip().splitlines()) == 1


def test_a_grid_sweep_needs_no_extra(tmp_path, without):
    without("SALib", "matplotlib")
    assert main(["sweep", study_file(tmp_path), "--out", str(tmp_path / "out")]) == 0


def test_compare_without_matplotlib_writes_its_tables_and_says_the_figures_are_left_out(
    tmp_path, without
):
    without("matplotlib")
    study_file(tmp_path)  # writes data/ and base.yaml
    apart = tmp_path / "apart.yaml"
    apart.write_text(yaml.safe_dump({"name": "apart", "dataset": "data", "links": "none"}))
    out = tmp_path / "cmp"
    assert main(["compare", str(apart), str(tmp_path / "base.yaml"), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["notes"] == [extras.NO_FIGURES]
    assert (out / "compare.csv").is_file() and not (out / "figures").exists()
