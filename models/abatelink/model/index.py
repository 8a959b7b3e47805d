"""Index sets and membership maps of a model, computed once from the data with pandas.

Every sparse set a Pyomo rule iterates over is built here by a group-by, so no rule filters.
Keys are tuples: links (from_market, to_market, period), market periods (market, period),
region periods (region, period); emission pools are numbered 0..P−1.

An emission pool is the set of emitters whose emissions enter the same rows of the model: the
emitters of one ETS market (or of one region outside any ETS) in one period, except that a
project host is a pool of its own, since its emissions floor is a row of its own. The model
states its balances with one baseline and one abatement per pool, so its size does not grow
with the number of emitters; the MAC steps are columns written straight into HiGHS (see
`components.abatement`).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abatelink.errors import InputError
from abatelink.inputs.dataset import Dataset
from abatelink.model.project_index import ProjectIndex, build_project_index

StepKey = tuple[str, int, int]
LinkKey = tuple[str, str, int]
OfferKey = tuple[str, str, str, int]  # program, seller region, buyer market, period
MarketPeriod = tuple[str, int]
RegionPeriod = tuple[str, int]


@dataclass(frozen=True)
class ModelIndex:
    """The structure of one model: sets, memberships, period weights and discount factors."""

    periods: tuple[int, ...]
    period_years: dict[int, float]
    discount_factor: dict[int, float]
    discount_rate: float
    regions: tuple[str, ...]
    ets_markets: tuple[str, ...]
    tax_markets: tuple[str, ...]
    region_of_market: dict[str, str]
    tax_market_of_region: dict[str, str]
    steps: pd.DataFrame
    pools: pd.DataFrame
    emitter_pools: pd.DataFrame
    links: list[LinkKey]
    cross_border: dict[LinkKey, bool]
    exchange_rate: dict[LinkKey, float]
    """k of each link: allowances of its to_market per allowance of its from_market."""
    offers: list[OfferKey]
    """International offsets on offer (`offset_supply.csv`) within the periods."""
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

    def weights(self, periods: Iterable[int]) -> np.ndarray:
        """`weight` of each of `periods` (model periods), as an array."""
        known = np.asarray(self.periods)
        wanted = np.asarray(periods if isinstance(periods, np.ndarray) else list(periods))
        sorter = np.argsort(known)
        at = sorter[np.searchsorted(known, wanted, sorter=sorter).clip(max=len(known) - 1)]
        if len(wanted) and not np.array_equal(known[at], wanted):
            raise KeyError(f"periods not in the model: {sorted(set(wanted) - set(known))}")
        return np.array([self.weight(t) for t in self.periods])[at]

    def weight(self, period: int) -> float:
        """Objective weight of a period: the discount factors of the years it stands for,

            w_t = Σ_{k=0}^{y_t−1} (1 + r)^−(t + k − y0) = δ_t·(1 − (1 + r)^−y_t) / (1 − (1 + r)^−1)

        (y_t years, δ_t the factor of its first year, y0 the currency year; y_t·δ_t when r = 0;
        the closed form also serves a fractional y_t). A price is a dual divided by w_t.
        """
        years, factor = self.period_years[period], self.discount_factor[period]
        if self.discount_rate == 0:
            return years * factor
        step = 1.0 / (1.0 + self.discount_rate)
        return factor * (1.0 - step**years) / (1.0 - step)


def build_index(ds: Dataset, periods: tuple[int, ...] | None = None) -> ModelIndex:
    """Index sets of the model of `ds` over `periods` (default: all of the data set's)."""
    periods = tuple(periods or ds.periods)
    markets = ds.markets
    region_of_market = dict(zip(markets["market"], markets["region"], strict=True))
    projects = build_project_index(ds, periods)
    emitter_pools = _emitter_pools(ds, periods, {(e, t) for _, e, t in projects.generation_keys})
    steps = _steps(ds, periods, emitter_pools)
    pools = _pools(emitter_pools, steps)
    links = ds.links[ds.links["period"].isin(periods)]
    link_keys = list(zip(links["from_market"], links["to_market"], links["period"], strict=True))
    supply = ds.offset_supply[ds.offset_supply["period"].isin(periods)]
    offer_keys = list(
        supply[["program", "seller_region", "buyer_market", "period"]].itertuples(
            index=False, name=None
        )
    )
    return ModelIndex(
        periods=periods,
        period_years=_period_years(ds, periods),
        discount_factor=_discount_factors(ds, periods),
        discount_rate=ds.meta.discount_rate,
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
        pools=pools,
        emitter_pools=emitter_pools,
        links=link_keys,
        cross_border={
            key: region_of_market[key[0]] != region_of_market[key[1]] for key in link_keys
        },
        exchange_rate=dict(zip(link_keys, links["exchange_rate"].astype(float), strict=True)),
        offers=offer_keys,
        groups={
            **_groups(ds, pools, link_keys, region_of_market, periods),
            **_offer_groups(offer_keys, region_of_market),
        },
        projects=projects,
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


def _emitter_pools(
    ds: Dataset, periods: tuple[int, ...], hosts: set[tuple[str, int]]
) -> pd.DataFrame:
    """Every (emitter, period) of the baseline within `periods` (the data set's checks make it
    every emitter's, and every MAC step's), with the emitter's region and market (NaN =
    outside any ETS), host (the emitter if it hosts a project then, else NaN) and the number
    of its emission pool; sorted by emitter and period."""
    pairs = ds.baseline.loc[ds.baseline["period"].isin(periods), ["emitter", "period"]]
    pairs = pairs.merge(ds.emitters[["emitter", "region", "market"]], on="emitter", how="left")
    pairs = pairs.sort_values(["emitter", "period"]).reset_index(drop=True)
    hosted = pd.MultiIndex.from_frame(pairs[["emitter", "period"]]).isin(list(hosts))
    pairs["host"] = pairs["emitter"].where(hosted)
    key = ["period", "region", "market", "host"]
    pairs["pool"] = pairs.groupby(key, dropna=False, sort=True).ngroup()
    return pairs


def _steps(ds: Dataset, periods: tuple[int, ...], emitter_pools: pd.DataFrame) -> pd.DataFrame:
    """MAC steps with their emitter's region, market and pool, and `emitter_period`, the row
    of `emitter_pools` they belong to; sorted by emitter, period and step (the order of the
    step columns in HiGHS)."""
    steps = ds.mac[ds.mac["period"].isin(periods)]
    where = emitter_pools[["emitter", "period", "region", "market", "pool"]]
    where = where.assign(emitter_period=np.arange(len(where)))
    steps = steps.merge(where, on=["emitter", "period"], how="left")
    return steps.sort_values(["emitter", "period", "step"]).reset_index(drop=True)


def _pools(emitter_pools: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """One row per emission pool: pool, period, region, market, host, and quantity_mt, what
    its MAC steps can abate in all."""
    pools = emitter_pools.groupby("pool", sort=True)[["period", "region", "market", "host"]]
    pools = pools.first()
    quantity = steps.groupby("pool")["quantity_mt"].sum()
    pools["quantity_mt"] = quantity.reindex(pools.index, fill_value=0.0)
    return pools.reset_index()


def _grouped(frame: pd.DataFrame, by: list[str], value: str) -> dict[Hashable, list]:
    if frame.empty:
        return {}
    groups = frame.groupby(by if len(by) > 1 else by[0], sort=False)[value]
    return {k: list(v) for k, v in groups}


def _groups(
    ds: Dataset,
    pools: pd.DataFrame,
    links: list[LinkKey],
    region_of_market: dict[str, str],
    periods: tuple[int, ...],
) -> dict[str, dict[Hashable, list]]:
    """Membership maps, each a group-by: key → list of members."""
    covered = pools[pools["market"].notna()]
    link_frame = pd.DataFrame(links, columns=["from_market", "to_market", "period"])
    link_frame["key"] = links
    link_frame["from_region"] = link_frame["from_market"].map(region_of_market)
    link_frame["to_region"] = link_frame["to_market"].map(region_of_market)
    abroad = link_frame[link_frame["from_region"] != link_frame["to_region"]]
    home = link_frame[link_frame["from_region"] == link_frame["to_region"]]
    return {
        "pools_of_market": _grouped(covered, ["market", "period"], "pool"),
        "pools_of_region": _grouped(pools, ["region", "period"], "pool"),
        "pools_of_host": _grouped(pools[pools["host"].notna()], ["host", "period"], "pool"),
        "uncovered_pools_of_region": _grouped(
            pools[pools["market"].isna()], ["region", "period"], "pool"
        ),
        "links_into_from_abroad": _grouped(abroad, ["to_market", "period"], "key"),
        "links_out_to_abroad": _grouped(abroad, ["from_market", "period"], "key"),
        "links_into_from_home": _grouped(home, ["to_market", "period"], "key"),
        "links_out_to_home": _grouped(home, ["from_market", "period"], "key"),
        "links_of_period": _grouped(link_frame, ["period"], "key"),
        "exports_abroad_of_region": _grouped(abroad, ["from_region", "period"], "key"),
        "imports_abroad_of_region": _grouped(abroad, ["to_region", "period"], "key"),
        "ets_markets_of_region": _ets_markets_of_region(ds, periods),
    }


def _offer_groups(
    offers: list[OfferKey], region_of_market: dict[str, str]
) -> dict[str, dict[Hashable, list]]:
    """offers_into_market: (market, period) → its offers; offset_buyers_of_region: (region,
    period) → the markets of the region that have offers."""
    frame = pd.DataFrame(offers, columns=["program", "seller", "market", "period"])
    frame["key"] = offers
    frame["region"] = frame["market"].map(region_of_market)
    buyers = frame.drop_duplicates(["market", "period"])
    return {
        "offers_into_market": _grouped(frame, ["market", "period"], "key"),
        "offset_buyers_of_region": _grouped(buyers, ["region", "period"], "market"),
    }


def _ets_markets_of_region(ds: Dataset, periods: tuple[int, ...]) -> dict[Hashable, list]:
    ets = ds.markets[ds.markets["kind"] == "ets"]
    by_region = _grouped(ets, ["region"], "market")
    return {(r, t): by_region.get(r, []) for r in ds.regions for t in periods}
