"""The command line for scripts: --json and -q on run, compare and share; diff; comma-separated
export formats; commands that need an extra."""

from __future__ import annotations

import importlib.util
import json
import sys

import pandas as pd
import pytest
import yaml
from test_sweep import study_file

from abatelink.cli import main


@pytest.fixture
def scenarios(tmp_path):
    """Two markets linked (base.yaml) or apart (apart.yaml) on test_sweep's data set."""
    study_file(tmp_path)
    apart = tmp_path / "apart.yaml"
    apart.write_text(yaml.safe_dump({"name": "apart", "dataset": "data", "links": "none"}))
    return tmp_path / "base.yaml", apart


def test_run_json_holds_what_the_tables_hold(scenarios, tmp_path, capsys):
    base, _ = scenarios
    out = tmp_path / "out"
    assert main(["run", str(base), "--out", str(out), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["status"], document["exit_code"], document["folder"]) == (
        "optimal",
        0,
        str(out),
    )
    prices = pd.read_csv(out / "prices.csv")
    assert {(p["market"], p["period"]): p["price"] for p in document["prices_usd_per_t"]} == {
        (r.market, r.period): pytest.approx(r.price_usd_per_t) for r in prices.itertuples()
    }
    sales = document["net_sales_mt"]
    assert sales["A"]["2020"] == pytest.approx(-sales["B"]["2020"])  # what A buys, B sells


def test_quiet_prints_nothing(scenarios, tmp_path, capsys):
    base, apart = scenarios
    assert main(["run", str(base), "--out", str(tmp_path / "o"), "-q"]) == 0
    assert main(["compare", str(apart), str(base), "--out", str(tmp_path / "c"), "-q"]) == 0
    assert capsys.readouterr().out == ""


def test_compare_json_totals_and_differences(scenarios, tmp_path, capsys):
    base, apart = scenarios
    assert main(["compare", str(apart), str(base), "--out", str(tmp_path / "c"), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    rows = {r["region"]: r for r in document["present_value_musd"]}
    for column in ("cost_a_pv_musd", "cost_b_pv_musd"):
        assert rows["total"][column] == pytest.approx(rows["A"][column] + rows["B"][column])
    assert document["differences"] == [
        {"what": "scenario", "key": "links", "column": "", "a": "none", "b": "all"}
    ]
    written = pd.read_csv(tmp_path / "c" / "differences.csv", keep_default_na=False)
    assert written.to_dict("records") == document["differences"]


def test_compare_names_who_gains_most(scenarios, tmp_path, capsys):
    base, apart = scenarios
    assert main(["compare", str(apart), str(base), "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    costs = pd.read_csv(tmp_path / "c" / "compare.csv").groupby("region")["gain_musd"].sum()
    assert f"{costs.idxmax()} gains most in base: {costs.max():,.2f} US$ million" in out
    assert "what differs in the inputs, apart (a) and base (b)" in out


def test_share_json_allocates_the_whole_saving(scenarios, tmp_path, capsys):
    base, _ = scenarios
    out = tmp_path / "s"
    assert main(["share", str(base), "--out", str(out), "--json", "--method", "generate"]) == 0
    document = json.loads(capsys.readouterr().out)
    values = pd.read_csv(out / "coalitions.csv")
    grand = values.loc[values["size"] == 2, "value_musd"].iloc[0]
    shares = [row["allocated_saving_musd"] for row in document["allocation"]]
    assert sum(shares) == pytest.approx(grand)
    assert document["coalitions_evaluated"] == len(values)


def test_diff_prints_each_difference(scenarios, capsys):
    base, apart = scenarios
    assert main(["diff", str(apart), str(base)]) == 0
    out = capsys.readouterr().out
    assert "scenario links" in " ".join(out.split()) and "none" in out and "all" in out
    assert main(["diff", str(base), str(base)]) == 0
    assert "have the same inputs" in capsys.readouterr().out


def test_export_formats_may_be_comma_separated_and_a_wrong_one_is_one_line(
    scenarios, tmp_path, capsys
):
    base, _ = scenarios
    run_dir = tmp_path / "o"
    assert main(["run", str(base), "--out", str(run_dir), "-q"]) == 0
    assert main(["export", str(run_dir), "--format", "xlsx,parquet"]) == 0
    written = {p.name for p in (run_dir / "export").iterdir()}
    assert any(name.endswith(".xlsx") for name in written) and "parquet" in written
    with pytest.raises(SystemExit) as stop:
        main(["export", str(run_dir), "--format", "xlsx,pdf"])
    assert stop.value.code == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected formats among" in err[0]


def test_plot_without_matplotlib_names_the_figures_extra(scenarios, tmp_path, monkeypatch, capsys):
    base, _ = scenarios
    run_dir = tmp_path / "o"
    assert main(["run", str(base), "--out", str(run_dir), "-q"]) == 0
    find = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda m, *a: None if m == "matplotlib" else find(m, *a)
    )
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # importing it now fails
    for module in ("abatelink.reports.figures", "abatelink.reports.html"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    for command in ("plot", "report"):
        assert main([command, str(run_dir)]) == 4
        assert 'needs the "figures" extra' in capsys.readouterr().err
