"""Figures: each writes PNG and SVG; their data equal values computed by hand.

The two-market example is the one of test_export (A: steps 2@1, 2@3, 2@5 US$/t, needs 5 Mt;
B: steps 2@2, 2@4, needs 1.5 Mt): apart A pays 13 and B 3; linked A pays 12 and B 2.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from test_export import ccs_run, two_market_runs

from abatelink.errors import InputError
from abatelink.reports.export import read_run
from abatelink.reports.figures import (
    cost_comparison_data,
    credit_data,
    draw_cost_comparison,
    draw_credits,
    draw_sobol,
    draw_tornado,
    draw_trade_flows,
    mac_curve_data,
    mac_price_marks,
    plot_run,
    read_mac_inputs,
    run_charts,
    save_figure,
    sobol_data,
    tornado_data,
    trade_flow_data,
)

from factory import avoided_mt

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CATEGORIES = {"region", "receiving region"}  # axis labels of categories (no unit)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return two_market_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def projects_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ccs_run(tmp_path_factory.mktemp("ccs"))


def assert_png_and_svg(paths: list[Path], names: set[str]) -> None:
    assert {p.name for p in paths} == {f"{n}.{ext}" for n in names for ext in ("png", "svg")}
    for path in paths:
        data = path.read_bytes()
        assert len(data) > 1000, path
        if path.suffix == ".png":
            assert data.startswith(PNG_MAGIC)
        else:
            assert ElementTree.fromstring(data).tag.endswith("svg")


def test_cost_by_country_data_equal_the_hand_computed_costs(runs):
    costs = {name: read_run(folder).table("costs") for name, folder in runs.items()}
    data = cost_comparison_data(costs)
    expected = pd.DataFrame(
        {
            "run": ["autarky", "autarky", "linked", "linked"],
            "region": ["A", "B", "A", "B"],
            "period": [2020] * 4,
            "national_cost_musd": [2 * 1 + 2 * 3 + 1 * 5, 1.5 * 2, 8.0 + 4.0, 6.0 - 4.0],
        }
    )
    pd.testing.assert_frame_equal(data, expected, check_dtype=False, check_exact=False)


def test_mac_step_coordinates_follow_the_merit_order(runs):
    dataset = Path(read_run(runs["linked"]).summary["dataset_path"])
    curves = mac_curve_data(dataset).set_index(["market", "step"])
    assert curves.loc["MA", "start_mt"].tolist() == [0, 2, 4]
    assert curves.loc["MA", "end_mt"].tolist() == [2, 4, 6]
    assert curves.loc["MA", "cost_usd_per_t"].tolist() == [1, 3, 5]
    assert curves.loc["MB", "start_mt"].tolist() == [0, 2]
    assert curves.loc["MB", "cost_usd_per_t"].tolist() == [2, 4]


def test_mac_marks_give_each_runs_price_and_abatement(runs):
    folders = {name: read_run(folder) for name, folder in runs.items()}
    curves = mac_curve_data(Path(folders["linked"].summary["dataset_path"]))
    marks = mac_price_marks(folders, curves).set_index(["run", "market"])
    expected = {
        ("autarky", "MA"): (5.0, 5.0),
        ("autarky", "MB"): (2.0, 1.5),
        ("linked", "MA"): (4.0, 4.0),
        ("linked", "MB"): (4.0, 2.5),
    }
    for key, (price, abated) in expected.items():
        assert marks.loc[key, "price_usd_per_t"] == pytest.approx(price), key
        assert marks.loc[key, "abatement_mt"] == pytest.approx(abated), key


def test_a_tax_markets_curve_holds_its_regions_emitters_outside_any_ets(tmp_path):
    emitters = [
        {"emitter": "e1", "region": "J", "sector": "p", "market": "J-ETS"},
        {"emitter": "e2", "region": "J", "sector": "p", "market": None},
        {"emitter": "e3", "region": "K", "sector": "p", "market": None},
    ]
    markets = [
        {"market": "J-ETS", "region": "J", "kind": "ets"},
        {"market": "J-TAX", "region": "J", "kind": "tax"},
    ]
    mac = [
        {"emitter": e, "period": 2020, "step": 1, "quantity_mt": 1.0, "cost_usd_per_t": c}
        for e, c in (("e1", 1.0), ("e2", 2.0), ("e3", 3.0))
    ]
    for name, rows in (("emitters", emitters), ("markets", markets), ("mac", mac)):
        pd.DataFrame(rows).to_csv(tmp_path / f"{name}.csv", index=False)
    curves = mac_curve_data(tmp_path)
    assert dict(zip(curves["market"], curves["emitter"])) == {"J-ETS": "e1", "J-TAX": "e2"}


def test_allowance_flows_keep_the_links_that_trade(runs):
    flows = trade_flow_data(read_run(runs["linked"]).table("trades"))
    assert flows[["link", "period"]].values.tolist() == [["MB→MA", 2020]]
    assert flows["volume_mt"].tolist() == pytest.approx([1.0])
    assert trade_flow_data(read_run(runs["autarky"]).table("trades")).empty


def test_credits_by_receiving_region_split_the_avoided_tonnes_equally(projects_run):
    run = read_run(projects_run)
    data = credit_data(run.table("credits"), run.table("projects"))
    assert data["label"].unique().tolist() == ["ccs (1 built)"]
    credited = data.set_index("region")["credited_mt"]
    assert credited.to_dict() == pytest.approx({"A": avoided_mt(10) / 2, "B": avoided_mt(10) / 2})


def test_plot_run_writes_png_and_svg_of_each_figure_that_applies(runs, tmp_path):
    paths = plot_run(runs["linked"], tmp_path / "figs", other_run=runs["autarky"])
    assert_png_and_svg(paths, {"mac_curves", "trades", "costs"})  # no projects: no credits
    notes = {c.name: c.note for c in run_charts(read_run(runs["autarky"])) if c.figure is None}
    assert notes == {
        "trades": "no allowances were traded",
        "credits": "no joint project earned credits",
    }


def test_plot_run_draws_the_project_credits(projects_run, tmp_path):
    paths = plot_run(projects_run, tmp_path)
    assert_png_and_svg(paths, {"mac_curves", "costs", "credits"})


def test_every_axis_label_gives_a_unit_and_series_differ_by_hatch_or_line(runs, projects_run):
    linked, autarky = read_run(runs["linked"]), read_run(runs["autarky"])
    charts = run_charts(linked, autarky) + run_charts(read_run(projects_run))
    drawn = [c for c in charts if c.figure is not None]
    assert {c.name for c in drawn} == {"mac_curves", "trades", "costs", "credits"}
    for chart in drawn:
        for ax in chart.figure.axes:
            for label in (ax.get_xlabel(), ax.get_ylabel()):
                assert not label or label in CATEGORIES or "(" in label, (chart.name, label)
        legend = chart.figure.legends or [ax.get_legend() for ax in chart.figure.axes]
        handles = [h for lg in legend if lg is not None for h in lg.legend_handles]
        looks = [(getattr(h, "get_hatch", lambda: None)(), _line_look(h)) for h in handles]
        assert len(set(looks)) == len(looks), (chart.name, looks)


def _line_look(handle) -> tuple:
    if not hasattr(handle, "get_linestyle"):
        return ()
    marker = handle.get_marker() if hasattr(handle, "get_marker") else None
    face = handle.get_markerfacecolor() if hasattr(handle, "get_markerfacecolor") else None
    return (str(handle.get_linestyle()), marker, str(face))


def test_cost_credit_and_flow_drawings_write_files(runs, projects_run, tmp_path):
    run = read_run(projects_run)
    figures = {
        "credits": draw_credits(credit_data(run.table("credits"), run.table("projects"))),
        "flows": draw_trade_flows(trade_flow_data(read_run(runs["linked"]).table("trades"))),
        "costs": draw_cost_comparison(cost_comparison_data({"ccs": run.table("costs")})),
    }
    paths = [p for name, fig in figures.items() for p in save_figure(fig, tmp_path, name)]
    assert_png_and_svg(paths, set(figures))


def test_tornado_data_sort_by_swing_and_measure_from_the_base(tmp_path):
    table = pd.DataFrame(
        {
            "parameter": ["discount rate", "cap", "MAC scale"],
            "low_value": [90.0, 70.0, 95.0],
            "high_value": [110.0, 140.0, 104.0],
            "base": [100.0, 100.0, 100.0],
        }
    )
    data = tornado_data(table)
    assert data["parameter"].tolist() == ["cap", "discount rate", "MAC scale"]
    assert data["low_delta"].tolist() == [-30.0, -10.0, -5.0]
    assert data["high_delta"].tolist() == [40.0, 10.0, 4.0]
    assert data["swing"].tolist() == [70.0, 20.0, 9.0]
    paths = save_figure(draw_tornado(data, "cost (million US$/yr)"), tmp_path, "tornado")
    assert_png_and_svg(paths, {"tornado"})


def test_sobol_data_sort_by_total_index(tmp_path):
    table = pd.DataFrame(
        {
            "parameter": ["a", "b", "c"],
            "S1": [0.1, 0.5, 0.2],
            "S1_conf": [0.02, 0.05, 0.03],
            "ST": [0.15, 0.6, 0.3],
            "ST_conf": [0.03, 0.06, 0.04],
        }
    )
    data = sobol_data(table)
    assert data["parameter"].tolist() == ["b", "c", "a"]
    assert data["ST"].tolist() == [0.6, 0.3, 0.15]
    assert_png_and_svg(save_figure(draw_sobol(data), tmp_path, "sobol"), {"sobol"})


def test_study_tables_without_the_columns_are_refused():
    with pytest.raises(ValueError, match="high_value"):
        tornado_data(pd.DataFrame({"parameter": ["a"], "low_value": [1.0], "base": [1.0]}))
    with pytest.raises(ValueError, match="ST_conf"):
        sobol_data(pd.DataFrame({"parameter": ["a"], "S1": [0.1], "S1_conf": [0], "ST": [0.1]}))


def test_a_missing_data_set_table_is_named(tmp_path):
    with pytest.raises(InputError, match="missing data set table") as err:
        read_mac_inputs(tmp_path)
    assert err.value.file == str(tmp_path / "markets.csv")


def test_without_its_data_set_a_run_skips_the_mac_curves_only(runs, tmp_path):
    import json
    import shutil

    moved = shutil.copytree(runs["linked"], tmp_path / "run")
    summary = json.loads((moved / "summary.json").read_text())
    summary["dataset_path"] = str(tmp_path / "gone")
    (moved / "summary.json").write_text(json.dumps(summary))
    charts = {c.name: c for c in run_charts(read_run(moved))}
    assert charts["mac_curves"].figure is None
    assert "data set" in charts["mac_curves"].note
    assert charts["costs"].figure is not None
