"""Load a data set folder into one validated, typed `Dataset`.

Files are read once here; model code never opens a file. Each table is typed by
`csvfile.read_table`; the checks below need several tables at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from abatelink.errors import InputError
from abatelink.inputs.csvfile import read_table_with_lines, release_reading_memory
from abatelink.inputs.schema import LARGEST, NAME_WORDS, TABLES, ShareSum, plain_name
from abatelink.inputs.yamlfile import parse, read_yaml

META_FILE = "dataset.yaml"
SOURCES_FILE = "sources.yaml"
QUANTITY_TOLERANCE_MT = 1e-6
SHARE_TOLERANCE = 1e-6

Year = Annotated[int, Field(ge=1000, le=9999)]
YearsPerPeriod = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]


class DatasetMeta(BaseModel):
    """The contents of `dataset.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str = ""
    vintage: str = ""
    periods: tuple[Year, ...] = Field(min_length=1)
    discount_rate: float = Field(ge=0.0, lt=1.0, allow_inf_nan=False)
    currency_year: Year
    units: dict[str, str] = Field(default_factory=dict)
    regions: dict[str, str] = Field(min_length=1)
    period_years: dict[int, YearsPerPeriod] | None = None
    outside_regions: dict[str, str] = Field(default_factory=dict)
    """Sellers of international offsets outside the model (code: name): no emitters, markets,
    NDC or accounts; what they are paid is reported as the outside account."""

    @field_validator("regions", "outside_regions")
    @classmethod
    def _plain_codes(cls, regions: dict[str, str]) -> dict[str, str]:
        for code in regions:
            if not plain_name(code):
                raise ValueError(f"region {code!r}: expected {NAME_WORDS}")
        return regions

    @field_validator("vintage", mode="before")
    @classmethod
    def _vintage_as_text(cls, value: object) -> str:
        return str(value)

    @field_validator("periods")
    @classmethod
    def _increasing(cls, periods: tuple[int, ...]) -> tuple[int, ...]:
        if any(b <= a for a, b in itertools.pairwise(periods)):
            raise ValueError("periods must be strictly increasing years")
        return periods

    @field_validator("currency_year")
    @classmethod
    def _discountable(cls, year: int, info: ValidationInfo) -> int:
        """(1 + r)^-(t − currency year) must be a number for every period t."""
        rate = info.data.get("discount_rate")
        for t in info.data.get("periods", ()) if rate is not None else ():
            try:
                factor = (1.0 + rate) ** -(t - year)
            except OverflowError:
                factor = float("inf")
            if not 0.0 < factor < float("inf"):
                raise ValueError(
                    f"period {t} is too far from the currency year to discount at {rate:g}"
                )
        return year

    @field_validator("period_years")
    @classmethod
    def _every_period(
        cls, years: dict[int, float] | None, info: ValidationInfo
    ) -> dict[int, float] | None:
        periods = info.data.get("periods")
        if years is not None and periods is not None and set(years) != set(periods):
            raise ValueError(f"expected the years of each period {list(periods)}, and only those")
        return years

    @field_validator("outside_regions")
    @classmethod
    def _not_a_region(cls, outside: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        both = sorted(set(outside) & set(info.data.get("regions") or {}))
        if both:
            raise ValueError(f"{both[0]} is a region of the model; an outside region is not")
        return outside


@dataclass(frozen=True)
class Dataset:
    """A validated data set: metadata plus one typed DataFrame per table.

    Treat the frames as read-only; `with_tables` returns a changed copy.
    """

    path: Path
    meta: DatasetMeta
    markets: pd.DataFrame
    emitters: pd.DataFrame
    baseline: pd.DataFrame
    mac: pd.DataFrame
    caps: pd.DataFrame
    links: pd.DataFrame
    limits: pd.DataFrame
    price_controls: pd.DataFrame
    banking: pd.DataFrame
    taxes: pd.DataFrame
    ndc: pd.DataFrame
    gdp: pd.DataFrame
    offset_supply: pd.DataFrame
    projects: pd.DataFrame
    participants: pd.DataFrame
    ccs_units: pd.DataFrame
    pm_transport: pd.DataFrame
    sites: pd.DataFrame
    corridors: pd.DataFrame
    grids: pd.DataFrame
    sources: dict[str, dict[str, str]]
    digest: str
    lines: dict[str, Sequence[int]] = field(default_factory=dict, repr=False, compare=False)
    """The line of its file each row of a table is on, for error messages."""

    @property
    def periods(self) -> tuple[int, ...]:
        return self.meta.periods

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(self.meta.regions)

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def with_tables(self, **frames: pd.DataFrame) -> Dataset:
        """A copy with some tables replaced (used by scenario overrides)."""
        return dataclasses.replace(self, **frames)

    def file(self, table: str) -> Path:
        return self.path / TABLES[table].file_name


PROJECT_PARTS = ("participants", "ccs_units", "sites", "corridors")


def with_projects(ds: Dataset, kept: Collection[str]) -> Dataset:
    """The data set with only the projects `kept` and their parts (and the grids only if a
    supergrid is kept): a scenario that can open no other project is the same problem on it,
    and the parts it cannot build never enter the model."""
    if set(ds.projects["project"]) <= set(kept):
        return ds
    frames = {"projects": ds.projects[ds.projects["project"].isin(kept)]}
    for name in PROJECT_PARTS:
        table = getattr(ds, name)
        frames[name] = table[table["project"].isin(kept)]
    if not (frames["projects"]["kind"] == "supergrid").any():
        frames["grids"] = ds.grids.iloc[0:0]
    return ds.with_tables(**{k: v.reset_index(drop=True) for k, v in frames.items()})


def load_dataset(path: str | Path) -> Dataset:
    """Read `dataset.yaml`, every table and `sources.yaml` from a folder and validate them."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(folder, "data set folder not found")
    meta = parse(DatasetMeta, read_yaml(folder / META_FILE), folder / META_FILE)
    with ThreadPoolExecutor(max_workers=2) as aside:  # hashing and YAML beside the tables
        digest, sources = aside.submit(_digest, folder), aside.submit(_read_sources, folder)
        read = {
            n: read_table_with_lines(folder / t.file_name, t, meta.periods)
            for n, t in TABLES.items()
        }
        release_reading_memory()
        tables = {name: frame for name, (frame, _) in read.items()}
        lines = {name: rows for name, (_, rows) in read.items()}
        dataset = Dataset(
            path=folder,
            meta=meta,
            sources=sources.result(),
            digest=digest.result(),
            lines=lines,
            **tables,
        )
    check_dataset(dataset)
    return dataset


def _read_sources(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / SOURCES_FILE
    if not path.exists():
        return {}
    sources = read_yaml(path)
    for key, entry in sources.items():
        if not isinstance(entry, dict) or "citation" not in entry:
            raise InputError(path, "each source needs a mapping with a 'citation'", key=str(key))
    return {str(k): v for k, v in sources.items()}


def _digest(folder: Path) -> str:
    """SHA-256 over the data set's files (names and bytes), for provenance."""
    digest, block = hashlib.sha256(), bytearray(1 << 20)
    for file in sorted(folder.glob("*")):
        if file.suffix in (".csv", ".yaml", ".yml"):
            digest.update(file.name.encode())
            with file.open("rb") as stream:
                while size := stream.readinto(block):
                    digest.update(memoryview(block)[:size])
    return digest.hexdigest()


def check_dataset(ds: Dataset) -> None:
    """Checks across tables; raise `InputError` at the first problem."""
    check_values(ds)
    _check_markets(ds)
    _check_emitters(ds)
    _check_baseline_and_mac(ds)
    _check_caps(ds)
    _check_links(ds)
    _check_market_tables(ds)
    _check_region_tables(ds)
    _check_offset_supply(ds)
    _check_projects(ds)
    _check_share_sums(ds)
    _check_sources(ds)


def _rows(ds: Dataset, table: str, mask: pd.Series) -> Iterable[tuple[int, int | None]]:
    """(row, line in the table's file) of each row of `table` where `mask` holds."""
    lines = ds.lines.get(table, ())
    for row in mask.index[mask.to_numpy(dtype=bool)]:
        yield row, lines[row] if row < len(lines) else None


def check_tables(ds: Dataset, tables: Iterable[str]) -> None:
    """The checks an override of these tables needs when the whole data set need not be checked
    again: numbers within their columns' bounds, and each NDC row in one form with its GDP."""
    tables = list(tables)
    check_values(ds, tables)
    if {"ndc", "gdp"} & set(tables):
        _check_ndc_forms(ds)


def check_values(ds: Dataset, tables: Iterable[str] = TABLES) -> None:
    """Numbers within their columns' bounds (scenario overrides change them after reading)."""
    for name in tables:
        table, frame = TABLES[name], ds.table(name)
        for column in table.columns if len(frame) else ():
            if column.kind not in ("float", "int"):
                continue
            values = frame[column.name].to_numpy(dtype=float)
            low = -LARGEST if column.minimum is None else column.minimum
            high = LARGEST if column.maximum is None else column.maximum
            bad = ~((values >= low) & (values <= high))
            if column.nullable:
                bad &= ~np.isnan(values)
            for row, line in _rows(ds, name, pd.Series(bad)) if bad.any() else ():
                raise InputError(
                    ds.file(name),
                    f"expected {column.expectation(high)} in column '{column.name}' of "
                    f"{table.file_name}, found {values[row]!r}",
                    line=line,
                    column=column.name,
                )


def _require_in(
    ds: Dataset, table: str, column: str, allowed: Iterable[object], expected: str
) -> None:
    frame = ds.table(table)
    if not len(frame):
        return
    outside = ~frame[column].isin(set(allowed))
    bad = frame[column].notna() & outside if outside.any() else outside
    for row, line in _rows(ds, table, bad):
        found = frame.at[row, column]
        raise InputError(
            ds.file(table), f"expected {expected}, found {found!r}", line=line, column=column
        )


def ets_markets(ds: Dataset) -> list[str]:
    return ds.markets.loc[ds.markets["kind"] == "ets", "market"].tolist()


def _check_markets(ds: Dataset) -> None:
    _require_in(ds, "markets", "region", ds.regions, _regions_words(ds))
    _one_market_per_region(ds, ds.markets["kind"] == "tax", "has a second tax market; at most one")


def _one_market_per_region(
    ds: Dataset, chosen: pd.Series, problem: str, column: str | None = None
) -> None:
    """At most one market of each region among the `chosen` rows of markets.csv."""
    markets = ds.markets[chosen]
    for row, line in _rows(ds, "markets", markets["region"].duplicated()):
        region = ds.markets.at[row, "region"]
        raise InputError(
            ds.file("markets"),
            f"region {region} {problem}" + _first_line(ds, "markets", markets["region"] == region),
            line=line,
            column=column,
        )


def _first_line(ds: Dataset, table: str, mask: pd.Series) -> str:
    """' (the first is on line N)' for the first row where `mask` holds, if its line is known."""
    line = next(_rows(ds, table, mask))[1]
    return "" if line is None else f" (the first is on line {line})"


def _regions_words(ds: Dataset) -> str:
    return f"a region listed in {ds.path / META_FILE} ({', '.join(ds.regions)})"


def _check_emitters(ds: Dataset) -> None:
    _require_in(ds, "emitters", "region", ds.regions, _regions_words(ds))
    _require_in(ds, "emitters", "market", ets_markets(ds), "an ets market of markets.csv, or empty")
    _same_region(ds, "emitters", "market", "markets", "emitter")


def _same_region(ds: Dataset, table: str, column: str, listed_in: str, owner: str) -> None:
    """What `column` names (a row of `listed_in` with its region) is of the row's own region."""
    frame = ds.table(table)
    if not len(frame):
        return
    region_of = ds.table(listed_in).set_index(TABLES[listed_in].key[0])["region"]
    named = frame[frame[column].notna()]
    wrong = named[column].map(region_of) != named["region"]
    for row, line in _rows(ds, table, wrong):
        name, region = frame.at[row, column], frame.at[row, "region"]
        raise InputError(
            ds.file(table),
            f"{column} {name} belongs to region {region_of[name]}, not to the {owner}'s region "
            f"{region} ({TABLES[listed_in].file_name})",
            line=line,
            column=column,
        )


def _check_baseline_and_mac(ds: Dataset) -> None:
    _require_in(ds, "baseline", "emitter", ds.emitters["emitter"], "an emitter of emitters.csv")
    _require_complete(ds, "baseline", "emitter", ds.emitters["emitter"], "emitters.csv")
    baseline_rows = _baseline_rows(ds)
    for i, line in _rows(ds, "mac", pd.Series(baseline_rows < 0, index=ds.mac.index)):
        row = ds.mac.loc[i]
        raise InputError(
            ds.file("mac"),
            f"no baseline for emitter {row['emitter']} in {row['period']} (baseline.csv)",
            line=line,
            column="emitter",
        )
    _check_mac_within_baseline(ds, baseline_rows)


def _baseline_rows(ds: Dataset) -> np.ndarray:
    """The position in baseline.csv of each mac.csv row's emitter and period (−1 if none)."""
    emitter_at, emitters = pd.factorize(ds.baseline["emitter"])
    period_at, periods = pd.factorize(ds.baseline["period"])
    known = (emitter_at >= 0) & (period_at >= 0)
    position = np.full((len(emitters), len(periods)), -1)
    position[emitter_at[known], period_at[known]] = np.flatnonzero(known)
    emitter = _positions(emitters, ds.mac["emitter"])
    period = periods.get_indexer(ds.mac["period"])
    found = (emitter >= 0) & (period >= 0)
    if found.all():
        return position[emitter, period]
    rows = np.full(len(ds.mac), -1)
    rows[found] = position[emitter[found], period[found]]
    return rows


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """The position in `index` of each value (−1 if none), each run of equal neighbours
    looked up once (a table's rows come in runs, as a plant's MAC steps)."""
    array = values.to_numpy()
    new = np.ones(len(array), dtype=bool)
    np.not_equal(array[1:], array[:-1], out=new[1:])
    firsts = values.iloc[np.flatnonzero(new)]
    return index.get_indexer(firsts)[np.cumsum(new) - 1]


def _check_mac_within_baseline(ds: Dataset, baseline_rows: np.ndarray) -> None:
    """The steps of each emitter and period add up to no more than its baseline.

    `baseline_rows`: the row of baseline.csv of each step (`_baseline_rows`).
    """
    total = ds.mac["quantity_mt"].groupby(baseline_rows, sort=False).sum()
    base = ds.baseline["emissions_mt"].to_numpy()
    rows = total.index.to_numpy()
    over = rows[total.to_numpy() > base[rows] + QUANTITY_TOLERANCE_MT]
    if len(over):
        keys = ds.baseline[["emitter", "period"]].to_numpy()[over]
        row, (emitter, period) = min(zip(over, keys), key=lambda pair: tuple(pair[1]))
        raise InputError(
            ds.file("mac"),
            f"the steps of {emitter} in {period} add up to {total[row]:g} Mt, "
            f"more than its baseline of {base[row]:g} Mt (baseline.csv)",
            column="quantity_mt",
        )


def _require_complete(
    ds: Dataset, table: str, column: str, names: Iterable[str], listed_in: str
) -> None:
    """Every name (listed in the file `listed_in`) must have a row for every period."""
    frame = ds.table(table)
    wanted = pd.Index(list(dict.fromkeys(names)), dtype=object)
    periods = pd.Index(ds.periods)
    name_at = wanted.get_indexer(frame[column])
    period_at = periods.get_indexer(frame["period"])
    given = (name_at >= 0) & (period_at >= 0)
    have = np.zeros((len(wanted), len(periods)), dtype=bool)
    have[name_at[given], period_at[given]] = True
    if not have.all():
        name, period = np.unravel_index(int(np.argmin(have)), have.shape)
        raise InputError(
            ds.file(table),
            f"no row for {column} {wanted[name]} in period {periods[period]} "
            f"({wanted[name]} is in {listed_in})",
        )


def _check_caps(ds: Dataset) -> None:
    _require_in(ds, "caps", "market", ets_markets(ds), "an ets market of markets.csv")
    _require_complete(ds, "caps", "market", ets_markets(ds), "markets.csv (kind ets)")


def _check_links(ds: Dataset) -> None:
    _require_in(ds, "links", "from_market", ets_markets(ds), "an ets market of markets.csv")
    _require_in(ds, "links", "to_market", ds.markets["market"], "a market of markets.csv")
    loops = ds.links["from_market"] == ds.links["to_market"]
    for _, line in _rows(ds, "links", loops):
        raise InputError(
            ds.file("links"),
            "a link must join two different markets",
            line=line,
            column="to_market",
        )
    for _, line in _rows(ds, "links", ~(ds.links["exchange_rate"] > 0)):
        raise InputError(
            ds.file("links"),
            "expected an exchange rate > 0 (allowances of to_market per allowance of from_market)",
            line=line,
            column="exchange_rate",
        )
    _check_exchange_cycles(ds)


def _check_exchange_cycles(ds: Dataset) -> None:
    """No cycle of links in a period may multiply its exchange rates to more than 1: trading
    round it would create allowances from nothing.

    Per period, the best product of rates from market i to j over paths of links (Floyd–
    Warshall on log k, with the first link of each best path); a cycle gains if some market
    reaches itself with a product > 1. The error names every link of the cycle.
    """
    links = ds.links
    for period, group in links.groupby("period", sort=True):
        markets = sorted(set(group["from_market"]) | set(group["to_market"]))
        at = {m: i for i, m in enumerate(markets)}
        n = len(markets)
        best = np.full((n, n), -np.inf)
        first = np.full((n, n), -1, dtype=int)  # the row of links.csv of the first link
        for row, a, b, k in zip(
            group.index, group["from_market"], group["to_market"], group["exchange_rate"]
        ):
            best[at[a], at[b]], first[at[a], at[b]] = np.log(k), row
        for via in range(n):
            through = best[:, [via]] + best[[via], :]
            better = through > best + 1e-12
            best = np.where(better, through, best)
            first = np.where(better, first[:, [via]], first)
        gains = np.flatnonzero(np.diag(best) > 1e-9)
        if len(gains):
            _gaining_cycle(
                ds, markets, first, int(gains[0]), float(np.exp(best[gains[0], gains[0]])), period
            )


def _gaining_cycle(
    ds: Dataset, markets: list[str], first: np.ndarray, start: int, product: float, period: int
) -> None:
    """Raise the error for the cycle from markets[start] back to it (its links in order)."""
    lines = ds.lines.get("links", ())
    at = {m: i for i, m in enumerate(markets)}
    steps, here = [], start
    for _ in markets:
        row = int(first[here, start])
        link = ds.links.loc[row]
        line = lines[row] if row < len(lines) else None
        steps.append(
            (line, f"{link['from_market']} → {link['to_market']} at {link['exchange_rate']:g}")
        )
        here = at[link["to_market"]]
        if here == start:
            break
    named = "; ".join(f"line {line}: {text}" if line else text for line, text in steps)
    raise InputError(
        ds.file("links"),
        f"the links {named} form a cycle in {period} whose exchange rates multiply to "
        f"{product:.6g} > 1: trading round it would create allowances from nothing (expected "
        "a product ≤ 1, e.g. k one way and 1/k the other)",
        line=steps[0][0],
        column="exchange_rate",
    )


def _check_market_tables(ds: Dataset) -> None:
    _require_in(ds, "limits", "market", ds.markets["market"], "a market of markets.csv")
    for table in ("price_controls", "banking"):
        _require_in(ds, table, "market", ets_markets(ds), "an ets market of markets.csv")
    pc = ds.price_controls
    inverted = pc["floor_usd_per_t"] > pc["ceiling_usd_per_t"]
    for _, line in _rows(ds, "price_controls", inverted):
        raise InputError(
            ds.file("price_controls"),
            "the floor is above the ceiling; expected floor_usd_per_t ≤ ceiling_usd_per_t",
            line=line,
            column="floor_usd_per_t",
        )


def _check_region_tables(ds: Dataset) -> None:
    for table in ("taxes", "ndc", "gdp"):
        _require_in(ds, table, "region", ds.regions, _regions_words(ds))
    _check_ndc_forms(ds)


INTENSITY_COLUMNS = ("intensity_reduction_vs_base", "base_intensity_t_per_kusd")


def _check_ndc_forms(ds: Dataset) -> None:
    """Each NDC row is either a target in Mt or an intensity target with the GDP it needs."""
    ndc = ds.ndc
    given = ndc["target_mt"].notna()
    intensity = ndc[list(INTENSITY_COLUMNS)].notna()
    form = "the intensity form (intensity_reduction_vs_base and base_intensity_t_per_kusd)"
    problems = (
        (given & intensity.any(axis=1), f"give either target_mt or {form}, not both"),
        (~given & ~intensity.any(axis=1), f"expected target_mt (Mt/yr) or {form}"),
    )
    for mask, problem in problems:
        for _, line in _rows(ds, "ndc", mask):
            raise InputError(ds.file("ndc"), problem, line=line, column="target_mt")
    for column, other in (INTENSITY_COLUMNS, INTENSITY_COLUMNS[::-1]):
        for _, line in _rows(ds, "ndc", intensity[other] & ~intensity[column]):
            problem = f"an intensity target needs {column} as well as {other}"
            raise InputError(ds.file("ndc"), problem, line=line, column=column)
    keys = pd.MultiIndex.from_frame(ndc[["region", "period"]])
    have = pd.MultiIndex.from_frame(ds.gdp[["region", "period"]])
    missing = intensity.all(axis=1) & ~pd.Series(keys.isin(have), index=ndc.index)
    for row, line in _rows(ds, "ndc", missing):
        raise InputError(
            ds.file("ndc"),
            f"an intensity target needs the GDP of {ndc.at[row, 'region']} in "
            f"{ndc.at[row, 'period']}: no such row in {TABLES['gdp'].file_name}",
            line=line,
            column="base_intensity_t_per_kusd",
        )
    targets = ndc_targets(ds)
    for row, line in _rows(ds, "ndc", ~(targets <= LARGEST)):
        raise InputError(
            ds.file("ndc"),
            f"the target (1 − intensity_reduction_vs_base)·base_intensity_t_per_kusd·gdp_busd "
            f"is {targets[row]:g} Mt/yr; expected at most {LARGEST:g} (check the units)",
            line=line,
            column="base_intensity_t_per_kusd",
        )


def ndc_targets(ds: Dataset) -> pd.Series:
    """Each ndc.csv row's target (Mt/yr), in ds.ndc's index: target_mt where given, else the
    intensity form made absolute with the region's GDP of that period,

        target[r,t] = (1 − cut[r,t]) · I_base[r,t] · GDP[r,t],

    cut = intensity_reduction_vs_base, I_base = base_intensity_t_per_kusd (t per thousand
    US$, = Mt per US$ bn), GDP = gdp_busd (US$ bn/yr) of gdp.csv. The one place an intensity
    target becomes Mt: the model sees only targets.
    """
    ndc = ds.ndc
    gdp = ds.gdp.set_index(["region", "period"])["gdp_busd"]
    keys = pd.MultiIndex.from_frame(ndc[["region", "period"]])
    economy = gdp.reindex(keys).to_numpy(dtype=float) if len(ndc) else np.empty(0)
    cut = ndc["intensity_reduction_vs_base"].to_numpy(dtype=float)
    base = ndc["base_intensity_t_per_kusd"].to_numpy(dtype=float)
    from_intensity = (1.0 - cut) * base * economy
    return pd.Series(ndc["target_mt"].fillna(pd.Series(from_intensity, index=ndc.index)))


def _check_offset_supply(ds: Dataset) -> None:
    """International offsets: a seller region of the model or outside it, a buyer market of
    another region."""
    outside = tuple(ds.meta.outside_regions)
    sellers = f"{_regions_words(ds)} or one of its outside_regions ({', '.join(outside) or 'none'})"
    _require_in(ds, "offset_supply", "seller_region", (*ds.regions, *outside), sellers)
    _require_in(
        ds, "offset_supply", "buyer_market", ds.markets["market"], "a market of markets.csv"
    )
    supply = ds.offset_supply
    region_of = ds.markets.set_index("market")["region"]
    home = supply["buyer_market"].map(region_of) == supply["seller_region"]
    for row, line in _rows(ds, "offset_supply", home):
        raise InputError(
            ds.file("offset_supply"),
            f"the seller {supply.at[row, 'seller_region']} is the region of the buyer market "
            f"{supply.at[row, 'buyer_market']}; an international offset crosses a border "
            "(domestic offsets: max_offset_share of limits.csv)",
            line=line,
            column="seller_region",
        )


def _check_projects(ds: Dataset) -> None:
    """Projects, their participants and shares, units, sites, corridors and grids."""
    _one_market_per_region(
        ds,
        ds.markets["project_credits"],
        "may mark one market for project credits",
        column="project_credits",
    )
    projects = ds.projects["project"]
    of_kind = {
        k: ds.projects.loc[ds.projects["kind"] == k, "project"] for k in ("ccs", "supergrid")
    }
    _require_in(ds, "participants", "project", projects, "a project of projects.csv")
    _require_in(ds, "participants", "region", ds.regions, _regions_words(ds))
    _require_in(ds, "ccs_units", "project", of_kind["ccs"], "a ccs project of projects.csv")
    _require_in(ds, "ccs_units", "emitter", ds.emitters["emitter"], "an emitter of emitters.csv")
    for column in ("source_region", "receptor_region"):
        _require_in(ds, "pm_transport", column, ds.regions, _regions_words(ds))
    _require_in(ds, "sites", "project", of_kind["supergrid"], "a supergrid project of projects.csv")
    _require_in(
        ds, "corridors", "project", of_kind["supergrid"], "a supergrid project of projects.csv"
    )
    for table, column in (
        ("sites", "region"),
        ("corridors", "from_region"),
        ("corridors", "to_region"),
        ("grids", "region"),
    ):
        _require_in(ds, table, column, ds.regions, _regions_words(ds))
    _require_in(ds, "grids", "emitter", ds.emitters["emitter"], "an emitter of emitters.csv")
    _same_region(ds, "grids", "emitter", "emitters", "grid")
    for _, line in _rows(ds, "corridors", ds.corridors["from_region"] == ds.corridors["to_region"]):
        problem = "a corridor must join two different regions"
        raise InputError(ds.file("corridors"), problem, line=line, column="to_region")
    _check_crossings(ds)
    _check_participants(ds)
    _check_distinct_builds(ds)


BUILDS = (("ccs_units", "unit"), ("sites", "site"), ("corridors", "corridor"))


def _check_distinct_builds(ds: Dataset) -> None:
    """Units, sites and corridors have different names: a study's `builds` output labels each
    by its name alone."""
    first: dict[str, str] = {}
    for table, column in BUILDS:
        names = ds.table(table)[column]
        for row, line in _rows(ds, table, names.notna()):
            name = names[row]
            if name in first:
                raise InputError(
                    ds.file(table),
                    f"{name!r} already names a {first[name]}; units, sites and corridors need "
                    "different names (the builds of a study name each by its name alone)",
                    line=line,
                    column=column,
                )
            first[name] = f"{column} ({TABLES[table].file_name})"


def _check_crossings(ds: Dataset) -> None:
    """A corridor's `crosses` names regions of the data set, joined by '+'."""
    if "crosses" not in ds.corridors or not len(ds.corridors):
        return
    crossed = ds.corridors["crosses"].map(crossed_regions)
    bad = crossed.map(lambda regions: any(r not in ds.regions for r in regions))
    for row, line in _rows(ds, "corridors", bad):
        raise InputError(
            ds.file("corridors"),
            f"expected regions of the data set joined by '+' ({_regions_words(ds)}), "
            f"found {ds.corridors.at[row, 'crosses']!r}",
            line=line,
            column="crosses",
        )


def crossed_regions(text: object) -> tuple[str, ...]:
    """The regions a corridor crosses: its `crosses` cell split at '+' (none if empty)."""
    if not isinstance(text, str):
        return ()
    return tuple(part.strip() for part in text.split("+") if part.strip())


def _check_participants(ds: Dataset) -> None:
    """Each project has participants; each share column is given for all of them or none (and
    then sums to 1: `_check_share_sums`)."""
    missing = set(ds.projects["project"]) - set(ds.participants["project"])
    if missing:
        raise InputError(
            ds.file("participants"), f"project {sorted(missing)[0]} has no participants"
        )
    for share in TABLES["participants"].share_sums if len(ds.participants) else ():
        given = ds.participants.groupby("project")[share.column]
        partly = given.count().between(1, given.size().max() - 1) & (given.count() != given.size())
        if partly.any():
            raise InputError(
                ds.file("participants"),
                f"{share.column} is given for some participants of {partly.idxmax()} but "
                "not all; give it for every participant or none",
                column=share.column,
            )


def _check_share_sums(ds: Dataset) -> None:
    """The shares each table declares (`Table.share_sums`) add up to at most 1 per key, or to
    exactly 1 where they must; the error names the key and each of its rows."""
    for name, table in TABLES.items():
        for share in table.share_sums if len(ds.table(name)) else ():
            shares = ds.table(name).groupby(list(share.per), sort=False)[share.column]
            totals = shares.transform("sum").where(shares.transform("count") > 0)
            off = (totals - 1.0).abs() if share.exactly else totals - 1.0
            for row, line in _rows(ds, name, off > SHARE_TOLERANCE):
                _shares_off(ds, name, share, row, line, float(totals[row]))


def _shares_off(
    ds: Dataset, table: str, share: ShareSum, row: int, line: int | None, total: float
) -> None:
    """Raise the error for the key of `row` (on `line`), whose shares add up to `total`."""
    frame = ds.table(table)
    key = frame.loc[row, list(share.per)]
    same = (frame[list(share.per)] == key).all(axis=1) & frame[share.column].notna()
    parts = [
        f"{f'line {at}: ' if at else ''}{frame.at[i, share.column]:g}"
        for i, at in _rows(ds, table, same)
    ]
    named = ", ".join(f"{k} {v}" for k, v in key.items())
    raise InputError(
        ds.file(table),
        f"the {share.column} values of {named} add up to {total:g} ({'; '.join(parts)}); "
        f"expected {'1' if share.exactly else 'at most 1'}",
        line=line,
        column=share.column,
    )


def _check_sources(ds: Dataset) -> None:
    for name in TABLES:
        frame = ds.table(name)
        if "source" in frame.columns:
            allowed = set(ds.sources) | {None, ""}
            _require_in(ds, name, "source", allowed, f"a source id of {SOURCES_FILE}")
