"""The data sets the validation builds: small exact ones, and variants of a real one.

Small data sets are written from rows (one dict per CSV row), as the tests write theirs;
variants copy a data set folder and change a few of its tables, reading and writing every
cell as text so that what is not changed stays byte for byte as it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

Rows = list[dict[str, Any]]
SOURCE = "validation"
SOURCE_ENTRY = {
    SOURCE: {
        "citation": "abatelink validation (python -m abatelink.validation)",
        "kind": "A",
        "note": "A row changed or added to match a published study's setup (docs/validation.md).",
    }
}


def write_dataset(
    folder: Path,
    *,
    periods: list[int],
    regions: list[str],
    discount_rate: float = 0.0,
    currency_year: int | None = None,
    period_years: dict[int, float] | None = None,
    **tables: Rows,
) -> Path:
    """Write dataset.yaml, sources.yaml and one CSV per given table into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {
        "name": folder.name,
        "periods": periods,
        "discount_rate": discount_rate,
        "currency_year": currency_year if currency_year is not None else periods[0],
        "regions": {r: r for r in regions},
    }
    if period_years is not None:
        meta["period_years"] = period_years
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta))
    (folder / "sources.yaml").write_text(yaml.safe_dump(SOURCE_ENTRY))
    for name in REQUIRED:
        tables.setdefault(name, [])
    for name, rows in tables.items():
        frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=REQUIRED.get(name, []))
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


REQUIRED = {  # the tables every data set has, with their key columns (for an empty table)
    "markets": ["market", "region", "kind"],
    "emitters": ["emitter", "region", "sector", "market"],
    "baseline": ["emitter", "period", "emissions_mt"],
    "mac": ["emitter", "period", "step", "quantity_mt", "cost_usd_per_t"],
    "caps": ["market", "period", "cap_mt"],
    "links": ["from_market", "to_market", "period", "max_volume_mt", "transaction_cost_usd_per_t"],
}


def steps(emitter: str, period: int, quantities: Iterable[float], costs: Iterable[float]) -> Rows:
    """MAC step rows of one emitter in one period."""
    return [
        {"emitter": emitter, "period": period, "step": i + 1, "quantity_mt": q, "cost_usd_per_t": c}
        for i, (q, c) in enumerate(zip(quantities, costs, strict=True))
    ]


def one_market(
    market: str, region: str, baseline: float, caps: dict[int, float], mac: tuple[list, list]
) -> dict[str, Rows]:
    """One ETS market with one covered emitter, the same MAC steps in every period."""
    emitter = f"{market}-e"
    return {
        "markets": [{"market": market, "region": region, "kind": "ets"}],
        "emitters": [{"emitter": emitter, "region": region, "sector": "all", "market": market}],
        "baseline": [{"emitter": emitter, "period": t, "emissions_mt": baseline} for t in caps],
        "mac": [row for t in caps for row in steps(emitter, t, *mac)],
        "caps": [{"market": market, "period": t, "cap_mt": cap} for t, cap in caps.items()],
    }


def merge(*parts: dict[str, Rows]) -> dict[str, Rows]:
    """Concatenate several partial data sets, table by table."""
    out: dict[str, Rows] = {}
    for part in parts:
        for table, rows in part.items():
            out.setdefault(table, []).extend(rows)
    return out


# ----------------------------------------------------------------------------- variants


def _read(folder: Path, table: str) -> pd.DataFrame:
    path = folder / f"{table}.csv"
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write(folder: Path, table: str, frame: pd.DataFrame) -> None:
    frame.to_csv(folder / f"{table}.csv", index=False)


def _add_source_entry(folder: Path) -> None:
    path = folder / "sources.yaml"
    sources = yaml.safe_load(path.read_text()) if path.exists() else {}
    sources.update(SOURCE_ENTRY)
    path.write_text(yaml.safe_dump(sources, sort_keys=True, allow_unicode=True))


def _text(value: float) -> str:
    return f"{value:.3f}"


def economy_wide_ets(
    source: Path,
    folder: Path,
    region: str,
    caps: dict[int, float],
    without: tuple[str, ...] = (),
) -> Path:
    """A copy of `source` in which all of `region`'s emitters are in one ETS, `<region>-ETS`.

    The region's ETS market (its first) is renamed and takes in every emitter of the region;
    its tax market, its tax and every row of any table naming the tax market (or another of
    its ETS markets) go; its caps become `caps` (period → Mt/yr). Rows naming the renamed
    market (links, limits, banking, ...) carry over. The optional tables named in `without`
    are left out.
    """
    ignore = shutil.ignore_patterns("*.py", "generator", "*.md", *(f"{t}.csv" for t in without))
    shutil.copytree(source, folder, ignore=ignore)
    _add_source_entry(folder)
    market = f"{region}-ETS"
    markets = _read(folder, "markets")
    mine = markets["region"] == region
    ets = markets.loc[mine & (markets["kind"] == "ets"), "market"].tolist()
    taxed = markets.loc[mine & (markets["kind"] == "tax"), "market"].tolist()
    old = ets[0]
    credits = (markets.loc[mine, "project_credits"] == "true").any()
    markets = markets[~markets["market"].isin(taxed + ets[1:])].copy()
    row = markets["market"] == old
    markets.loc[row, "market"] = market
    markets.loc[row, "description"] = f"{region}: one ETS for every emitter (validation variant)"
    if "project_credits" in markets.columns:
        markets.loc[row, "project_credits"] = "true" if credits else "false"
    markets.loc[row, "source"] = SOURCE
    _write(folder, "markets", markets)

    emitters = _read(folder, "emitters")
    emitters.loc[emitters["region"] == region, "market"] = market
    _write(folder, "emitters", emitters)

    gone = set(taxed + ets[1:])
    for path in sorted(folder.glob("*.csv")):
        table = path.stem
        frame = _read(folder, table)
        columns = [c for c in frame.columns if c == "market" or c.endswith("_market")]
        if table in ("markets", "caps") or not columns:
            continue
        frame = frame[~frame[columns].isin(gone).any(axis=1)].copy()
        for column in columns:
            frame[column] = frame[column].replace({old: market})
        _write(folder, table, frame)

    taxes = _read(folder, "taxes")
    if not taxes.empty:
        _write(folder, "taxes", taxes[taxes["region"] != region])

    frame = _read(folder, "caps")
    frame = frame[~frame["market"].isin({old} | gone)]
    added = pd.DataFrame(
        [
            {"market": market, "period": str(t), "cap_mt": _text(cap), "source": SOURCE}
            for t, cap in sorted(caps.items())
        ]
    )
    _write(folder, "caps", pd.concat([frame, added], ignore_index=True))
    return folder


def cross_border_cost(source: Path, period: int) -> float:
    """The most common transaction cost of `source`'s links between regions in `period`."""
    links = _read(source, "links")
    region = dict(zip(*_read(source, "markets")[["market", "region"]].T.values, strict=True))
    links = links[links["period"] == str(period)]
    abroad = links["from_market"].map(region) != links["to_market"].map(region)
    costs = links.loc[abroad, "transaction_cost_usd_per_t"].replace("", "0").astype(float)
    return float(costs.mode().min()) if len(costs) else 0.0


def ndc_only(
    source: Path, folder: Path, period: int, transaction_cost: float
) -> tuple[Path, list[str]]:
    """Only the NDCs of `period`: each region with a target is one market capped at it.

    Every emitter of such a region is in its region's market `<region>-NDC` (no other cap,
    no tax, no limit); the markets of different regions are linked both ways at
    `transaction_cost` US$/t. Returns the folder and the regions.
    """
    ndc = _read(source, "ndc")
    ndc = ndc[ndc["period"] == str(period)]
    regions = ndc["region"].tolist()
    target = dict(zip(regions, ndc["target_mt"].astype(float), strict=True))
    emitters = _read(source, "emitters")
    emitters = emitters[emitters["region"].isin(regions)]
    names = set(emitters["emitter"])

    def of_period(table: str) -> Rows:
        frame = _read(source, table)
        frame = frame[frame["emitter"].isin(names) & (frame["period"] == str(period))]
        return frame.drop(columns=["source"], errors="ignore").to_dict("records")

    meta = yaml.safe_load((source / "dataset.yaml").read_text())
    write_dataset(
        folder,
        periods=[period],
        regions=regions,
        discount_rate=meta["discount_rate"],
        currency_year=meta["currency_year"],
        period_years={period: 1},
        markets=[{"market": f"{r}-NDC", "region": r, "kind": "ets"} for r in regions],
        emitters=[
            {"emitter": e, "region": r, "sector": s, "market": f"{r}-NDC"}
            for e, r, s in zip(emitters["emitter"], emitters["region"], emitters["sector"])
        ],
        baseline=of_period("baseline"),
        mac=of_period("mac"),
        caps=[{"market": f"{r}-NDC", "period": period, "cap_mt": target[r]} for r in regions],
        links=[
            {
                "from_market": f"{a}-NDC",
                "to_market": f"{b}-NDC",
                "period": period,
                "transaction_cost_usd_per_t": transaction_cost,
            }
            for a in regions
            for b in regions
            if a != b
        ],
    )
    return folder, regions
