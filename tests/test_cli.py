"""The command line and the Python API used as the README shows, on a small data set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import abatelink as al
from abatelink.cli import main

from factory import both_ways, merge, one_market, write_dataset

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def scenarios(tmp_path: Path) -> tuple[Path, Path]:
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10, 10, 10], [5, 12, 20]),
        one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [15, 30, 60]),
        {"links": both_ways("MA", "MB")},
    )
    write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B"], **data)
    paths = []
    for name, links in (("apart", "none"), ("together", "all")):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"name": name, "dataset": "data", "links": links}))
        paths.append(path)
    return paths[0], paths[1]


def test_run_writes_every_table_and_the_summary(scenarios, tmp_path, capsys):
    apart, _ = scenarios
    assert main(["run", str(apart)]) == 0
    folder = tmp_path / "results" / "apart"
    for name in ("prices", "abatement", "emissions", "balances", "trades", "bank", "costs", "ndc"):
        assert (folder / f"{name}.csv").exists()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "optimal" and len(summary["input_hash"]) == 64
    # Alone: A abates 20 Mt (5, 12 US$/t steps) → price between steps: take B, 25 Mt → 60.
    prices = pd.read_csv(folder / "prices.csv").set_index("market")["price_usd_per_t"]
    assert prices["MB"] == pytest.approx(60)
    assert "prices (US$/t)" in capsys.readouterr().out


def test_compare_gives_each_regions_gain(scenarios, tmp_path):
    apart, together = scenarios
    assert main(["compare", str(apart), str(together), "--out", str(tmp_path / "cmp")]) == 0
    gains = pd.read_csv(tmp_path / "cmp" / "compare.csv").set_index("region")
    figures = list((tmp_path / "cmp" / "figures").glob("*.png"))
    assert any("cost" in f.name for f in figures) and all(f.stat().st_size > 0 for f in figures)
    assert (tmp_path / "cmp" / "a" / "prices.csv").exists()

    # Apart: A pays 50 + 120 = 170; B pays 150 + 300 + 5·60 = 750.
    # Together (price 30): A abates 30 (cost 370) and sells 10 at 30 → 70; B abates 15
    # (150 + 150 = 300) and buys 10 at 30 + 0 → 600.
    assert gains.loc["A", "cost_a_musd"] == pytest.approx(170)
    assert gains.loc["B", "cost_a_musd"] == pytest.approx(750)
    assert gains.loc["A", "gain_musd"] == pytest.approx(170 - 70)
    assert gains.loc["B", "gain_musd"] == pytest.approx(750 - 600)


def test_an_infeasible_scenario_exits_2_and_writes_its_status(scenarios, tmp_path):
    apart, _ = scenarios
    path = tmp_path / "tight.yaml"
    content = yaml.safe_load(apart.read_text()) | {
        "name": "tight",
        "overrides": {"caps": [{"where": {"market": "MB"}, "set": {"cap_mt": 10}}]},
    }
    path.write_text(yaml.safe_dump(content))
    assert main(["run", str(path)]) == 2
    summary = json.loads((tmp_path / "results" / "tight" / "summary.json").read_text())
    assert summary["status"] in ("infeasible", "infeasible_or_unbounded")


def test_the_readme_api_example_runs(scenarios, tmp_path, monkeypatch):
    _, together = scenarios
    block = re.search(r"## Python API\n\n```python\n(.*?)```", README.read_text(), re.S).group(1)
    block = block.replace("runs/linked.yaml", str(together))
    block = block.replace("out/linked", str(tmp_path / "out"))
    namespace: dict = {}
    exec(compile(block, "README", "exec"), namespace)
    assert set(namespace["tables"]) == set(al.results.TABLE_NAMES)
    assert namespace["priced"].solution.objective == pytest.approx(
        namespace["result"].solution.objective
    )


def test_the_readme_test_command_is_what_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text()
    command = re.search(r"# install the test needs.*\n(.*)\n", README.read_text()).group(1)
    assert command.strip() in ci


def test_version_prints_the_package_version(capsys):
    from abatelink.version import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"abatelink {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        ["run"],  # a missing argument
        ["run", "x.yaml", "--credit-rule", "shapley"],  # a game solution is not a credit rule
        ["nonsense"],
        ["share", "x.yaml", "--values", "v.csv"],  # one source only
    ],
)
def test_usage_errors_exit_4_with_one_line_not_2_which_means_infeasible(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 4
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: abatelink") and "\n" not in err
