"""Figures of a sensitivity analysis, one per headline output: a tornado, a Morris μ*–σ plane
or Sobol bars with their confidence intervals.

Each takes the analysis table's rows of one output and returns a matplotlib `Figure` drawn
on an Agg canvas without pyplot, in the greyscale style of a run's figures
(`reports/figures.py`, whose tornado and Sobol charts they reuse). matplotlib is imported when
a figure is drawn, not when abatelink starts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from abatelink.outputs import OutputFolder
from abatelink.studies.outputs import MEANING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def describe(key: tuple) -> tuple[str, str, str]:
    """A title naming an (output, item, period), the output's meaning and its unit."""
    label, unit = MEANING.get(key[0], (key[0], "unit of the output"))
    where = ", ".join(_parts(key[1:]))
    return (f"{label}: {where}" if where else label), label, unit


def file_stem(analysis: str, key: tuple) -> str:
    """A plain file name for the figure of one output, e.g. tornado-prices-CN-ETS-2030."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join([analysis, *_parts(key)]))


def _parts(key: tuple) -> list[str]:
    """The parts of a key that are given (no empty item, no missing period), as text."""
    given = [p for p in key if not pd.isna(p) and p != ""]
    return [str(int(p)) if isinstance(p, float) and p.is_integer() else str(p) for p in given]


def tornado_figure(rows: pd.DataFrame, key: tuple) -> Figure:
    """Bars from the output at base to its value at each parameter's low and high setting,
    widest swing on top; each bar names the parameter and its low and high values."""
    from abatelink.reports.figures import draw_tornado, tornado_data

    title, label, unit = describe(key)
    bars = pd.DataFrame(
        {
            "parameter": [
                f"{p} ({_shown(lo)} to {_shown(hi)})"
                for p, lo, hi in rows[["parameter", "low_value", "high_value"]].itertuples(
                    index=False
                )
            ],
            "low_value": rows["at_low"].to_numpy(),
            "high_value": rows["at_high"].to_numpy(),
            "base": rows["base"].to_numpy(),
        }
    )
    figure = draw_tornado(tornado_data(bars), f"{label} ({unit})")
    ax = figure.axes[0]
    ax.lines[0].set_label(f"base: {rows['base'].iloc[0]:.4g}")
    ax.legend()
    figure.suptitle(f"Tornado (one parameter at a time): {title}")
    return figure


def morris_figure(rows: pd.DataFrame, key: tuple) -> Figure:
    """Each parameter at (μ*, σ) with μ*'s confidence interval; above the line σ = μ* a
    parameter's effect depends more on the others (or is non-linear) than it averages."""
    from abatelink.reports.figures import new_figure

    title, _, unit = describe(key)
    figure = new_figure(6.5, 5)
    ax = figure.subplots()
    ax.errorbar(
        rows["mu_star"],
        rows["sigma"],
        xerr=rows["mu_star_conf"],
        fmt="o",
        color="black",
        ecolor="0.55",
        capsize=3,
    )
    points = rows[["parameter", "mu_star", "sigma"]].itertuples(index=False)
    for i, (name, x, y) in enumerate(points):
        below = (4, -10) if i % 2 else (4, 4)
        ax.annotate(name, (x, y), xytext=below, textcoords="offset points", fontsize=8)
    top = 1.1 * max((rows["mu_star"] + rows["mu_star_conf"]).max(), rows["sigma"].max()) or 1.0
    ax.plot([0, top], [0, top], linestyle="--", color="0.4", linewidth=1, label="σ = μ*")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(f"μ*, mean |elementary effect| ({unit} per parameter range)")
    ax.set_ylabel(f"σ, spread of the effects ({unit} per parameter range)")
    figure.suptitle(f"Morris screening: {title}")
    ax.legend(loc="upper left")
    return figure


def sobol_figure(rows: pd.DataFrame, key: tuple) -> Figure:
    """First-order and total Sobol indices of each parameter, with SALib's confidence
    intervals as error bars."""
    from abatelink.reports.figures import draw_sobol, sobol_data

    title, _, _ = describe(key)
    figure = draw_sobol(sobol_data(rows))
    figure.suptitle(f"Sobol indices: {title}")
    return figure


def save(out: OutputFolder, figure: Figure, stem: str) -> list[Path]:
    """Write figures/<stem>.png and .svg into the output folder (listed in its manifest)."""
    from abatelink.reports.figures import save_figure

    return out.write_folder("figures", lambda folder: save_figure(figure, folder, stem))


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)
