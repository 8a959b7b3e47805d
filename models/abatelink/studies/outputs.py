"""The outputs a sweep keeps, read back from one solve as tidy rows.

Each row: scenario_id, status, objective_musd, output, item, period, value. Outputs:
prices (market), ndc_prices (region), trades (FROM->TO), builds (unit, site or corridor:
1/0 built in that period, GW, modules), credits (project:region, Mt/yr), costs (region,
US$ M/yr), cost_pv (region, present value, no period), gains (region: standalone − scenario
cost, present value, no period).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from abatelink.games.coalitions import standalone_inputs
from abatelink.inputs.scenario import Inputs, SolverOptions
from abatelink.model.build import Model
from abatelink.model.levers import set_openings
from abatelink.results.costs import cost_lines, present_values
from abatelink.results.extract import Extract, clean_values
from abatelink.results.prices import price_table
from abatelink.results.projects import credit_table
from abatelink.solve.priced import solve
from abatelink.solve.session import Session

COLUMNS = ["scenario_id", "status", "objective_musd", "output", "item", "period", "value"]
# What each output is and its unit, for tables and figures.
MEANING = {
    "objective": ("objective", "US$ million"),
    "prices": ("allowance price", "US$/t CO2"),
    "ndc_prices": ("NDC shadow price", "US$/t CO2"),
    "trades": ("allowances traded", "Mt CO2/yr"),
    "builds": ("built (1/0), capacity or modules", "unit of the item"),
    "credits": ("project credits", "Mt CO2/yr"),
    "costs": ("national cost", "US$ million/yr"),
    "cost_pv": ("national cost, present value", "US$ million"),
    "gains": ("gain from acting together, present value", "US$ million"),
}


def extract(
    model: Model,
    session: Session,
    inputs: Inputs,
    outputs: Iterable[str],
    scenario_id: int,
    options: SolverOptions,
) -> pd.DataFrame:
    """Solve the scenario the model holds and return the kept outputs."""
    priced = solve(session, inputs, options)
    solution = priced.solution
    rows = [("objective", "", None, solution.objective)]
    if priced.has_solution:
        x = Extract(priced)
        for name in outputs:
            rows += READERS[name](x, inputs, options)
    frame = pd.DataFrame(rows, columns=["output", "item", "period", "value"])
    frame.insert(0, "objective_musd", solution.objective)
    frame.insert(0, "status", solution.status)
    frame.insert(0, "scenario_id", scenario_id)
    frame["period"] = frame["period"].astype("Int64")
    return frame[COLUMNS]


Row = tuple[str, str, object, float]


def _series_rows(output: str, series: pd.Series) -> list[Row]:
    """Rows from a series keyed (item..., period)."""
    return [(output, "/".join(map(str, k[:-1])), k[-1], float(v)) for k, v in series.items()]


def _prices(x: Extract, *_: object) -> list[Row]:
    frame = price_table(x)
    return [
        ("prices", m, t, v)
        for m, t, v in frame[["market", "period", "price_usd_per_t"]].itertuples(index=False)
    ]


def _ndc_prices(x: Extract, *_: object) -> list[Row]:
    return _series_rows("ndc_prices", x.per_year(x.duals("ndc_accounting")))


def _trades(x: Extract, *_: object) -> list[Row]:
    volume = x.values("trade_mt")
    return [("trades", f"{a}->{b}", t, float(v)) for (a, b, t), v in volume.items()]


def _builds(x: Extract, *_: object) -> list[Row]:
    rows = []
    for name in ("ccs_new_build", "site_gw", "corridor_modules"):
        rows += _series_rows("builds", x.values(name))
    return rows


def _credits(x: Extract, *_: object) -> list[Row]:
    frame = credit_table(x)
    return [
        ("credits", f"{p}:{r}", t, v)
        for p, t, r, v in frame[["project", "period", "region", "credited_mt"]].itertuples(
            index=False
        )
    ]


def _costs(x: Extract, *_: object) -> list[Row]:
    national = national_costs(x)
    idx = x.model.index
    rows = [("costs", r, t, float(v)) for (r, t), v in zip(idx.region_periods(), national)]
    pv = present_values(national, idx)
    return rows + [("cost_pv", r, None, float(v)) for r, v in zip(idx.regions, pv)]


def _gains(x: Extract, inputs: Inputs, options: SolverOptions) -> list[Row]:
    """Standalone minus scenario cost per region (present value): one more solve."""
    model = x.model
    scenario_pv = present_values(national_costs(x), model.index)
    alone = standalone_inputs(model, inputs)
    set_openings(model, alone)
    try:
        priced = solve(x.session, alone, options)
        alone_pv = present_values(national_costs(Extract(priced)), model.index)
    finally:
        set_openings(model, inputs)
    gains = alone_pv - scenario_pv
    return [("gains", r, None, float(g)) for r, g in zip(model.index.regions, gains)]


def national_costs(x: Extract) -> np.ndarray:
    """The national cost per region-period code (US$ million/yr), as the cost table has it."""
    return clean_values(cost_lines(x)["national_cost_musd"])


READERS: dict[str, Callable[..., list[Row]]] = {
    "prices": _prices,
    "ndc_prices": _ndc_prices,
    "trades": _trades,
    "builds": _builds,
    "credits": _credits,
    "costs": _costs,
    "gains": _gains,
}
