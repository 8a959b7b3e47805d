"""Compare two solved scenarios: the gain of each region, cost A − cost B."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from abatelink.extras import NO_FIGURES, has
from abatelink.inputs.scenario import Scenario
from abatelink.outputs import OutputFolder, results_folder
from abatelink.reports.run_folder import FIGURES_FOLDER
from abatelink.results.costs import present_value
from abatelink.run import RunResult, run_inputs, write_run


def compare_runs(a: RunResult, b: RunResult) -> pd.DataFrame:
    """Per region and period: the national cost in A and in B, the gain A − B and its present
    value, and how the other two accounts move (emitters' cost A − B; revenue B − A).

    The present value weighs each period by its discounted years (those of scenario B's model;
    both scenarios must cover the same periods).
    """
    keys = ["region", "period"]
    a_costs, b_costs = a["costs"].set_index(keys), b["costs"].set_index(keys)
    frame = pd.DataFrame(
        {
            "cost_a_musd": a_costs["national_cost_musd"],
            "cost_b_musd": b_costs["national_cost_musd"],
        }
    )
    frame["gain_musd"] = frame["cost_a_musd"] - frame["cost_b_musd"]
    frame["emitters_gain_musd"] = a_costs["emitters_cost_musd"] - b_costs["emitters_cost_musd"]
    frame["revenue_change_musd"] = (
        b_costs["government_revenue_musd"] - a_costs["government_revenue_musd"]
    )
    frame = frame.reset_index()
    frame["gain_present_value_musd"] = frame["gain_musd"] * frame["period"].map(
        b.model.index.weight
    )
    return frame


def headline(gains: pd.DataFrame, a: RunResult, b: RunResult) -> pd.DataFrame:
    """Per region and in total: present-value national cost in A and in B (US$ million) and the
    change from A to B in %."""
    pv_a = present_value(a["costs"], a.model.index)
    pv_b = present_value(b["costs"], b.model.index)
    frame = pd.DataFrame({"cost_a_pv_musd": pv_a, "cost_b_pv_musd": pv_b})
    frame.loc["total"] = frame.sum()
    cost_a = frame["cost_a_pv_musd"]
    frame["change_pct"] = (frame["cost_b_pv_musd"] - cost_a) / cost_a.where(cost_a != 0) * 100
    return frame.rename_axis("region")


def comparison_folder(a: Scenario, b: Scenario, out: Path | None = None) -> Path:
    """`out`, or results/<A>-vs-<B>/ beside scenario A."""
    if out is not None:
        return Path(out)
    return results_folder(a.folder / "results", f"{a.name}-vs-{b.name}", a.source)


def write_comparison(
    gains: pd.DataFrame,
    a: RunResult,
    b: RunResult,
    out: Path | None = None,
    differences: pd.DataFrame | None = None,
) -> Path:
    """Write `compare.csv`, `differences.csv` (what differs in the inputs, if given), both runs
    (a/, b/) and the comparison figures (figures/) into `out`
    (default: results/<A>-vs-<B>/ beside scenario A), then its manifest (a/ and b/ have their
    own). Without the "figures" extra the figures are left out and the manifest says so."""
    folder = comparison_folder(a.scenario, b.scenario, out)
    inputs = run_inputs(a.scenario) + run_inputs(b.scenario)
    with OutputFolder(folder, "compare", inputs=inputs) as target:
        target.write_csv("compare.csv", gains)
        if differences is not None:
            target.write_csv("differences.csv", differences)
        write_run(a, folder / "a")
        write_run(b, folder / "b")
        notes = []
        if has("matplotlib"):
            from abatelink.reports.figures import plot_run  # lazy: matplotlib is slow to import

            target.write_folder(
                FIGURES_FOLDER, lambda tmp: plot_run(folder / "b", tmp, other_run=folder / "a")
            )
        else:
            notes.append(NO_FIGURES)
        target.finish(notes=notes)
    return folder
