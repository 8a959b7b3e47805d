"""Sensitivity: a tornado whose swings are merit-order prices, ranked and without empty rows,
figures in the manifest, Morris and Sobol that give an input without effect no index, and
the errors for a design without analysis and for a parameter the scenario would ignore."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from abatelink.cli import main
from abatelink.errors import InputError
from abatelink.inputs.study import load_study
from abatelink.outputs import MANIFEST
from abatelink.studies.sensitivity import analyse, write_sensitivity
from abatelink.studies.sweep import sweep

from factory import merge, merit_order, one_market, write_dataset

A_STEPS = [(10, 5), (10, 12), (10, 20), (10, 40)]  # (Mt, US$/t) of MA's one emitter
A_BASELINE, A_CAP = 100.0, 75.0


def project(tmp_path: Path) -> Path:
    """Two markets, not linked: MA (the steps above) and MB, in regions A and B."""
    quantities, costs = zip(*A_STEPS, strict=True)
    data = merge(
        one_market(tmp_path, "MA", "A", A_BASELINE, A_CAP, list(quantities), list(costs)),
        one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [15, 30, 60]),
    )
    write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B"], **data)
    (tmp_path / "base.yaml").write_text(
        yaml.safe_dump({"name": "base", "dataset": "data", "links": "none"})
    )
    return tmp_path


def study_file(folder: Path, parameters: dict, **keys) -> Path:
    content = {
        "name": keys.get("design", "oat"),
        "scenario": "base.yaml",
        "design": "oat",
        "batch_size": 50,
        "outputs": ["prices"],
        "headlines": [{"output": "prices", "item": "MA"}],
        "parameters": parameters,
        **keys,
    }
    path = folder / f"{content['name']}.yaml"
    path.write_text(yaml.safe_dump(content))
    return path


def scale(table: str, market_column: str, market: str, column: str, **values) -> dict:
    return {"table": table, "where": {market_column: market}, "scale": column, **values}


def price(baseline: float, cap: float) -> float:
    """MA's price: the merit-order price of abating baseline − cap."""
    return merit_order(A_STEPS, baseline - cap)[0]


# --- tornado ------------------------------------------------------------------------------------


def test_the_tornado_swings_are_merit_order_prices_ranked_without_empty_rows(tmp_path):
    folder = project(tmp_path)
    path = study_file(
        folder,
        {
            "a_cap": scale("caps", "market", "MA", "cap_mt", values=[0.9, 1.1], base=1.0),
            "a_baseline": scale(
                "baseline", "emitter", "MA-e", "emissions_mt", values=[0.96, 1.06], base=1.0
            ),
        },
    )
    sweep(path, folder / "out", workers=0)
    assert main(["sensitivity", str(path), "--out", str(folder / "out")]) == 0
    out = folder / "out" / "sensitivity"
    table = pd.read_csv(out / "tornado.csv")

    ma = table[(table["output"] == "prices") & (table["item"] == "MA")].set_index("parameter")
    base = price(A_BASELINE, A_CAP)
    cap_ends = (price(A_BASELINE, 0.9 * A_CAP), price(A_BASELINE, 1.1 * A_CAP))  # 40, 12
    baseline_ends = (price(0.96 * A_BASELINE, A_CAP), price(1.06 * A_BASELINE, A_CAP))  # 20, 40
    assert ma.loc["a_cap", ["base", "at_low", "at_high"]].tolist() == pytest.approx(
        [base, *cap_ends]
    )
    assert ma.loc["a_baseline", ["at_low", "at_high"]].tolist() == pytest.approx(baseline_ends)
    assert ma.loc["a_cap", "swing"] == pytest.approx(abs(cap_ends[1] - cap_ends[0]))
    # ranked by swing within each output: the cap (28) before the baseline (20)
    assert ma.sort_values("rank").index.tolist() == ["a_cap", "a_baseline"]
    for _, rows in table.groupby(["output", "item"], dropna=False):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))
        assert rows["swing"].is_monotonic_decreasing

    # no empty rows: MB's price, which never moves, is left out and said to be
    assert not table.drop(columns=["item", "period"]).isna().any().any()  # "" item: objective
    assert set(table["item"].fillna("")) == {"", "MA"}
    dropped = pd.read_csv(out / "dropped.csv")
    assert dropped.values.tolist() == [["prices", "MB", 2020, "constant in every scenario"]]
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["notes"] == [
        "1 output left out (1 constant in every scenario): see dropped.csv"
    ]

    # one figure per headline output, PNG and SVG, listed in the manifest
    listed = {entry["path"] for entry in manifest["files"]}
    figures = {"figures/tornado-prices-MA-2020.png", "figures/tornado-prices-MA-2020.svg"}
    assert listed == {"tornado.csv", "dropped.csv", *figures}
    assert (out / "figures" / "tornado-prices-MA-2020.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- Morris and Sobol ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("design", "samples", "indices", "of_a_cap"),
    [
        ("morris", 6, ["mu_star", "sigma"], {"mu_star": (20, 40)}),  # US$/t per range
        ("sobol", 32, ["S1", "ST"], {"ST": (0.85, 1.15)}),  # all of the variance of MA's price
    ],
)
def test_an_input_without_effect_gets_no_index(tmp_path, design, samples, indices, of_a_cap):
    """MA's cap moves MA's price (between 12 and 40 US$/t over its range); MB's cap cannot
    (the markets are not linked)."""
    folder = project(tmp_path)
    path = study_file(
        folder,
        {
            "a_cap": scale("caps", "market", "MA", "cap_mt", range=[0.85, 1.15]),
            "b_cap": scale("caps", "market", "MB", "cap_mt", range=[0.95, 1.15]),  # feasible
        },
        name=design,
        design=design,
        samples=samples,
        seed=2,
    )
    sweep(path, folder / "out", workers=0)
    analysis = analyse(load_study(path), folder / "out")
    table = analysis.table
    ma = table[(table["output"] == "prices") & (table["item"] == "MA")].set_index("parameter")
    assert ma.loc["b_cap", indices].tolist() == pytest.approx([0, 0], abs=1e-9)
    for index, (low, high) in of_a_cap.items():
        assert low < ma.loc["a_cap", index] < high
    assert ma.loc["a_cap", "rank"] == 1
    paths = write_sensitivity(analysis, folder / "out", load_study(path))
    assert {p.name for p in paths} >= {f"{design}-prices-MA-2020.png", f"{design}.csv"}


# --- errors -------------------------------------------------------------------------------------


def test_a_design_without_analysis_is_one_line_naming_the_accepted_ones(tmp_path, capsys):
    folder = project(tmp_path)
    path = study_file(
        folder,
        {"a_cap": scale("caps", "market", "MA", "cap_mt", range=[0.9, 1.1])},
        name="lhs",
        design="lhs",
    )
    assert main(["sensitivity", str(path)]) == 4  # before any sweep: the design says it all
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(path) in err and "design lhs has no sensitivity" in err
    assert "takes design oat (tornado), morris (Morris μ*, σ), sobol (Sobol S1, ST)" in err
    assert "runs/studies/tornado.yaml" in err


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        (
            {"table": "caps", "where": {"market": "MX"}, "scale": "cap_mt", "values": [0.9]},
            "matches no row of caps (caps holds market: MA, MB)",
        ),
        (
            {"scenario": "project_cost_scale.ccs", "values": [0.5]},
            "project_cost_scale.ccs changes the joint projects, which the data set lacks",
        ),
        (
            {"scenario": "pm_damage_usd_per_t.A", "values": [1000.0]},
            "pm_damage_usd_per_t is one value in base.yaml",
        ),
        (
            {"scenario": "credit_rule", "where": {"market": "MA"}, "values": ["equal"]},
            "'where', 'scale' and 'set' belong to a table parameter",
        ),
    ],
)
def test_a_parameter_the_scenario_would_ignore_is_refused(tmp_path, parameter, expected):
    folder = project(tmp_path)
    path = study_file(folder, {"p": parameter}, design="grid")
    with pytest.raises(InputError) as err:
        sweep(path, folder / "out", workers=0)
    assert err.value.file == str(path) and err.value.key.startswith("parameters")
    assert expected in err.value.problem
    assert not (folder / "out" / "batches").exists()
