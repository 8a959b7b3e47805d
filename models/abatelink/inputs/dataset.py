"""Load a data set folder into one validated, typed `Dataset`.

Files are read once here; model code never opens a file. Each table is typed by
`csvfile.read_table`; the checks below need several tables at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from abatelink.errors import InputError
from abatelink.inputs.csvfile import read_table_with_lines
from abatelink.inputs.schema import LARGEST, TABLES
from abatelink.inputs.yamlfile import parse, read_yaml

META_FILE = "dataset.yaml"
SOURCES_FILE = "sources.yaml"
QUANTITY_TOLERANCE_MT = 1e-6

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
    projects: pd.DataFrame
    participants: pd.DataFrame
    ccs_units: pd.DataFrame
    pm_transport: pd.DataFrame
    sites: pd.DataFrame
    corridors: pd.DataFrame
    grids: pd.DataFrame
    sources: dict[str, dict[str, str]]
    digest: str
    lines: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False, compare=False)
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


def load_dataset(path: str | Path) -> Dataset:
    """Read `dataset.yaml`, every table and `sources.yaml` from a folder and validate them."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(folder, "data set folder not found")
    meta = parse(DatasetMeta, read_yaml(folder / META_FILE), folder / META_FILE)
    read = {
        n: read_table_with_lines(folder / t.file_name, t, meta.periods) for n, t in TABLES.items()
    }
    tables = {name: frame for name, (frame, _) in read.items()}
    lines = {name: rows for name, (_, rows) in read.items()}
    sources = _read_sources(folder)
    dataset = Dataset(
        path=folder, meta=meta, sources=sources, digest=_digest(folder), lines=lines, **tables
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
    digest = hashlib.sha256()
    for file in sorted(folder.glob("*")):
        if file.suffix in (".csv", ".yaml", ".yml"):
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
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
    _check_projects(ds)
    _check_sources(ds)


def _rows(ds: Dataset, table: str, mask: pd.Series) -> Iterable[tuple[int, int | None]]:
    """(row, line in the table's file) of each row of `table` where `mask` holds."""
    lines = ds.lines.get(table, ())
    for row in mask.index[mask.to_numpy(dtype=bool)]:
        yield row, lines[row] if row < len(lines) else None


def check_values(ds: Dataset, tables: Iterable[str] = TABLES) -> None:
    """Numbers within their columns' bounds (scenario overrides change them after reading)."""
    for name in tables:
        table = TABLES[name]
        for column in table.columns:
            if column.kind not in ("float", "int"):
                continue
            values = ds.table(name)[column.name].to_numpy(dtype=float)
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
    region_of = ds.markets.set_index("market")["region"]
    covered = ds.emitters[ds.emitters["market"].notna()]
    wrong = covered["market"].map(region_of) != covered["region"]
    for i, line in _rows(ds, "emitters", wrong):
        row = ds.emitters.loc[i]
        raise InputError(
            ds.file("emitters"),
            f"market {row['market']} belongs to region {region_of[row['market']]}, "
            f"not to the emitter's region {row['region']} (markets.csv)",
            line=line,
            column="market",
        )


def _check_baseline_and_mac(ds: Dataset) -> None:
    _require_in(ds, "baseline", "emitter", ds.emitters["emitter"], "an emitter of emitters.csv")
    _require_complete(ds, "baseline", "emitter", ds.emitters["emitter"], "emitters.csv")
    keys = pd.MultiIndex.from_frame(ds.baseline[["emitter", "period"]])
    mac_keys = pd.MultiIndex.from_frame(ds.mac[["emitter", "period"]])
    unknown = ~mac_keys.isin(keys)
    for i, line in _rows(ds, "mac", pd.Series(unknown, index=ds.mac.index)):
        row = ds.mac.loc[i]
        raise InputError(
            ds.file("mac"),
            f"no baseline for emitter {row['emitter']} in {row['period']} (baseline.csv)",
            line=line,
        )
    _check_mac_within_baseline(ds)


def _check_mac_within_baseline(ds: Dataset) -> None:
    """The steps of each emitter and period add up to no more than its baseline."""
    total = ds.mac.groupby(["emitter", "period"])["quantity_mt"].sum()
    base = ds.baseline.set_index(["emitter", "period"])["emissions_mt"].reindex(total.index)
    over = total > base + QUANTITY_TOLERANCE_MT
    if over.any():
        emitter, period = over[over].index[0]
        raise InputError(
            ds.file("mac"),
            f"the steps of {emitter} in {period} add up to {total[(emitter, period)]:g} Mt, "
            f"more than its baseline of {base[(emitter, period)]:g} Mt (baseline.csv)",
            column="quantity_mt",
        )


def _require_complete(
    ds: Dataset, table: str, column: str, names: Iterable[str], listed_in: str
) -> None:
    """Every name (listed in the file `listed_in`) must have a row for every period."""
    frame = ds.table(table)
    have = set(zip(frame[column].tolist(), frame["period"].tolist(), strict=True))
    periods = ds.periods
    for name in names:
        for period in periods:
            if (name, period) not in have:
                raise InputError(
                    ds.file(table),
                    f"no row for {column} {name} in period {period} ({name} is in {listed_in})",
                )


def _check_caps(ds: Dataset) -> None:
    _require_in(ds, "caps", "market", ets_markets(ds), "an ets market of markets.csv")
    _require_complete(ds, "caps", "market", ets_markets(ds), "markets.csv (kind ets)")


def _check_links(ds: Dataset) -> None:
    _require_in(ds, "links", "from_market", ets_markets(ds), "an ets market of markets.csv")
    _require_in(ds, "links", "to_market", ds.markets["market"], "a market of markets.csv")
    loops = ds.links["from_market"] == ds.links["to_market"]
    for _, line in _rows(ds, "links", loops):
        raise InputError(ds.file("links"), "a link must join two different markets", line=line)


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
    for table in ("taxes", "ndc"):
        _require_in(ds, table, "region", ds.regions, _regions_words(ds))


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
    _check_participants(ds)


def _check_participants(ds: Dataset) -> None:
    """Each project has participants; each share column, where used, sums to 1 per project."""
    missing = set(ds.projects["project"]) - set(ds.participants["project"])
    if missing:
        raise InputError(
            ds.file("participants"), f"project {sorted(missing)[0]} has no participants"
        )
    for column in ("investment_share", "credit_share", "cost_share"):
        given = ds.participants.groupby("project")[column]
        partly = given.count().between(1, given.size().max() - 1) & (given.count() != given.size())
        if partly.any():
            raise InputError(
                ds.file("participants"),
                f"{column} is given for some participants of {partly.idxmax()} but "
                "not all; give it for every participant or none",
                column=column,
            )
        totals = given.sum(min_count=1).dropna()
        off = (totals - 1.0).abs() > 1e-6
        if off.any():
            raise InputError(
                ds.file("participants"),
                f"the {column} values of project {off.idxmax()} add up to "
                f"{totals[off.idxmax()]:g}; expected 1",
                column=column,
            )


def _check_sources(ds: Dataset) -> None:
    for name in TABLES:
        frame = ds.table(name)
        if "source" in frame.columns:
            allowed = set(ds.sources) | {None, ""}
            _require_in(ds, name, "source", allowed, f"a source id of {SOURCES_FILE}")
