"""What the commands print: tables for a person on a terminal, one JSON document for a
script (`--json`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from abatelink.games.allocation import Allocation
    from abatelink.run import RunResult


def print_run(result: RunResult, folder: Path) -> None:
    import pandas as pd

    s = result.summary
    print(f"scenario {s['scenario']}: {s['status']}", end="")
    if s["objective_present_value_musd"] is not None:
        print(f", discounted cost US${s['objective_present_value_musd']:,.1f} million", end="")
    print(f" ({sum(s['timings_s'].values()):.2f} s)")
    for line in s.get("warnings") or []:
        print("warning: " + line)
    for line in s.get("diagnosis") or []:
        print("diagnosis: " + line)
    if "prices" not in result.tables:
        print("no solution to report; summary and diagnosis written to", folder)
        return

    prices = result["prices"].pivot(index="market", columns="period", values="price_usd_per_t")
    print("\nprices (US$/t)\n" + fmt(prices))
    ndc = result["ndc"].dropna(subset=["target_mt"])
    if len(ndc):
        shadow = ndc.pivot(index="region", columns="period", values="shadow_price_usd_per_t")
        print("\nNDC shadow prices (US$/t; > 0 where the NDC binds)\n" + fmt(shadow))
    print_projects(result)
    costs = result["costs"].pivot(index="region", columns="period", values="national_cost_musd")
    costs.loc["total"] = costs.sum()
    print("\nnational cost by region (US$ million/yr)\n" + fmt(costs))
    print(
        "\nnet allowance sales abroad (Mt/yr; > 0 a seller, < 0 a buyer)\n" + fmt(net_sales(result))
    )
    pv = pd.DataFrame(result.summary["present_value_musd"])
    pv.loc["total"] = pv.sum()
    print("\nthe three accounts, present value (US$ million)\n" + fmt(pv))
    print(f"\ntables written to {folder}")


def net_sales(result: RunResult) -> pd.DataFrame:
    """Cross-border allowance sales minus purchases of each region, by period (Mt/yr)."""
    trades = result["trades"]
    abroad = trades[trades["cross_border"]]
    sold = abroad.groupby(["from_region", "period"])["volume_mt"].sum()
    bought = abroad.groupby(["to_region", "period"])["volume_mt"].sum()
    net = sold.sub(bought, fill_value=0.0).rename_axis(["region", "period"]).rename("net_mt")
    table = net.reset_index().pivot(index="region", columns="period", values="net_mt")
    regions = result.model.index.regions
    return table.reindex(regions, fill_value=0.0).fillna(0.0)


def print_projects(result: RunResult) -> None:
    from abatelink.games.allocation import credit_rules_text

    credits = result["credits"]
    if credits.empty:
        return
    built = result["projects"].query("built")
    summary = built.groupby(["project", "period"]).agg(
        items=("item", "count"),
        gross_cost_musd=("cost_musd", "sum"),
        co_financed_musd=("co_financed_musd", "sum"),
    )
    if len(summary):
        by_project = credits.groupby(["project", "period"])
        saved = by_project["avoided_generation_musd"].sum()
        summary["regions_pay_musd"] = (
            summary["gross_cost_musd"]
            - summary["co_financed_musd"]
            - saved.reindex(summary.index, fill_value=0.0)
        )
        summary["avoided_mt"] = by_project["generated_mt"].sum()
        print(
            "\njoint projects built (US$ million/yr; the regions pay the gross cost less what a "
            "third party co-finances and the generation displaced; Mt/yr)\n" + fmt(summary)
        )
    else:
        print("\njoint projects: none built")
        return
    inputs = result.priced.inputs
    rules = {p: r for p, r in inputs.credit_rules.items() if p in inputs.open_projects}
    credited = credits.pivot_table(
        index="region", columns="period", values="credited_mt", aggfunc="sum"
    )
    print(
        f"\nproject credits by region (Mt/yr; credit rules: {credit_rules_text(rules)})\n"
        + fmt(credited)
    )
    if result.summary.get("prices_conditional_on_build"):
        print("prices are LP duals with the build fixed: conditional on the build")


def fmt(frame: pd.DataFrame) -> str:
    return frame.to_string(float_format=lambda v: f"{v:,.2f}")


def print_comparison(
    a: RunResult,
    b: RunResult,
    gains: pd.DataFrame,
    costs: pd.DataFrame,
    changed: pd.DataFrame,
    folder: Path,
) -> None:
    names = f"{a.scenario.name} → {b.scenario.name}"
    print(f"national cost, present value (US$ million), {names}")
    print(fmt(costs))
    print(who_gains_most(costs, b.scenario.name))
    print(f"\ngain of each region: national cost of {a.scenario.name} − of {b.scenario.name}")
    table = gains.pivot(index="region", columns="period", values="gain_musd")
    table["present value"] = gains.groupby("region")["gain_present_value_musd"].sum()
    print("(US$ million/yr; present value in US$ million)\n" + fmt(table))
    moved = gains.groupby("region")[["emitters_gain_musd", "revenue_change_musd"]].sum()
    print("\nthe other accounts (US$ million/yr, summed over periods)\n" + fmt(moved))
    print()
    print_differences(changed, a.scenario.name, b.scenario.name, most=15)
    print(f"\nwritten to {folder}")


def print_differences(table: pd.DataFrame, a: str, b: str, most: int | None = None) -> None:
    """The differences of two scenarios' inputs, the first `most` of them (all if None)."""
    if table.empty:
        print(f"{a} and {b} have the same inputs (settings and data after overrides)")
        return
    shown = table if most is None else table.head(most)
    print(f"what differs in the inputs, {a} (a) and {b} (b), after overrides:")
    print(shown.rename(columns={"a": a, "b": b}).to_string(index=False))
    if len(shown) < len(table):
        print(f"… and {len(table) - len(shown)} more: see differences.csv")


def who_gains_most(costs: pd.DataFrame, b: str) -> str:
    """ "KR gains most in linked: 8,404.81 US$ million (−68.48 %)"; from `headline`."""
    regions = costs.drop(index="total")
    gain = regions["cost_a_pv_musd"] - regions["cost_b_pv_musd"]
    if gain.max() <= 0:
        return f"no region gains in {b}"
    best = gain.idxmax()
    change = regions.at[best, "change_pct"]
    return f"{best} gains most in {b}: {gain[best]:,.2f} US$ million ({change:+.2f} % of its cost)"


def method(result: Allocation) -> str:
    """How the game was solved, with how many coalitions were evaluated."""
    evaluated = len(result.coalitions)
    if result.method == "enumerate":
        return f"every coalition solved: {evaluated}"
    return f"{result.method}: {evaluated} coalitions evaluated"


def print_json(document: dict) -> None:
    """One JSON document; NaN (no value, e.g. a % change of 0) becomes null."""
    import json

    print(json.dumps(without_nan(document), indent=1, default=str, allow_nan=False))


def without_nan(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): without_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nan(v) for v in value]
    return value


def run_json(result: RunResult, folder: Path) -> dict:
    """The run's status, money by region and prices, for a script."""
    s = result.summary
    out = {
        "scenario": s["scenario"],
        "status": s["status"],
        "folder": str(folder),
        "objective_present_value_musd": s["objective_present_value_musd"],
        "present_value_musd": s.get("present_value_musd"),
        "diagnosis": s.get("diagnosis"),
    }
    if "prices" in result.tables:
        prices = result["prices"]
        out["prices_usd_per_t"] = [
            {"market": r.market, "period": int(r.period), "price": float(r.price_usd_per_t)}
            for r in prices.itertuples(index=False)
        ]
        sales = net_sales(result)
        out["net_sales_mt"] = {
            region: {str(t): float(v) for t, v in row.items()} for region, row in sales.iterrows()
        }
    return out
