"""Write small data sets for tests: each table given as a list of row dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

Rows = list[dict[str, Any]]


def write_dataset(
    folder: Path,
    *,
    periods: list[int],
    regions: list[str],
    discount_rate: float = 0.0,
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


def steps(emitter: str, period: int, quantities: list[float], costs: list[float]) -> Rows:
    """MAC step rows for one emitter-period."""
    return [
        {"emitter": emitter, "period": period, "step": i + 1, "quantity_mt": q, "cost_usd_per_t": c}
        for i, (q, c) in enumerate(zip(quantities, costs, strict=True))
    ]
