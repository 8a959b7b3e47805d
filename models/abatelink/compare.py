"""Compare two solved scenarios: the gain of each region, cost A − cost B."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from abatelink.run import RunResult


def compare_runs(a: RunResult, b: RunResult) -> pd.DataFrame:
    """Per region and period: total cost in A and in B, the gain A − B, and its present value.

    The present value weighs each period by the years it stands for and its discount factor
    (those of scenario B's model; both scenarios must cover the same periods).
    """
    keys = ["region", "period"]
    cost_a = a["costs"].set_index(keys)["total_cost_musd"].rename("cost_a_musd")
    cost_b = b["costs"].set_index(keys)["total_cost_musd"].rename("cost_b_musd")
    frame = pd.concat([cost_a, cost_b], axis=1).reset_index()
    frame["gain_musd"] = frame["cost_a_musd"] - frame["cost_b_musd"]
    weight = frame["period"].map(b.model.index.weight)
    frame["gain_present_value_musd"] = frame["gain_musd"] * weight
    return frame


def write_comparison(
    gains: pd.DataFrame, a: RunResult, b: RunResult, out: Path | None = None
) -> Path:
    """Write `compare.csv`, both runs (a/, b/) and the comparison figures (figures/) into `out`
    (default: results/<A>-vs-<B>/ beside scenario A)."""
    from abatelink.reports.figures import plot_run  # lazy: matplotlib is slow to import
    from abatelink.run import write_run

    folder = out or a.scenario.folder / "results" / f"{a.scenario.name}-vs-{b.scenario.name}"
    folder.mkdir(parents=True, exist_ok=True)
    gains.to_csv(folder / "compare.csv", index=False)
    write_run(a, folder / "a")
    write_run(b, folder / "b")
    plot_run(folder / "b", folder / "figures", other_run=folder / "a")
    return folder
