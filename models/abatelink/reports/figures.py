"""Figures of a run (PNG and SVG): MAC curves, allowance flows, costs, project credits.

Each figure has a data function returning a DataFrame (what a test can check) and a drawing
function returning a matplotlib `Figure`. Figures are drawn without pyplot on an Agg canvas,
so nothing global changes and no display is needed. They stay readable in greyscale: series
differ by hatch, line style and marker, not by colour alone. Axis labels carry units.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from abatelink.errors import InputError
from abatelink.outputs import atomic_write
from abatelink.reports.export import RunFolder, as_run, dataset_folder, require_solution
from abatelink.reports.run_folder import FIGURES_FOLDER

GREYS = ("0.25", "0.85", "0.55", "1.0", "0.4", "0.7")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
LINE_STYLES: tuple[str | tuple[int, tuple[int, ...]], ...] = (
    "--",
    ":",
    "-.",
    (0, (6, 2, 1, 2, 1, 2)),
)
MARKERS = ("o", "s", "^", "D", "v", "P")
FORMATS = ("png", "svg")
DPI = 150


@dataclass
class Chart:
    """A figure of a run, or the reason it was left out.

    Attributes
    ----------
    name : str
        File stem (e.g. "costs").
    title : str
        A caption.
    figure : Figure or None
        None when the figure was skipped.
    note : str
        Why it was skipped (empty otherwise).
    """

    name: str
    title: str
    figure: Figure | None
    note: str = ""


# --------------------------------------------------------------------------- common


def new_figure(width: float, height: float) -> Figure:
    """A figure with constrained layout on an Agg canvas."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure: Figure, folder: Path, name: str) -> list[Path]:
    """Write `<folder>/<name>.png` and `.svg`, each atomically; return both paths."""
    return [_save(figure, Path(folder) / f"{name}.{fmt}", fmt) for fmt in FORMATS]


def _save(figure: Figure, path: Path, fmt: str) -> Path:
    metadata = {"Date": None} if fmt == "svg" else None
    return atomic_write(path, lambda p: figure.savefig(p, format=fmt, dpi=DPI, metadata=metadata))


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes (for embedding)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def run_labels(names: Sequence[str]) -> list[str]:
    """The runs' names, numbered when two are the same (e.g. 'test (1)', 'test (2)')."""
    if len(set(names)) == len(names):
        return list(names)
    return [f"{name} ({i + 1})" for i, name in enumerate(names)]


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} needs the columns {missing}; found {list(table.columns)}")


def _periods_grid(figure: Figure, periods: Sequence[int]) -> list[Axes]:
    axes = figure.subplots(1, max(len(periods), 1), squeeze=False, sharey=True)[0]
    for ax, period in zip(axes, periods):
        ax.set_title(str(period))
    return list(axes)


def _legend_above(figure: Figure, ax: Axes, title: str | None = None, max_columns: int = 6) -> None:
    """One legend above the panels, for the series of `ax` (it never hides a bar)."""
    handles, labels = ax.get_legend_handles_labels()
    columns = max(1, min(len(labels), max_columns))
    figure.legend(handles, labels, loc="outside upper center", ncols=columns, title=title)


def _empty_note(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)


# --------------------------------------------------------------------------- MAC curves


def read_mac_inputs(dataset_dir: Path) -> dict[str, pd.DataFrame]:
    """markets.csv, emitters.csv and mac.csv of a data set folder.

    Raises
    ------
    InputError
        When one of the three files is missing.
    """
    tables = {}
    for name in ("markets", "emitters", "mac"):
        path = Path(dataset_dir) / f"{name}.csv"
        if not path.is_file():
            raise InputError(path, "missing data set table: needed for the MAC curves")
        tables[name] = pd.read_csv(path)
    return tables


def mac_curve_data(dataset_dir: Path, periods: Sequence[int] | None = None) -> pd.DataFrame:
    """The MAC steps of each market in merit order, with cumulative coordinates.

    An ETS market's curve holds the steps of its covered emitters; a tax market's holds the
    steps of its region's emitters outside any ETS (the emissions the tax falls on).

    Parameters
    ----------
    dataset_dir : Path
        The data set folder (`summary.json`'s `dataset_path`).
    periods : sequence of int, optional
        Periods to keep (default: all of mac.csv's).

    Returns
    -------
    DataFrame
        Columns market, kind, period, emitter, step, quantity_mt, cost_usd_per_t, start_mt,
        end_mt: steps sorted by cost (ties by emitter and step); a step spans
        [start_mt, end_mt) of the market's cumulative abatement in Mt CO2/yr.
    """
    inputs = read_mac_inputs(dataset_dir)
    markets, emitters, mac = inputs["markets"], inputs["emitters"], inputs["mac"]
    if periods is not None:
        mac = mac[mac["period"].isin(list(periods))]
    columns = ["period", "emitter", "step", "quantity_mt", "cost_usd_per_t"]
    parts = []
    for market, region, kind in markets[["market", "region", "kind"]].itertuples(index=False):
        members = _members(emitters, market, region, kind)
        steps = mac.loc[mac["emitter"].isin(members), columns]
        parts.append(steps.assign(market=market, kind=kind))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["market", "period", "cost_usd_per_t", "emitter", "step"])
    frame["end_mt"] = frame.groupby(["market", "period"])["quantity_mt"].cumsum()
    frame["start_mt"] = frame["end_mt"] - frame["quantity_mt"]
    order = ["market", "kind", *columns, "start_mt", "end_mt"]
    return frame[order].reset_index(drop=True)


def _members(emitters: pd.DataFrame, market: str, region: str, kind: str) -> list[str]:
    if kind == "tax":
        outside = emitters["market"].isna() & (emitters["region"] == region)
        return list(emitters.loc[outside, "emitter"])
    return list(emitters.loc[emitters["market"] == market, "emitter"])


def mac_price_marks(runs: Mapping[str, RunFolder], curves: pd.DataFrame) -> pd.DataFrame:
    """Each run's price and abatement in each market and period (where the run sits).

    Parameters
    ----------
    runs : mapping of label to RunFolder
    curves : DataFrame
        From `mac_curve_data` (gives each market's emitters).

    Returns
    -------
    DataFrame
        Columns run, market, period, price_usd_per_t, abatement_mt.
    """
    market_of = curves[["emitter", "market"]].drop_duplicates()
    parts = []
    for label, run in runs.items():
        prices = run.table("prices")[["market", "period", "price_usd_per_t"]]
        abatement = run.table("abatement")[["emitter", "period", "abatement_mt"]]
        abated = (
            abatement.merge(market_of, on="emitter")
            .groupby(["market", "period"], as_index=False)["abatement_mt"]
            .sum()
        )
        frame = prices.merge(abated, on=["market", "period"], how="left")
        parts.append(frame.fillna({"abatement_mt": 0.0}).assign(run=label))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["market"].isin(set(market_of["market"]))].reset_index(drop=True)
    return frame[["run", "market", "period", "price_usd_per_t", "abatement_mt"]]


def draw_mac_curves(curves: pd.DataFrame, marks: pd.DataFrame, currency: str = "USD") -> Figure:
    """One panel per market (rows) and period (columns): the step curve and the prices.

    The y axis is cut at four times the highest price marked (a note gives the curve's top).
    """
    _require(curves, ["market", "period", "start_mt", "end_mt", "cost_usd_per_t"], "MAC curves")
    markets, periods = list(dict.fromkeys(curves["market"])), sorted(set(curves["period"]))
    figure = new_figure(max(6.5, 3.6 * len(periods) + 1), 2.5 * len(markets) + 0.9)
    axes = figure.subplots(len(markets), len(periods), squeeze=False)
    runs = list(dict.fromkeys(marks["run"]))
    for i, market in enumerate(markets):
        for j, period in enumerate(periods):
            steps = curves[(curves["market"] == market) & (curves["period"] == period)]
            here = marks[(marks["market"] == market) & (marks["period"] == period)]
            _draw_mac_panel(axes[i][j], steps, here, runs)
            axes[i][j].set_title(f"{market}, {period}", fontsize=9)
            axes[i][j].set_ylabel(f"marginal cost ({currency}/t CO2)" if j == 0 else "")
            axes[i][j].set_xlabel("abatement (Mt CO2/yr)" if i == len(markets) - 1 else "")
    _legend_above(figure, axes[0][0], title=MAC_DOTS, max_columns=3 if len(periods) < 3 else 6)
    return figure


MAC_DOTS = (
    "dots: each run's ETS price and its emitters' abatement;\na dot right of its curve: they "
    "abate beyond the ETS price (their region's NDC shadow price, a tax or a floor)"
)


def _draw_mac_panel(ax: Axes, steps: pd.DataFrame, marks: pd.DataFrame, runs: list[str]) -> None:
    if steps.empty:
        _empty_note(ax, "no MAC steps")
        return
    x = [*steps["start_mt"], steps["end_mt"].iloc[-1]]
    y = [*steps["cost_usd_per_t"], steps["cost_usd_per_t"].iloc[-1]]
    ax.step(x, y, where="post", color="black", linewidth=1.4, label="MAC curve")
    for k, run in enumerate(runs):
        row = marks[marks["run"] == run]
        if row.empty:
            continue
        price, abated = float(row["price_usd_per_t"].iloc[0]), float(row["abatement_mt"].iloc[0])
        style = LINE_STYLES[k % len(LINE_STYLES)]
        ax.axhline(price, color="0.35", linestyle=style, linewidth=1.2, label=f"price: {run}")
        ax.plot(
            [abated],
            [price],
            marker=MARKERS[k % len(MARKERS)],
            color="black",
            markerfacecolor=GREYS[k % len(GREYS)],
            linestyle="none",
            label=f"abatement: {run}",
        )
    _zoom(ax, steps, marks)


def _top(values: pd.Series) -> float:
    """The largest value, 0 for none."""
    return float(values.max()) if values.notna().any() else 0.0


def _zoom(ax: Axes, steps: pd.DataFrame, marks: pd.DataFrame) -> None:
    """Cut the y axis at 4 × the highest price (at least 5); x where the curve leaves it."""
    top_cost = float(steps["cost_usd_per_t"].max())
    top = min(top_cost, max(4 * _top(marks["price_usd_per_t"]), 5.0))
    ax.set_ylim(0, top * 1.05)
    above = steps[steps["cost_usd_per_t"] > top]
    right = float(above["start_mt"].iloc[0]) if len(above) else float(steps["end_mt"].iloc[-1])
    right = max(right, _top(marks["abatement_mt"]))
    ax.set_xlim(0, right * 1.1 if right > 0 else 1.0)
    if len(above):
        ax.text(
            0.02,
            0.96,
            f"axis cut; curve rises to {top_cost:,.0f}",
            ha="left",
            va="top",
            transform=ax.transAxes,
            fontsize=7,
        )


# --------------------------------------------------------------------------- allowance flows


def trade_flow_data(trades: pd.DataFrame, tolerance: float = 1e-9) -> pd.DataFrame:
    """Allowance volume by link and period, for links that carry any volume.

    Returns
    -------
    DataFrame
        Columns link ('FROM→TO'), from_market, to_market, period, volume_mt (Mt CO2/yr);
        every period of a link that trades in any period.
    """
    _require(trades, ["from_market", "to_market", "period", "volume_mt"], "allowance flows")
    frame = trades[["from_market", "to_market", "period", "volume_mt"]].copy()
    frame.insert(0, "link", frame["from_market"] + "→" + frame["to_market"])
    largest = frame.groupby("link")["volume_mt"].agg(lambda v: v.abs().max())
    active = frame["link"].isin(largest[largest > tolerance].index)
    return frame[active].sort_values(["link", "period"]).reset_index(drop=True)


def draw_trade_flows(flows: pd.DataFrame) -> Figure:
    """Horizontal bars: volume of each active link, one bar per period (hatched)."""
    links, periods = sorted(set(flows["link"])), sorted(set(flows["period"]))
    figure = new_figure(8, max(2.8, 1.6 + 0.45 * len(links) * max(len(periods), 1) ** 0.5))
    ax = figure.subplots()
    if flows.empty:
        _empty_note(ax, "no allowance trades")
        return figure
    height = 0.8 / len(periods)
    volume = flows.set_index(["link", "period"])["volume_mt"]
    for k, period in enumerate(periods):
        values = [volume.get((link, period), 0.0) for link in links]
        y = np.arange(len(links)) - 0.4 + height * (k + 0.5)
        ax.barh(
            y,
            values,
            height=height,
            color=GREYS[k % len(GREYS)],
            edgecolor="black",
            hatch=HATCHES[k % len(HATCHES)],
            label=str(period),
        )
    ax.set_yticks(np.arange(len(links)), links)
    ax.invert_yaxis()
    ax.set_xlabel("allowances transferred (Mt CO2/yr)")
    ax.set_ylabel("link (seller→buyer)")
    _legend_above(figure, ax, title="period")
    return figure


# --------------------------------------------------------------------------- costs


def cost_comparison_data(costs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Total cost of each region and period, in each run (e.g. autarky and linked).

    Parameters
    ----------
    costs : mapping of run label to costs table (region, period, national_cost_musd)

    Returns
    -------
    DataFrame
        Columns run, region, period, national_cost_musd (million US$/yr), runs in the given order.
    """
    parts = []
    for label, table in costs.items():
        _require(table, ["region", "period", "national_cost_musd"], "cost by country")
        parts.append(table[["region", "period", "national_cost_musd"]].assign(run=label))
    frame = pd.concat(parts, ignore_index=True)
    return frame[["run", "region", "period", "national_cost_musd"]]


def draw_cost_comparison(data: pd.DataFrame, currency: str = "USD") -> Figure:
    """One panel per period: bars per region, one per run side by side (hatched)."""
    periods, regions = sorted(set(data["period"])), sorted(set(data["region"]))
    runs = list(dict.fromkeys(data["run"]))
    figure = new_figure(max(4.0, 2.2 + 1.1 * len(regions) * len(periods)), 4.2)
    axes = _periods_grid(figure, periods)
    width = 0.8 / max(len(runs), 1)
    cost = data.set_index(["run", "region", "period"])["national_cost_musd"]
    for ax, period in zip(axes, periods):
        for k, run in enumerate(runs):
            values = [cost.get((run, region, period), np.nan) for region in regions]
            x = np.arange(len(regions)) - 0.4 + width * (k + 0.5)
            ax.bar(
                x,
                values,
                width=width,
                color=GREYS[k % len(GREYS)],
                edgecolor="black",
                hatch=HATCHES[k % len(HATCHES)],
                label=run,
            )
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(np.arange(len(regions)), regions)
        ax.set_xlabel("region")
    axes[0].set_ylabel(f"total cost (million {currency}/yr)")
    _legend_above(figure, axes[0])
    return figure


# --------------------------------------------------------------------------- credits


def credit_data(credits: pd.DataFrame, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """Credits each region receives from each project, per period (rows with credits only).

    Parameters
    ----------
    credits : DataFrame
        credits.csv (project, period, region, credited_mt).
    projects : DataFrame, optional
        projects.csv: gives the number of items (units, sites, corridors) built.

    Returns
    -------
    DataFrame
        Columns project, label ('<project> (<n> built)'), region, period, credited_mt.
    """
    _require(credits, ["project", "period", "region", "credited_mt"], "project credits")
    frame = credits.groupby(["project", "region", "period"], as_index=False)["credited_mt"].sum()
    frame = frame[frame["credited_mt"].abs() > 1e-9]
    built = _items_built(projects)
    frame.insert(1, "label", [f"{p} ({built.get(p, 0)} built)" for p in frame["project"]])
    return frame.reset_index(drop=True)


def _items_built(projects: pd.DataFrame | None) -> dict[str, int]:
    if projects is None or projects.empty:
        return {}
    built = projects[projects["built"].astype(bool)]
    return built.groupby("project")["item"].nunique().to_dict()


def draw_credits(data: pd.DataFrame) -> Figure:
    """One panel per period: credits by receiving region, stacked by project (hatched)."""
    periods, regions = sorted(set(data["period"])), sorted(set(data["region"]))
    labels = list(dict.fromkeys(data["label"]))
    figure = new_figure(max(4.0, 2.2 + 0.9 * len(regions) * len(periods)), 4.2)
    axes = _periods_grid(figure, periods)
    credited = data.set_index(["label", "region", "period"])["credited_mt"]
    for ax, period in zip(axes, periods):
        bottom = np.zeros(len(regions))
        for k, label in enumerate(labels):
            values = np.array([credited.get((label, r, period), 0.0) for r in regions])
            ax.bar(
                regions,
                values,
                bottom=bottom,
                color=GREYS[k % len(GREYS)],
                edgecolor="black",
                hatch=HATCHES[k % len(HATCHES)],
                label=label,
            )
            bottom += values
        ax.set_xlabel("receiving region")
    axes[0].set_ylabel("credits received (Mt CO2/yr)")
    _legend_above(figure, axes[0], title="project")
    return figure


# --------------------------------------------------------------------------- studies


def tornado_data(table: pd.DataFrame) -> pd.DataFrame:
    """Tornado bars from (parameter, low_value, high_value, base), widest swing first.

    Returns
    -------
    DataFrame
        The columns given plus low_delta = low_value − base, high_delta = high_value − base
        and swing = |high_value − low_value|, sorted by swing (descending).
    """
    _require(table, ["parameter", "low_value", "high_value", "base"], "a tornado chart")
    frame = table[["parameter", "low_value", "high_value", "base"]].copy()
    frame["low_delta"] = frame["low_value"] - frame["base"]
    frame["high_delta"] = frame["high_value"] - frame["base"]
    frame["swing"] = (frame["high_value"] - frame["low_value"]).abs()
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def draw_tornado(data: pd.DataFrame, outcome: str = "outcome") -> Figure:
    """Bars from the base value to the outcome at each parameter's low and high setting."""
    figure = new_figure(7, 1.2 + 0.45 * max(len(data), 1))
    ax = figure.subplots()
    y = np.arange(len(data))
    ax.barh(
        y,
        data["low_delta"],
        left=data["base"],
        color="1.0",
        edgecolor="black",
        hatch="//",
        label="parameter low",
    )
    ax.barh(
        y,
        data["high_delta"],
        left=data["base"],
        color="0.45",
        edgecolor="black",
        label="parameter high",
    )
    for value in sorted(set(data["base"])):
        ax.axvline(value, color="black", linestyle="--", linewidth=1)
    ax.set_yticks(y, data["parameter"])
    ax.invert_yaxis()
    ax.set_xlabel(outcome)
    ax.legend()
    return figure


def sobol_data(table: pd.DataFrame) -> pd.DataFrame:
    """Sobol indices from (parameter, S1, S1_conf, ST, ST_conf), largest ST first."""
    _require(table, ["parameter", "S1", "S1_conf", "ST", "ST_conf"], "Sobol bars")
    frame = table[["parameter", "S1", "S1_conf", "ST", "ST_conf"]].copy()
    return frame.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


def draw_sobol(data: pd.DataFrame) -> Figure:
    """Horizontal bars of first-order (S1, hatched) and total (ST, grey) indices with
    their confidence intervals."""
    figure = new_figure(7, 1.2 + 0.5 * max(len(data), 1))
    ax = figure.subplots()
    y = np.arange(len(data))
    bars = (("S1", "first order S1", "1.0", "//"), ("ST", "total ST", "0.45", ""))
    for k, (column, label, grey, hatch) in enumerate(bars):
        ax.barh(
            y - 0.2 + 0.4 * k,
            data[column],
            height=0.4,
            xerr=data[f"{column}_conf"],
            color=grey,
            edgecolor="black",
            hatch=hatch,
            capsize=3,
            label=label,
        )
    ax.set_yticks(y, data["parameter"])
    ax.invert_yaxis()
    ax.set_xlabel("Sobol index (share of output variance, -)")
    ax.legend()
    return figure


# --------------------------------------------------------------------------- a run


def run_charts(run: RunFolder, other: RunFolder | None = None) -> list[Chart]:
    """Every figure of a run (and a second run to compare with), or why it was skipped."""
    labels = run_labels([run.name] + ([other.name] if other else []))
    runs = dict(zip(labels, [run, other] if other else [run]))
    return [
        _mac_chart(run, runs),
        _trade_chart(run),
        _cost_chart(run, runs),
        _credit_chart(run),
    ]


def _mac_chart(run: RunFolder, runs: Mapping[str, RunFolder]) -> Chart:
    title = "MAC curves by market, with the price and abatement of each run"
    folder = dataset_folder(run.path, run.summary)
    if folder is None:
        return Chart("mac_curves", title, None, "the run's data set folder is not found")
    try:
        curves = mac_curve_data(folder, run.summary.get("periods"))
    except InputError as err:
        return Chart("mac_curves", title, None, str(err))
    marks = mac_price_marks(runs, curves)
    return Chart("mac_curves", title, draw_mac_curves(curves, marks, run.currency))


def _trade_chart(run: RunFolder) -> Chart:
    title = "Allowance flows by link and period"
    flows = trade_flow_data(run.table("trades"))
    if flows.empty:
        return Chart("trades", title, None, "no allowances were traded")
    return Chart("trades", title, draw_trade_flows(flows))


def _cost_chart(run: RunFolder, runs: Mapping[str, RunFolder]) -> Chart:
    title = "Total cost by region" + (", " + " vs ".join(runs) if len(runs) > 1 else "")
    data = cost_comparison_data({label: r.table("costs") for label, r in runs.items()})
    return Chart("costs", title, draw_cost_comparison(data, run.currency))


def _credit_chart(run: RunFolder) -> Chart:
    title = "Joint project credits by receiving region"
    if not run.has("credits"):
        return Chart("credits", title, None, "no credits table")
    projects = run.tables.get("projects")
    data = credit_data(run.table("credits"), projects)
    if data.empty:
        return Chart("credits", title, None, "no joint project earned credits")
    return Chart("credits", title, draw_credits(data))


def plot_run(
    run_dir: str | Path | RunFolder,
    out: Path | None = None,
    other_run: str | Path | RunFolder | None = None,
) -> list[Path]:
    """Write every figure of a run as PNG and SVG, each file atomically.

    Parameters
    ----------
    run_dir : str, Path or RunFolder
        A run folder (or one already read).
    out : Path, optional
        Output folder; default `<run_dir>/figures/`. `abatelink plot` writes there under the
        output policy (`abatelink.outputs`: a manifest, stale figures removed).
    other_run : str, Path or RunFolder, optional
        A second run folder (e.g. autarky for a linked run): its prices are marked on the MAC
        curves and its costs drawn beside the run's.

    Returns
    -------
    list of Path
        The files written (figures that do not apply, e.g. credits without projects, are
        skipped).
    """
    run = require_solution(as_run(run_dir), "figures")
    other = require_solution(as_run(other_run), "figures") if other_run is not None else None
    folder = Path(out) if out is not None else run.path / FIGURES_FOLDER
    paths: list[Path] = []
    for chart in run_charts(run, other):
        if chart.figure is not None:
            paths += save_figure(chart.figure, folder, chart.name)
    return paths
