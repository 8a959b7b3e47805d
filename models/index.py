"""Index sets and membership maps of a model, computed once from the data with pandas.

Every sparse set a Pyomo rule iterates over is built here by a group-by, so no rule filters.
Keys are tuples: steps (emitter, period, step), links (from_market, to_market, period),
market periods (market, period), region periods (region, period).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass

import pandas as pd

from abatelink.dataset import Dataset
from abatelink.errors import InputError
from abatelink.project_index import ProjectIndex, build_project_index

StepKey = tuple[str, int, int]
LinkKey = tuple[str, str, int]
MarketPeriod = tuple[str, int]
RegionPeriod = tuple[str, int]


@dataclass(frozen=True)
class ModelIndex:
    """The structure of one model: sets, memberships, period weights and discount factors."""

    periods: tuple[int, ...]
    period_years: dict[int, float]
    discount_factor: dict[int, float]
    regions: tuple[str, ...]
    ets_markets: tuple[str, ...]
    tax_markets: tuple[str, ...]
    region_of_market: dict[str, str]
    tax_market_of_region: dict[str, str]
    steps: pd.DataFrame
    emitter_periods: list[tuple[str, int]]
    links: list[LinkKey]
    cross_border: dict[LinkKey, bool]
    groups: dict[str, dict[Hashable, list]]
    projects: ProjectIndex
    markets_of_region: dict[str, list[str]]

    @property
    def markets(self) -> tuple[str, ...]:
        return self.ets_markets + self.tax_markets

    def market_periods(self, markets: tuple[str, ...] | None = None) -> list[MarketPeriod]:
        chosen = self.markets if markets is None else markets
        return [(mk, t) for mk in chosen for t in self.periods]

    def region_periods(self) -> list[RegionPeriod]:
        return [(r, t) for r in self.regions for t in self.periods]

    def members(self, group: str, key: Hashable) -> list:
        """Members of a named group (e.g. the steps of market-period key), empty if none."""
        return self.groups[group].get(key, [])

    def weight(self, period: int) -> float:
        """Objective weight of a period: years it stands for times the discount factor."""
        return self.period_years[period] * self.discount_factor[period]


def build_index(ds: Dataset, periods: tuple[int, ...] | None = None) -> ModelIndex:
    """Index sets of the model of `ds` over `periods` (default: all of the data set's)."""
    periods = tuple(periods or ds.periods)
    markets = ds.markets
    region_of_market = dict(zip(markets["market"], markets["region"], strict=True))
    steps = _steps(ds, periods)
    links = ds.links[ds.links["period"].isin(periods)]
    link_keys = list(zip(links["from_market"], links["to_market"], links["period"], strict=True))
    return ModelIndex(
        periods=periods,
        period_years=_period_years(ds, periods),
        discount_factor=_discount_factors(ds, periods),
        regions=ds.regions,
        ets_markets=tuple(markets.loc[markets["kind"] == "ets", "market"]),
        tax_markets=tuple(markets.loc[markets["kind"] == "tax", "market"]),
        region_of_market=region_of_market,
        tax_market_of_region={
            r: mk
            for mk, r, k in markets[["market", "region", "kind"]].itertuples(index=False)
            if k == "tax"
        },
        steps=steps,
        emitter_periods=_emitter_periods(ds, periods),
        links=link_keys,
        cross_border={
            key: region_of_market[key[0]] != region_of_market[key[1]] for key in link_keys
        },
        groups=_groups(ds, steps, link_keys, region_of_market, periods),
        projects=build_project_index(ds, periods),
        markets_of_region=markets.groupby("region")["market"].apply(list).to_dict(),
    )


def _period_years(ds: Dataset, periods: tuple[int, ...]) -> dict[int, float]:
    """Years each period stands for: the data set's `period_years`, else the gap to the next."""
    if ds.meta.period_years is not None:
        missing = [t for t in periods if t not in ds.meta.period_years]
        if missing:
            raise InputError(
                ds.path / "dataset.yaml", f"no years for period {missing[0]}", key="period_years"
            )
        return {t: float(ds.meta.period_years[t]) for t in periods}
    if len(periods) == 1:
        return {periods[0]: 1.0}
    gaps = [b - a for a, b in itertools.pairwise(periods)]
    return {t: float(g) for t, g in zip(periods, [*gaps, gaps[-1]], strict=True)}


def _discount_factors(ds: Dataset, periods: tuple[int, ...]) -> dict[int, float]:
    """δ_t = (1 + r)^-(t − currency year): present value in the data set's currency year."""
    r = ds.meta.discount_rate
    return {t: (1.0 + r) ** -(t - ds.meta.currency_year) for t in periods}


def _emitter_periods(ds: Dataset, periods: tuple[int, ...]) -> list[tuple[str, int]]:
    base = ds.baseline[ds.baseline["period"].isin(periods)]
    return list(zip(base["emitter"], base["period"], strict=True))


def _steps(ds: Dataset, periods: tuple[int, ...]) -> pd.DataFrame:
    """MAC steps with the emitter's region and market (None = outside any ETS)."""
    steps = ds.mac[ds.mac["period"].isin(periods)]
    emitters = ds.emitters.set_index("emitter")
    steps = steps.assign(
        region=steps["emitter"].map(emitters["region"]),
        market=steps["emitter"].map(emitters["market"]),
    )
    steps = steps.sort_values(["emitter", "period", "step"]).reset_index(drop=True)
    steps["key"] = list(zip(steps["emitter"], steps["period"], steps["step"], strict=True))
    return steps


def _grouped(frame: pd.DataFrame, by: list[str], value: str) -> dict[Hashable, list]:
    if frame.empty:
        return {}
    groups = frame.groupby(by if len(by) > 1 else by[0], sort=False)[value]
    return {k: list(v) for k, v in groups}


def _groups(
    ds: Dataset,
    steps: pd.DataFrame,
    links: list[LinkKey],
    region_of_market: dict[str, str],
    periods: tuple[int, ...],
) -> dict[str, dict[Hashable, list]]:
    """Membership maps, each a group-by: key → list of members."""
    emitters = ds.emitters.assign(covered=ds.emitters["market"].notna())
    base = ds.baseline[ds.baseline["period"].isin(periods)].merge(emitters, on="emitter")
    base["key"] = list(zip(base["emitter"], base["period"], strict=True))
    covered_steps = steps[steps["market"].notna()]
    uncovered_steps = steps[steps["market"].isna()]
    link_frame = pd.DataFrame(links, columns=["from_market", "to_market", "period"])
    link_frame["key"] = links
    link_frame["from_region"] = link_frame["from_market"].map(region_of_market)
    link_frame["to_region"] = link_frame["to_market"].map(region_of_market)
    abroad = link_frame[link_frame["from_region"] != link_frame["to_region"]]
    return {
        "steps_of_period": _grouped(steps, ["period"], "key"),
        "steps_of_market": _grouped(covered_steps, ["market", "period"], "key"),
        "steps_of_region": _grouped(steps, ["region", "period"], "key"),
        "steps_of_emitter": _grouped(steps, ["emitter", "period"], "key"),
        "uncovered_steps_of_region": _grouped(uncovered_steps, ["region", "period"], "key"),
        "baseline_of_market": _grouped(base[base["covered"]], ["market", "period"], "key"),
        "baseline_of_region": _grouped(base, ["region", "period"], "key"),
        "uncovered_baseline_of_region": _grouped(
            base[~base["covered"]], ["region", "period"], "key"
        ),
        "links_into": _grouped(link_frame, ["to_market", "period"], "key"),
        "links_out_of": _grouped(link_frame, ["from_market", "period"], "key"),
        "links_of_period": _grouped(link_frame, ["period"], "key"),
        "exports_abroad_of_region": _grouped(abroad, ["from_region", "period"], "key"),
        "imports_abroad_of_region": _grouped(abroad, ["to_region", "period"], "key"),
        "ets_markets_of_region": _ets_markets_of_region(ds, periods),
    }


def _ets_markets_of_region(ds: Dataset, periods: tuple[int, ...]) -> dict[Hashable, list]:
    ets = ds.markets[ds.markets["kind"] == "ets"]
    by_region = _grouped(ets, ["region"], "market")
    return {(r, t): by_region.get(r, []) for r in ds.regions for t in periods}
