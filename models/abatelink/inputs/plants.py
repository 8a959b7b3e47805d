"""Plant-level synthetic data sets: many emitters and CCS units with the source's national totals.

`write_plant_dataset` splits each emitter of a data set (a region's sector in one market) into
plants and spreads candidate CCS units over the coal-power plants, for scale tests. Per source
emitter and period, the plants' baselines and each MAC step's quantity add up exactly to the
source's; plants differ by size (lognormal) and by a per-plant factor on their MAC costs, so
the national MAC is a smoothed version of the source's. Markets, caps, links, limits, price
controls, banking, taxes, NDCs, GDP, international offset supply and the supergrid tables are
copied unchanged.

Quantities are split in whole tonnes (1e-6 Mt) by largest remainders, so sums are exact in
decimal and MAC steps never exceed a plant's baseline: every plant receives its part of each
step and of the baseline's headroom above the steps (baseline = Σ steps + headroom).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from abatelink.errors import InputError
from abatelink.inputs.dataset import META_FILE, SOURCES_FILE, Dataset, load_dataset
from abatelink.inputs.schema import TABLES

SOURCE_ID = "synthetic-plants"
UNITS_PER_MT = 10**6  # quantities are split in whole tonnes
COST_DECIMALS = 4
SIZE_SIGMA = 1.0  # lognormal σ of plant sizes within a source emitter
GROWTH_SIGMA = 0.05  # lognormal σ of a plant's own change from period to period
COST_SIGMA = 0.2  # lognormal σ (median 1) of the per-plant factor on MAC costs
UNIT_SIZE_SIGMA = 0.25  # lognormal σ of a CCS unit's CO2 around its template unit
UNIT_COST_SIGMA = 0.15  # lognormal σ of a CCS unit's costs around its template unit
CCS_MAX_SHARE = 0.8  # a plant's CCS units emit at most this share of its lowest baseline

COPIED_TABLES = (
    "markets",
    "caps",
    "links",
    "limits",
    "price_controls",
    "banking",
    "taxes",
    "ndc",
    "gdp",
    "offset_supply",
    "pm_transport",
    "sites",
    "corridors",
)
DEFAULT_HOST_REGIONS = ("CN", "KR")
DEFAULT_UNIT = {  # a 1,000 MW supercritical coal unit (the nea2018 unit cn-1000-a)
    "capacity_mw": 1000.0,
    "co2_mt": 4.4,
    "capture_rate": 0.9,
    "energy_penalty": 0.2,
    "capex_usd_per_kw": 1500.0,
    "fixed_om_usd_per_kw_yr": 45.0,
    "cost_usd_per_t_captured": 24.0,
    "pm_t": 160.0,
    "pm_removed_share": 0.5,
    "lifetime_years": 25.0,
}
DEFAULT_PARTICIPANTS = {  # investment shares of the CCS project hosted by a region (as nea2018)
    "CN": {"CN": 0.5, "KR": 0.3, "JP": 0.2},
    "KR": {"KR": 0.6, "JP": 0.2, "CN": 0.2},
}
UNIT_COLUMNS = tuple(c.name for c in TABLES["ccs_units"].columns)


@dataclass(frozen=True)
class Plants:
    """Generated plants: one row per plant, its baselines and its MAC steps (quantities in t)."""

    emitters: pd.DataFrame  # emitter, region, sector, market, parent, parent_row, size
    baseline: pd.DataFrame  # emitter, period, tonnes
    mac: pd.DataFrame  # emitter, period, step, tonnes, cost_usd_per_t


@dataclass(frozen=True)
class CcsTables:
    """Generated CCS units, and the projects and participants created for them (maybe none)."""

    units: pd.DataFrame
    projects: pd.DataFrame
    participants: pd.DataFrame


def write_plant_dataset(
    source: Path, out: Path, n_emitters: int = 5000, n_ccs_units: int = 2000, seed: int = 0
) -> Path:
    """Write a plant-level synthetic data set consistent with the national totals of `source`.

    Parameters
    ----------
    source
        Folder of the data set to split (it is loaded and validated first).
    out
        Folder to write; created if needed. Existing tables in it are overwritten.
    n_emitters
        Plants in all (about; each source emitter gets at least one, in proportion to its
        baseline summed over the periods).
    n_ccs_units
        Candidate CCS units, spread over the coal-power emitters that host units in `source`
        (else over the power emitters of CN and KR) in proportion to their baselines.
    seed
        Seed of every random draw; the same seed writes identical files.

    Returns
    -------
    Path
        `out`.

    Raises
    ------
    InputError
        If the source does not load, or `n_ccs_units` > 0 and it has no emitter that could
        host a CCS unit.
    """
    ds = load_dataset(source)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    plant_rng, cost_rng, unit_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    plants = split_emitters(ds, n_emitters, plant_rng, cost_rng)
    ccs = ccs_tables(ds, plants, n_ccs_units, unit_rng)
    _copy_unchanged(ds, out)
    _write_plants(plants, out)
    _write_projects(ds, ccs, out)
    _write_grids(ds, plants, out)
    _write_sources(ds, out, _method_note(ds, n_emitters, n_ccs_units, seed))
    return out


# --- splitting emitters into plants ------------------------------------------------------------


def apportion(totals: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split whole-number totals among each group's members by weight (largest remainders).

    Parameters
    ----------
    totals
        Integer total of each group (length G).
    group
        Group number (0..G−1) of each member.
    weights
        Non-negative weight of each member; a group whose weights are all zero splits evenly.

    Returns
    -------
    numpy.ndarray
        Integer part of each member; per group they sum exactly to its total and each is within
        one of its exact share.
    """
    totals = np.asarray(totals, dtype=np.int64)
    weights = np.asarray(weights, dtype=float)
    n_groups = len(totals)
    weight_sum = np.bincount(group, weights=weights, minlength=n_groups)
    size = np.bincount(group, minlength=n_groups)
    even = weight_sum[group] <= 0
    share = np.where(
        even, 1.0 / np.maximum(size[group], 1), weights / np.where(even, 1.0, weight_sum[group])
    )
    exact = share * totals[group]
    floor = np.floor(exact).astype(np.int64)
    left = totals - np.bincount(group, weights=floor, minlength=n_groups).astype(np.int64)
    if (left < 0).any() or (left > size).any():
        raise ArithmeticError("largest-remainder split failed; totals too large for float64")
    order = np.lexsort((floor - exact, group))  # by group, then largest remainder first
    ordered = group[order]
    rank = np.arange(len(order)) - np.searchsorted(ordered, ordered, side="left")
    bump = np.zeros(len(group), dtype=np.int64)
    bump[order] = rank < left[ordered]
    return floor + bump


def plant_counts(weights: np.ndarray, n_emitters: int) -> np.ndarray:
    """Plants per source emitter: at least one each, the rest in proportion to `weights`."""
    extra = max(n_emitters - len(weights), 0)
    return 1 + apportion(np.array([extra]), np.zeros(len(weights), dtype=np.int64), weights)


def split_emitters(
    ds: Dataset, n_emitters: int, plant_rng: np.random.Generator, cost_rng: np.random.Generator
) -> Plants:
    """Plants of every source emitter with baselines and MAC steps that add up to the source's.

    Parameters
    ----------
    ds
        The source data set.
    n_emitters
        Plants in all (see `plant_counts`).
    plant_rng, cost_rng
        Streams for plant sizes and growth, and for the per-plant MAC cost factors.

    Returns
    -------
    Plants
        Plant rows, baselines and MAC steps, quantities in whole tonnes.
    """
    emitters = ds.emitters.reset_index(drop=True)
    base = _tonnes(ds.baseline.set_index(["emitter", "period"])["emissions_mt"])
    totals = base.groupby(level="emitter").sum().reindex(emitters["emitter"]).to_numpy(float)
    counts = plant_counts(totals, n_emitters)
    plants = _plant_rows(emitters, counts, plant_rng)
    growth = plant_rng.lognormal(0.0, GROWTH_SIGMA, size=(len(plants), len(ds.periods)))
    parts = _components(ds, base)
    tonnes, plant, comp = _split_components(plants, parts, growth, ds.periods)
    factor = cost_rng.lognormal(0.0, COST_SIGMA, size=len(plants))
    return Plants(
        emitters=plants,
        baseline=_plant_baseline(plants, parts, tonnes, plant, comp),
        mac=_plant_mac(plants, parts, tonnes, plant, comp, factor),
    )


def _tonnes(values: pd.Series) -> pd.Series:
    return np.rint(values * UNITS_PER_MT).astype(np.int64)


def _plant_rows(
    emitters: pd.DataFrame, counts: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per plant, named `<source emitter>-p<number>`, with a lognormal size."""
    parent = np.repeat(np.arange(len(emitters)), counts)
    number = _ragged_arange(counts) + 1
    width = len(str(int(counts.max())))
    names = (
        emitters["emitter"].to_numpy(object)[parent]
        + "-p"
        + pd.Series(number).astype(str).str.zfill(width).to_numpy(object)
    )
    rows = emitters.iloc[parent][["region", "sector", "market"]].reset_index(drop=True)
    rows.insert(0, "emitter", names)
    rows["parent"] = emitters["emitter"].to_numpy(object)[parent]
    rows["parent_row"] = parent
    rows["size"] = rng.lognormal(0.0, SIZE_SIGMA, size=len(rows))
    return rows


def _ragged_arange(counts: np.ndarray) -> np.ndarray:
    """0..c−1 for each count c, concatenated."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


def _components(ds: Dataset, base: pd.Series) -> pd.DataFrame:
    """What is split per source emitter and period: each MAC step, and the headroom (step 0).

    Columns: parent_row, period, step, tonnes, cost_usd_per_t (NaN for the headroom).
    """
    row_of = pd.Series(np.arange(len(ds.emitters)), index=ds.emitters["emitter"])
    steps = ds.mac[["emitter", "period", "step", "cost_usd_per_t"]].copy()
    steps["tonnes"] = _tonnes(ds.mac["quantity_mt"]).to_numpy()
    in_steps = steps.groupby(["emitter", "period"])["tonnes"].sum()
    headroom = (base - in_steps.reindex(base.index, fill_value=0)).clip(lower=0)
    room = headroom.rename("tonnes").reset_index().assign(step=0, cost_usd_per_t=np.nan)
    parts = pd.concat([room, steps], ignore_index=True)
    parts["parent_row"] = parts["emitter"].map(row_of).to_numpy()
    parts = parts.sort_values(["parent_row", "period", "step"], ignore_index=True)
    return parts[["parent_row", "period", "step", "tonnes", "cost_usd_per_t"]]


def _split_components(
    plants: pd.DataFrame, parts: pd.DataFrame, growth: np.ndarray, periods: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split every component among its parent's plants by size × the plant's period growth.

    Returns the tonnes, the plant row and the component row of each (plant, component) pair.
    """
    counts = np.bincount(plants["parent_row"], minlength=int(plants["parent_row"].max()) + 1)
    first = np.cumsum(counts) - counts
    per_part = counts[parts["parent_row"].to_numpy()]
    comp = np.repeat(np.arange(len(parts)), per_part)
    plant = np.repeat(first[parts["parent_row"].to_numpy()], per_part) + _ragged_arange(per_part)
    period_col = pd.Index(periods).get_indexer(parts["period"].to_numpy())[comp]
    weights = plants["size"].to_numpy()[plant] * growth[plant, period_col]
    tonnes = apportion(parts["tonnes"].to_numpy(), comp, weights)
    return tonnes, plant, comp


def _plant_baseline(
    plants: pd.DataFrame,
    parts: pd.DataFrame,
    tonnes: np.ndarray,
    plant: np.ndarray,
    comp: np.ndarray,
) -> pd.DataFrame:
    """Baseline of each plant and period: its parts of the steps and of the headroom."""
    frame = pd.DataFrame(
        {"plant": plant, "period": parts["period"].to_numpy()[comp], "tonnes": tonnes}
    )
    summed = frame.groupby(["plant", "period"], as_index=False)["tonnes"].sum()
    summed.insert(0, "emitter", plants["emitter"].to_numpy(object)[summed["plant"]])
    return summed.drop(columns="plant")


def _plant_mac(
    plants: pd.DataFrame,
    parts: pd.DataFrame,
    tonnes: np.ndarray,
    plant: np.ndarray,
    comp: np.ndarray,
    factor: np.ndarray,
) -> pd.DataFrame:
    """MAC steps of each plant: the source step's cost × the plant's factor."""
    is_step = parts["step"].to_numpy()[comp] > 0
    plant, comp, tonnes = plant[is_step], comp[is_step], tonnes[is_step]
    cost = parts["cost_usd_per_t"].to_numpy()[comp] * factor[plant]
    frame = pd.DataFrame(
        {
            "plant": plant,
            "period": parts["period"].to_numpy()[comp],
            "step": parts["step"].to_numpy()[comp],
            "tonnes": tonnes,
            "cost_usd_per_t": np.round(cost, COST_DECIMALS),
        }
    ).sort_values(["plant", "period", "step"], ignore_index=True)
    frame.insert(0, "emitter", plants["emitter"].to_numpy(object)[frame["plant"]])
    return frame.drop(columns="plant")


# --- CCS units -----------------------------------------------------------------------------------


def ccs_tables(ds: Dataset, plants: Plants, n_units: int, rng: np.random.Generator) -> CcsTables:
    """Candidate CCS units at plants of the source's host emitters, drawn around its units.

    Units go to host emitters in proportion to their baselines and, within one, to plants
    drawn in proportion to their baselines. Each copies a random unit of its host emitter
    (or `DEFAULT_UNIT`) with CO2 × lognormal(σ `UNIT_SIZE_SIGMA`) — capacity and PM follow
    the CO2 — and each cost × lognormal(σ `UNIT_COST_SIGMA`); the units of a plant are scaled
    down where they would emit more than `CCS_MAX_SHARE` of the plant's lowest baseline.
    """
    empty = pd.DataFrame(columns=["project", "kind"])
    if n_units <= 0:
        return CcsTables(pd.DataFrame(columns=UNIT_COLUMNS), empty, pd.DataFrame())
    hosts, templates, created = _hosts(ds)
    if not hosts:
        raise InputError(
            ds.path,
            "no emitter to host CCS units: no ccs_units.csv and no power emitter in "
            f"{', '.join(DEFAULT_HOST_REGIONS)}; ask for 0 CCS units",
        )
    totals = _plant_totals(plants)
    parent_base = totals.groupby(plants.emitters["parent"].to_numpy()).sum()
    per_host = apportion(
        np.array([n_units]),
        np.zeros(len(hosts), dtype=np.int64),
        parent_base.reindex(list(hosts)).fillna(0).to_numpy(),
    )
    units = pd.concat(
        [
            _host_units(h, hosts[h], templates[h], plants, totals, int(n), rng)
            for h, n in zip(hosts, per_host, strict=True)
            if n > 0
        ],
        ignore_index=True,
    )
    units = _fit_to_plants(units, _plant_minimum(plants))
    units = _name_units(units)
    return CcsTables(units, *_created_projects(ds, created))


def _hosts(ds: Dataset) -> tuple[dict[str, str], dict[str, pd.DataFrame], dict[str, str]]:
    """Host emitter → its project, host emitter → template units, created project → region."""
    units = ds.ccs_units
    if len(units):
        project = units.groupby("emitter", sort=False)["project"].agg(lambda s: s.mode().iloc[0])
        templates = {e: group.reset_index(drop=True) for e, group in units.groupby("emitter")}
        return project.to_dict(), templates, {}
    first = ds.periods[1] if len(ds.periods) > 1 else ds.periods[0]
    template = pd.DataFrame([{**DEFAULT_UNIT, "first_period": first}])
    power = ds.emitters[
        (ds.emitters["sector"] == "power") & ds.emitters["region"].isin(DEFAULT_HOST_REGIONS)
    ]
    hosts = {e: f"ccs-{r.lower()}" for e, r in zip(power["emitter"], power["region"])}
    created = {f"ccs-{r.lower()}": r for r in power["region"]}
    existing = set(ds.projects.loc[ds.projects["kind"] == "ccs", "project"])
    created = {p: r for p, r in created.items() if p not in existing}
    return hosts, {e: template for e in hosts}, created


def _plant_totals(plants: Plants) -> pd.Series:
    """Baseline of each plant summed over the periods (t), in plant order."""
    total = plants.baseline.groupby("emitter")["tonnes"].sum()
    return total.reindex(plants.emitters["emitter"]).fillna(0).set_axis(plants.emitters.index)


def _plant_minimum(plants: Plants) -> pd.Series:
    """Lowest baseline of each plant over the periods (Mt), by plant name."""
    return plants.baseline.groupby("emitter")["tonnes"].min() / UNITS_PER_MT


def _host_units(
    host: str,
    project: str,
    templates: pd.DataFrame,
    plants: Plants,
    totals: pd.Series,
    n: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """`n` units at plants of one host emitter, each a perturbed copy of a template unit."""
    mine = (plants.emitters["parent"] == host).to_numpy()
    weights = totals[mine].to_numpy(float)
    p = weights / weights.sum() if weights.sum() > 0 else None
    names = plants.emitters.loc[mine, "emitter"].to_numpy(object)
    chosen = rng.choice(len(names), size=n, p=p)
    units = templates.iloc[rng.integers(len(templates), size=n)].reset_index(drop=True)
    size = rng.lognormal(0.0, UNIT_SIZE_SIGMA, size=n)
    units["project"] = project
    units["emitter"] = names[chosen]
    for column in ("co2_mt", "capacity_mw", "pm_t"):
        units[column] = units[column] * size
    for column in ("capex_usd_per_kw", "fixed_om_usd_per_kw_yr", "cost_usd_per_t_captured"):
        units[column] = units[column] * rng.lognormal(0.0, UNIT_COST_SIGMA, size=n)
    return units


def _fit_to_plants(units: pd.DataFrame, lowest_mt: pd.Series) -> pd.DataFrame:
    """Scale down (CO2, capacity, PM) the units of plants where they exceed the allowed share."""
    at_plant = units.groupby("emitter")["co2_mt"].transform("sum")
    room = CCS_MAX_SHARE * units["emitter"].map(lowest_mt)
    scale = np.minimum(1.0, room / at_plant.where(at_plant > 0, 1.0))
    units = units.copy()
    for column in ("co2_mt", "capacity_mw", "pm_t"):
        units[column] = units[column] * scale
    decimals = {
        "co2_mt": 6,
        "capacity_mw": 3,
        "pm_t": 3,
        "capex_usd_per_kw": 2,
        "fixed_om_usd_per_kw_yr": 2,
        "cost_usd_per_t_captured": 2,
    }
    return units.round(decimals)


def _name_units(units: pd.DataFrame) -> pd.DataFrame:
    """Name units `<plant>-ccs<n>`, sorted by plant."""
    units = units.sort_values("emitter", kind="stable", ignore_index=True)
    number = units.groupby("emitter").cumcount() + 1
    units["unit"] = units["emitter"] + "-ccs" + number.astype(str)
    return units[list(UNIT_COLUMNS)]


def _created_projects(ds: Dataset, created: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projects (and participants) made for units when the source has no CCS units."""
    projects = pd.DataFrame(
        [
            {"project": p, "kind": "ccs", "description": f"Synthetic CCS candidates in {r}"}
            for p, r in created.items()
        ],
        columns=["project", "kind", "description"],
    )
    rows = []
    for project, region in created.items():
        shares = {
            r: s
            for r, s in DEFAULT_PARTICIPANTS.get(region, {region: 1.0}).items()
            if r in ds.regions
        }
        total = sum(shares.values())
        rows += [
            {"project": project, "region": r, "investment_share": round(s / total, 6)}
            for r, s in shares.items()
        ]
    return projects, pd.DataFrame(rows, columns=["project", "region", "investment_share"])


# --- writing -----------------------------------------------------------------------------------


def _copy_unchanged(ds: Dataset, out: Path) -> None:
    """Copy dataset.yaml and the tables that keep their meaning at plant level, byte for byte."""
    shutil.copyfile(ds.path / META_FILE, out / META_FILE)
    for name in COPIED_TABLES:
        path = ds.file(name)
        if path.exists():
            shutil.copyfile(path, out / path.name)


def _mt(tonnes: pd.Series) -> pd.Series:
    return tonnes / UNITS_PER_MT


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")  # floats: shortest round-trip text


def _write_plants(plants: Plants, out: Path) -> None:
    emitters = plants.emitters[["emitter", "region", "sector", "market"]]
    _write(emitters.assign(source=SOURCE_ID), out / "emitters.csv")
    base = plants.baseline
    _write(
        pd.DataFrame(
            {
                "emitter": base["emitter"],
                "period": base["period"],
                "emissions_mt": _mt(base["tonnes"]),
                "source": SOURCE_ID,
            }
        ),
        out / "baseline.csv",
    )
    mac = plants.mac
    _write(
        pd.DataFrame(
            {
                "emitter": mac["emitter"],
                "period": mac["period"],
                "step": mac["step"],
                "quantity_mt": _mt(mac["tonnes"]),
                "cost_usd_per_t": mac["cost_usd_per_t"],
                "source": SOURCE_ID,
            }
        ),
        out / "mac.csv",
    )


def _read_raw(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write_projects(ds: Dataset, ccs: CcsTables, out: Path) -> None:
    """ccs_units.csv (generated); projects and participants: the source's plus any created."""
    for name, created in (("projects", ccs.projects), ("participants", ccs.participants)):
        path = ds.file(name)
        if created.empty:
            if path.exists():
                shutil.copyfile(path, out / path.name)
            continue
        added = created.assign(source=SOURCE_ID).astype(object)
        frame = pd.concat([_read_raw(path), added], ignore_index=True)
        _write(frame.fillna(""), out / path.name)
    if len(ccs.units):
        _write(ccs.units.assign(source=SOURCE_ID), out / "ccs_units.csv")


def _write_grids(ds: Dataset, plants: Plants, out: Path) -> None:
    """grids.csv with each grid's emitter replaced by the largest plant of that emitter."""
    raw = _read_raw(ds.file("grids"))
    if raw.empty:
        if ds.file("grids").exists():
            shutil.copyfile(ds.file("grids"), out / "grids.csv")
        return
    totals = _plant_totals(plants)
    largest = plants.emitters.loc[
        totals.groupby(plants.emitters["parent"].to_numpy()).idxmax()
    ].set_index("parent")["emitter"]
    raw["emitter"] = raw["emitter"].str.strip().map(largest)
    _write(raw, out / "grids.csv")


def _method_note(ds: Dataset, n_emitters: int, n_ccs_units: int, seed: int) -> dict[str, str]:
    return {
        "citation": (
            f"Synthetic plant-level split of data set {ds.meta.name} by "
            f"abatelink.inputs.plants.write_plant_dataset(n_emitters={n_emitters}, "
            f"n_ccs_units={n_ccs_units}, seed={seed})"
        ),
        "kind": "A",
        "note": (
            "emitters.csv, baseline.csv, mac.csv, ccs_units.csv. Each source emitter is split "
            "into plants (at least one; in proportion to its baseline summed over periods). "
            f"Plant sizes lognormal(0, {SIZE_SIGMA}) times a per-period lognormal(0, "
            f"{GROWTH_SIGMA}); per source emitter and period each MAC step and the headroom "
            "(baseline − Σ steps) are split by size in whole tonnes (largest remainders), so "
            "baselines and step quantities add up exactly to the source's and a plant's steps "
            "never exceed its baseline. Step costs = the source's × a per-plant factor "
            f"lognormal(0, {COST_SIGMA}) (median 1), {COST_DECIMALS} decimals. CCS units: at "
            "the source's host emitters (else power emitters of CN, KR) in proportion to "
            "baselines, at plants drawn by baseline; each copies a random source unit (else a "
            f"1,000 MW default) with CO2, capacity and PM × lognormal(0, {UNIT_SIZE_SIGMA}) and "
            f"each cost × lognormal(0, {UNIT_COST_SIGMA}); a plant's units are scaled down to "
            f"emit at most {CCS_MAX_SHARE} of its lowest baseline. grids.csv: each grid's "
            "emitter is the largest plant of the source's emitter. Other tables are copied."
        ),
    }


def _write_sources(ds: Dataset, out: Path, entry: dict[str, str]) -> None:
    """The source's sources.yaml (text kept) plus the `synthetic-plants` entry."""
    path = ds.path / SOURCES_FILE
    text = path.read_text() if path.exists() else ""
    if SOURCE_ID in ds.sources:
        sources = {k: v for k, v in ds.sources.items() if k != SOURCE_ID}
        text = yaml.safe_dump(sources, sort_keys=False, allow_unicode=True)
    block = yaml.safe_dump({SOURCE_ID: entry}, sort_keys=False, allow_unicode=True, width=100)
    separator = "\n" if text and not text.endswith("\n") else ""
    (out / SOURCES_FILE).write_text(text + separator + ("\n" if text else "") + block)
