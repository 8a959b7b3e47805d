"""Index sets of the joint projects: CCS units, supergrid sites, corridors and grids.

Generation keys are (project, emitter, period): credits are generated at the emitter whose
emissions fall (the CCS host unit's emitter, or the emitter whose grid power is displaced).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from abatelink.inputs.dataset import Dataset, crossed_regions

TWH_PER_GW_YEAR = 8.76


@dataclass(frozen=True)
class ProjectIndex:
    """Projects, their parts, per-unit figures and memberships over the model's periods."""

    projects: tuple[str, ...]
    kind: dict[str, str]
    participants: dict[str, tuple[str, ...]]
    periods: tuple[int, ...]
    units: pd.DataFrame
    sites: pd.DataFrame
    corridors: pd.DataFrame
    grids: pd.DataFrame
    generation_keys: list[tuple[str, str, int]]
    absorption_keys: list[tuple[str, str, int]]
    node_keys: list[tuple[str, str, int]]
    region_of_emitter: dict[str, str]
    groups: dict[str, dict[Hashable, list]]
    pm_transport: pd.DataFrame = field(default_factory=pd.DataFrame)

    def members(self, group: str, key: Hashable) -> list:
        return self.groups[group].get(key, [])

    @property
    def integer_components(self) -> tuple[str, ...]:
        """Names of the integer variables of the model."""
        return ("ccs_new_build", "corridor_modules")

    @cached_property
    def absorption_set(self) -> frozenset[tuple[str, str, int]]:
        return frozenset(self.absorption_keys)

    @cached_property
    def grid_keys(self) -> list[tuple[str, int]]:
        return list(zip(self.grids["region"], self.grids["period"]))

    @cached_property
    def grid_emitter(self) -> dict[tuple[str, int], str]:
        return dict(zip(self.grid_keys, self.grids["emitter"]))

    @cached_property
    def emission_factor(self) -> dict[tuple[str, int], float]:
        """t CO2/MWh a delivered MWh displaces: the grid's marginal factor where the data set
        gives one (`displaced_emission_factor_t_per_mwh`), else its average factor."""
        average = self.grids["emission_factor_t_per_mwh"]
        marginal = self.grids.get("displaced_emission_factor_t_per_mwh")
        factor = average if marginal is None else marginal.fillna(average)
        return dict(zip(self.grid_keys, factor.astype(float)))

    @cached_property
    def avoided_generation_usd_per_mwh(self) -> dict[tuple[str, int], float]:
        return dict(zip(self.grid_keys, self.grids["avoided_generation_usd_per_mwh"]))

    @cached_property
    def pm_lands(self) -> dict[str, dict[str, float]]:
        """source region → receptor region → share of a tonne of PM emitted there landing there."""
        out: dict[str, dict[str, float]] = {}
        for source, receptor, share in self.pm_transport[
            ["source_region", "receptor_region", "share"]
        ].itertuples(index=False):
            out.setdefault(source, {})[receptor] = float(share)
        return out

    @cached_property
    def operating_window(self) -> dict[tuple[str, int], list[int]]:
        """Periods τ ≤ t whose build still runs in t (t − τ < lifetime)."""
        life = dict(zip(self.units["unit"], self.units["lifetime_years"]))
        return {
            (u, t): [tau for tau in self.periods if tau <= t and t - tau < life[u]]
            for u in self.units["unit"]
            for t in self.periods
        }

    def column(self, frame: str, key: str, value: str) -> dict:
        table = getattr(self, frame)
        return dict(zip(table[key], table[value]))

    @cached_property
    def first_periods(self) -> dict[str, dict[str, tuple[str, int]]]:
        """For each unit, site and corridor: its project and the first period it may be built."""
        tables = {"unit": self.units, "site": self.sites, "corridor": self.corridors}
        return {
            name: {
                k: (p, int(t))
                for k, p, t in frame[[name, "project", "first_period"]].itertuples(index=False)
            }
            for name, frame in tables.items()
        }

    @cached_property
    def needs(self) -> dict[str, dict[str, frozenset[str]]]:
        """For each unit, site and corridor: the regions it physically needs — a unit its host,
        a site its region, a corridor the regions it connects and crosses."""
        corridors = self.corridors
        crosses = corridors["crosses"] if "crosses" in corridors else [None] * len(corridors)
        return {
            "unit": {u: frozenset([r]) for u, r in zip(self.units["unit"], self.units["region"])},
            "site": {s: frozenset([r]) for s, r in zip(self.sites["site"], self.sites["region"])},
            "corridor": {
                c: frozenset([a, b, *crossed_regions(x)])
                for c, a, b, x in zip(
                    corridors["corridor"], corridors["from_region"], corridors["to_region"], crosses
                )
            },
        }

    @cached_property
    def unit_avoided_mt(self) -> dict[str, float]:
        return self.column("units", "unit", "avoided_mt")

    @cached_property
    def unit_annual_cost_musd(self) -> dict[str, float]:
        units = self.units
        return dict(zip(units["unit"], units["fixed_cost_musd"] + units["variable_cost_musd"]))

    @cached_property
    def site_capacity_factor(self) -> dict[str, float]:
        return self.column("sites", "site", "capacity_factor")

    @cached_property
    def site_annual_musd_per_gw(self) -> dict[str, float]:
        return self.column("sites", "site", "annual_musd_per_gw")

    @cached_property
    def corridor_loss(self) -> dict[str, float]:
        return self.column("corridors", "corridor", "loss_share")

    @cached_property
    def corridor_twh_per_module(self) -> dict[str, float]:
        return self.column("corridors", "corridor", "twh_per_module")

    @cached_property
    def corridor_annual_musd_per_module(self) -> dict[str, float]:
        return self.column("corridors", "corridor", "annual_musd_per_module")

    def growth_keys(self, kind: str) -> list[tuple[str, int, int]]:
        """(item, t, previous t) for sites or corridors: capacity may only grow."""
        items = self.sites["site"] if kind == "site" else self.corridors["corridor"]
        pairs = list(zip(self.periods[1:], self.periods[:-1]))
        return [(x, t, before) for x in items for t, before in pairs]


def capital_recovery_factor(rate: float, years: float) -> float:
    """CRF = r / (1 − (1 + r)^−n): the annuity per unit of capital over n years."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def build_project_index(ds: Dataset, periods: tuple[int, ...]) -> ProjectIndex:
    region_of_emitter = dict(zip(ds.emitters["emitter"], ds.emitters["region"]))
    units = _units(ds, region_of_emitter)
    grids = ds.grids[ds.grids["period"].isin(periods)].reset_index(drop=True)
    generation = _generation_keys(ds, units, grids, periods)
    participants = ds.participants.groupby("project", sort=False)["region"].apply(tuple)
    absorption = _absorption_keys(ds, grids)
    nodes = _node_keys(ds, absorption, periods)
    return ProjectIndex(
        projects=tuple(ds.projects["project"]),
        kind=dict(zip(ds.projects["project"], ds.projects["kind"])),
        participants=participants.to_dict(),
        periods=periods,
        units=units,
        sites=_sites(ds),
        corridors=_corridors(ds),
        grids=grids,
        pm_transport=ds.pm_transport,
        generation_keys=list(generation.itertuples(index=False, name=None)),
        absorption_keys=list(absorption.itertuples(index=False, name=None)),
        node_keys=list(nodes.itertuples(index=False, name=None)),
        region_of_emitter=region_of_emitter,
        groups=_groups(ds, units, grids, generation, absorption, region_of_emitter),
    )


def _sites(ds: Dataset) -> pd.DataFrame:
    """Sites with the annual cost of a GW: capex·CRF + fixed O&M (US$/kW = US$ M/GW)."""
    sites = _annualised(ds, ds.sites.copy())
    sites["annual_musd_per_gw"] = (
        sites["capex_usd_per_kw"] * sites["crf"] + sites["fixed_om_usd_per_kw_yr"]
    )
    return sites


def _corridors(ds: Dataset) -> pd.DataFrame:
    """Corridors with the energy and the annual cost of one module."""
    lines = _annualised(ds, ds.corridors.copy())
    lines["twh_per_module"] = TWH_PER_GW_YEAR * lines["max_utilization"] * lines["module_gw"]
    lines["annual_musd_per_module"] = (
        lines["module_gw"] * lines["length_km"] * lines["capex_musd_per_gw_km"] * lines["crf"]
    )
    return lines


def _absorption_keys(ds: Dataset, grids: pd.DataFrame) -> pd.DataFrame:
    """(project, region, period): a supergrid project may deliver to every grid."""
    supergrid = ds.projects.loc[ds.projects["kind"] == "supergrid", ["project"]]
    return supergrid.merge(grids[["region", "period"]], how="cross")


def _node_keys(ds: Dataset, absorption: pd.DataFrame, periods: tuple[int, ...]) -> pd.DataFrame:
    """(project, region, period) for every region a supergrid project touches."""
    ends = [
        ds.sites[["project", "region"]],
        ds.corridors[["project", "from_region"]].set_axis(["project", "region"], axis=1),
        ds.corridors[["project", "to_region"]].set_axis(["project", "region"], axis=1),
        absorption[["project", "region"]],
    ]
    nodes = pd.concat(ends, ignore_index=True).drop_duplicates()
    return nodes.merge(pd.DataFrame({"period": list(periods)}), how="cross")


def _annualised(ds: Dataset, frame: pd.DataFrame) -> pd.DataFrame:
    """Add `crf`, the capital recovery factor at the data set's discount rate and lifetime."""
    rate = ds.meta.discount_rate
    frame["crf"] = [capital_recovery_factor(rate, n) for n in frame["lifetime_years"]]
    return frame


def _units(ds: Dataset, region_of_emitter: dict[str, str]) -> pd.DataFrame:
    """CCS units with their region and per-year figures while operating.

    Burning 1/(1−φ) as much fuel for the same net output, a unit captures
    r·E/(1−φ) and avoids E − (1−r)·E/(1−φ) of its emissions E.
    """
    units = _annualised(ds, ds.ccs_units.copy())
    units["region"] = units["emitter"].map(region_of_emitter)
    gross = units["co2_mt"] / (1.0 - units["energy_penalty"])
    units["captured_mt"] = units["capture_rate"] * gross
    units["avoided_mt"] = units["co2_mt"] - (1.0 - units["capture_rate"]) * gross
    capital_musd = units["capacity_mw"] * units["capex_usd_per_kw"] / 1e3
    units["fixed_cost_musd"] = (
        capital_musd * units["crf"] + units["capacity_mw"] * units["fixed_om_usd_per_kw_yr"] / 1e3
    )
    units["variable_cost_musd"] = units["captured_mt"] * units["cost_usd_per_t_captured"]
    units["pm_avoided_t"] = units["pm_t"] * units["pm_removed_share"]
    return units


def _generation_keys(
    ds: Dataset, units: pd.DataFrame, grids: pd.DataFrame, periods: tuple[int, ...]
) -> pd.DataFrame:
    """(project, emitter, period) where a project's credits can be generated."""
    ccs = (
        units[["project", "emitter"]]
        .drop_duplicates()
        .merge(pd.DataFrame({"period": list(periods)}), how="cross")
    )
    supergrid = ds.projects.loc[ds.projects["kind"] == "supergrid", ["project"]]
    displaced = supergrid.merge(grids[["emitter", "period"]], how="cross")
    keys = pd.concat([ccs, displaced[["project", "emitter", "period"]]], ignore_index=True)
    return keys.drop_duplicates().reset_index(drop=True)


def _grouped(frame: pd.DataFrame, by: list[str], value: str | list[str]) -> dict[Hashable, list]:
    if frame.empty:
        return {}
    if isinstance(value, list):
        frame = frame.assign(_key=list(frame[value].itertuples(index=False, name=None)))
        value = "_key"
    groups = frame.groupby(by if len(by) > 1 else by[0], sort=False)[value]
    return {k: list(v) for k, v in groups}


def _groups(
    ds: Dataset,
    units: pd.DataFrame,
    grids: pd.DataFrame,
    generation: pd.DataFrame,
    absorption: pd.DataFrame,
    region_of_emitter: dict[str, str],
) -> dict[str, dict[Hashable, list]]:
    market_of = dict(zip(ds.emitters["emitter"], ds.emitters["market"]))
    gen = generation.assign(
        region=generation["emitter"].map(region_of_emitter),
        market=generation["emitter"].map(market_of),
    )
    key = ["project", "emitter", "period"]
    return {
        "units_of_project": _grouped(units, ["project"], "unit"),
        "units_of_project_emitter": _grouped(units, ["project", "emitter"], "unit"),
        "sites_of_project": _grouped(ds.sites, ["project"], "site"),
        "sites_of_project_region": _grouped(ds.sites, ["project", "region"], "site"),
        "corridors_of_project": _grouped(ds.corridors, ["project"], "corridor"),
        "corridors_into": _grouped(ds.corridors, ["project", "to_region"], "corridor"),
        "corridors_out_of": _grouped(ds.corridors, ["project", "from_region"], "corridor"),
        "projects_absorbed_by": _grouped(absorption, ["region", "period"], "project"),
        "absorption_of_project_period": _grouped(
            absorption, ["project", "period"], ["project", "region", "period"]
        ),
        "generation_of_project": _grouped(gen, ["project", "period"], key),
        "generation_of_region": _grouped(gen, ["region", "period"], key),
        "generation_of_emitter": _grouped(gen, ["emitter", "period"], key),
        "generation_of_market": _grouped(gen[gen["market"].notna()], ["market", "period"], key),
        "uncovered_generation_of_region": _grouped(
            gen[gen["market"].isna()], ["region", "period"], key
        ),
        "generation_of_scope": _grouped(
            gen.fillna({"market": ""}), ["project", "region", "market", "period"], key
        ),
    }
