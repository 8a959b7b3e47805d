"""Write small data sets for tests: each table given as a list of row dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from abatelink.validation.datasets import merge, steps  # noqa: F401 (re-exported)

Rows = list[dict[str, Any]]


def write_dataset(
    folder: Path,
    *,
    periods: list[int],
    regions: list[str],
    discount_rate: float = 0.0,
    outside_regions: list[str] | None = None,
    **tables: Rows,
) -> Path:
    """Write dataset.yaml and one CSV per given table into `folder`; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": folder.name,
        "periods": periods,
        "discount_rate": discount_rate,
        "currency_year": periods[0],
        "regions": {r: r for r in regions},
    }
    if outside_regions:
        meta["outside_regions"] = {r: r for r in outside_regions}
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta))
    for name in ("markets", "emitters", "baseline", "mac", "caps", "links"):
        tables.setdefault(name, [])
    for name, rows in tables.items():
        frame = pd.DataFrame(rows, columns=_columns(name, rows))
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


COLUMNS = {
    "markets": ["market", "region", "kind"],
    "emitters": ["emitter", "region", "sector", "market"],
    "baseline": ["emitter", "period", "emissions_mt"],
    "mac": ["emitter", "period", "step", "quantity_mt", "cost_usd_per_t"],
    "caps": ["market", "period", "cap_mt"],
    "links": ["from_market", "to_market", "period", "max_volume_mt", "transaction_cost_usd_per_t"],
}


def _columns(name: str, rows: Rows) -> list[str]:
    if rows:
        return list(dict.fromkeys(k for row in rows for k in row))
    return COLUMNS.get(name, [])


def solve(folder: Path, links: str | list[str] = "all", **scenario: Any):
    """Run a scenario on the data set in `folder` and return the `RunResult`."""
    from abatelink.inputs.scenario import Scenario
    from abatelink.run import run

    return run(Scenario(name="test", dataset=str(folder), links=links, **scenario))


def merit_order(steps_: list[tuple[float, float]], required_mt: float) -> tuple[float, float]:
    """Price and cost of abating `required_mt` from (quantity, cost) steps, cheapest first."""
    price, cost, left = 0.0, 0.0, required_mt
    for quantity, unit_cost in sorted(steps_, key=lambda s: s[1]):
        if left <= 1e-12:
            break
        taken = min(quantity, left)
        cost += taken * unit_cost
        price, left = unit_cost, left - taken
    assert left <= 1e-9, "not enough abatement"
    return price, cost


def one_market(
    folder: Path,
    name: str,
    region: str,
    baseline: float,
    cap: float,
    quantities: list[float],
    costs: list[float],
    period: int = 2020,
) -> dict[str, Rows]:
    """Rows of one ETS market with one covered emitter (for merging into a data set)."""
    emitter = f"{name}-e"
    return {
        "markets": [{"market": name, "region": region, "kind": "ets"}],
        "emitters": [{"emitter": emitter, "region": region, "sector": "power", "market": name}],
        "baseline": [{"emitter": emitter, "period": period, "emissions_mt": baseline}],
        "mac": steps(emitter, period, quantities, costs),
        "caps": [{"market": name, "period": period, "cap_mt": cap}],
    }


def both_ways(a: str, b: str, period: int = 2020, **columns: Any) -> Rows:
    """Link rows a→b and b→a."""
    return [
        {"from_market": a, "to_market": b, "period": period, **columns},
        {"from_market": b, "to_market": a, "period": period, **columns},
    ]


def ccs_unit(
    unit: str,
    project: str,
    emitter: str,
    *,
    co2_mt: float = 10.0,
    cost_usd_per_t_captured: float = 5.0,
    first_period: int = 2020,
    capture_rate: float = 0.9,
    energy_penalty: float = 0.25,
    pm_t: float = 1000.0,
    **columns: Any,
) -> dict[str, Any]:
    """A CCS unit row; capex and fixed O&M are zero unless given."""
    return {
        "unit": unit,
        "project": project,
        "emitter": emitter,
        "capacity_mw": 1000.0,
        "co2_mt": co2_mt,
        "capture_rate": capture_rate,
        "energy_penalty": energy_penalty,
        "capex_usd_per_kw": 0.0,
        "fixed_om_usd_per_kw_yr": 0.0,
        "cost_usd_per_t_captured": cost_usd_per_t_captured,
        "pm_t": pm_t,
        "pm_removed_share": 0.5,
        "lifetime_years": 30,
        "first_period": first_period,
        **columns,
    }


def avoided_mt(co2_mt: float, capture_rate: float = 0.9, energy_penalty: float = 0.25) -> float:
    """CO2 a capture unit avoids: E − (1 − r)·E/(1 − φ) (same net output, more fuel)."""
    return co2_mt - (1 - capture_rate) * co2_mt / (1 - energy_penalty)


def captured_mt(co2_mt: float, capture_rate: float = 0.9, energy_penalty: float = 0.25) -> float:
    return capture_rate * co2_mt / (1 - energy_penalty)


def supergrid(
    project: str = "grid",
    *,
    site_gw: float = 10.0,
    module_gw: float = 1.0,
    max_modules: int = 5,
    absorb_twh: dict[str, float] | None = None,
    emission_factor: dict[str, float] | None = None,
    period: int = 2020,
    participants: tuple[str, ...] = ("M", "B", "C"),
    avoided_usd_per_mwh: float = 0.0,
) -> dict[str, Rows]:
    """A site in M and corridors M→B→C; grids of B and C displace their emitters' power."""
    absorb_twh = absorb_twh or {"B": 5.0, "C": 12.0}
    emission_factor = emission_factor or {"B": 0.5, "C": 0.8}
    corridor = {
        "project": project,
        "length_km": 100.0,
        "capex_musd_per_gw_km": 0.01,
        "module_gw": module_gw,
        "max_modules": max_modules,
        "max_utilization": 1.0,
        "lifetime_years": 40,
        "first_period": period,
    }
    return {
        "projects": [{"project": project, "kind": "supergrid"}],
        "participants": [{"project": project, "region": r} for r in participants],
        "sites": [
            {
                "site": "s1",
                "project": project,
                "region": "M",
                "potential_gw": site_gw,
                "capacity_factor": 0.5,
                "capex_usd_per_kw": 100.0,
                "fixed_om_usd_per_kw_yr": 0.0,
                "lifetime_years": 25,
                "first_period": period,
            }
        ],
        "corridors": [
            {
                "corridor": "m-b",
                "from_region": "M",
                "to_region": "B",
                "loss_share": 0.05,
                **corridor,
            },
            {
                "corridor": "b-c",
                "from_region": "B",
                "to_region": "C",
                "loss_share": 0.10,
                **corridor,
            },
        ],
        "grids": [
            {
                "region": r,
                "period": period,
                "emitter": f"M{r}-e",
                "emission_factor_t_per_mwh": emission_factor[r],
                "max_absorb_twh": absorb_twh[r],
                "avoided_generation_usd_per_mwh": avoided_usd_per_mwh,
            }
            for r in ("B", "C")
        ],
    }
