"""Scenario values → the model's mutable parameters (the only way a scenario changes a model).

Every value a scenario may change is a mutable parameter: a right-hand side, a variable
bound or an objective coefficient. Setting them never rebuilds the model, so a persistent
solver re-solves from its last basis.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from abatelink.inputs.dataset import Dataset, ndc_targets
from abatelink.inputs.scenario import FEEDS, Inputs
from abatelink.inputs.schema import FLOOR_KINDS, TABLES
from abatelink.model.build import Model
from abatelink.model.credit_rules import credit_shares
from abatelink.model.index import LinkKey, ModelIndex

INF = math.inf


# The groups of model parameters a scenario sets, in the order they are set (the baseline
# before the limits that use it), and the mutable parameters each writes; an input names the
# groups it feeds (`inputs.scenario.FEEDS`), the components name the rows each parameter enters.
LEVERS: dict[str, tuple[str, ...]] = {
    "baseline": ("pool_baseline_mt",),
    "caps": ("cap_mt",),
    "links": ("link_max_volume_mt", "transaction_cost_usd_per_t"),
    "limits": (
        "max_imports_mt",
        "max_exports_mt",
        "max_offsets_mt",
        "max_international_offsets_mt",
    ),
    "banking": ("initial_bank_mt", "bank_max_mt", "bank_min_mt"),
    "price_controls": (
        "ceiling_usd_per_t",
        "ceiling_sales_max_mt",
        "floor_usd_per_t",
        "floor_withdrawal_max_mt",
        "top_up_floor_usd_per_t",
        "pool_min_abatement_mt",
    ),
    "taxes": ("tax_rate_usd_per_t",),
    "ndc": ("ndc_target_mt",),
    "offers": ("offer_max_mt", "offer_price_usd_per_t"),
    "projects": (
        "ccs_build_max",
        "site_max_gw",
        "corridor_max_modules",
        "grid_max_twh",
        "project_credits_max_mt",
        "pm_value_usd_per_t",
        "credit_pooled",
        "credit_share",
        "project_cost_scale",
        "co_finance_share",
    ),
}


def set_inputs(model: Model, inputs: Inputs, changed: Collection[str] | None = None) -> None:
    """Store the levers' values for `inputs` in the model's parameters.

    `changed` names what differs from the inputs last set (tables or scenario keys): only the
    groups of parameters those feed (`inputs.scenario.FEEDS`, from their declarations) are
    recomputed. None recomputes everything.
    """
    groups = None if changed is None else {g for c in changed for g in FEEDS[c]}
    m, idx, ds = model.pyomo, model.index, inputs.dataset
    caps = _by_key(ds.caps, ["market", "period"], "cap_mt", idx.market_periods(idx.ets_markets))
    setters = {
        "baseline": lambda: _store(m.pool_baseline_mt, _pool_baselines(idx, ds)),
        "caps": lambda: _store(m.cap_mt, caps),
        "links": lambda: _set_links(m, idx, ds, inputs.open_links),
        "limits": lambda: _set_limits(m, idx, ds, caps),
        "banking": lambda: _set_banking(m, idx, ds, caps),
        "price_controls": lambda: _set_price_controls(m, idx, ds, caps),
        "taxes": lambda: _store(
            m.tax_rate_usd_per_t,
            _by_key(
                ds.taxes, ["region", "period"], "rate_usd_per_t", idx.region_periods(), default=0.0
            ),
        ),
        "ndc": lambda: _store(
            m.ndc_target_mt,
            _by_key(
                ds.ndc.assign(target_mt=ndc_targets(ds)),
                ["region", "period"],
                "target_mt",
                idx.region_periods(),
                default=INF,
            ),
        ),
        "offers": lambda: _set_offers(m, idx, ds),
        "projects": lambda: set_projects(model, inputs),
    }
    for group in LEVERS:
        if groups is None or group in groups:
            setters[group]()


def _store(param: pyo.Param, values: dict) -> None:
    for key, value in values.items():
        param[key] = value


def _pool_baselines(idx: ModelIndex, ds: Dataset) -> dict[int, float]:
    """B[p] = Σ_{e∈p} B[e,t]: each emission pool's baseline (Mt/yr)."""
    keys = ["emitter", "period"]
    rows = idx.emitter_pools[[*keys, "pool"]].merge(ds.baseline, on=keys)
    sums = rows.groupby("pool")["emissions_mt"].sum()
    return dict(zip(sums.index.tolist(), sums.to_numpy(dtype=float).tolist(), strict=True))


def _by_key(
    frame: pd.DataFrame, key: list[str], column: str, keys: Iterable, default: float | None = None
) -> dict:
    """Values of `column` for each of `keys` (tuples of the key columns), `default` if absent."""
    values = frame.set_index(key)[column].dropna().to_dict() if len(frame) else {}
    out = {}
    for k in keys:
        value = values.get(k, default)
        if value is None:
            raise KeyError(f"no {column} for {k}")
        out[k] = float(value)
    return out


def _set_links(m: pyo.ConcreteModel, idx: ModelIndex, ds: Dataset, open_links: frozenset) -> None:
    """A closed link has an upper bound of 0; an open one its max volume (∞ if empty)."""
    rows = ds.links.set_index(["from_market", "to_market", "period"])
    volume = rows["max_volume_mt"].fillna(INF)
    cost = rows["transaction_cost_usd_per_t"].fillna(0.0)
    for key in idx.links:
        m.link_max_volume_mt[key] = float(volume[key]) if _is_open(key, open_links) else 0.0
        m.transaction_cost_usd_per_t[key] = float(cost[key])


def _is_open(key: LinkKey, open_links: frozenset[tuple[str, str]]) -> bool:
    return (key[0], key[1]) in open_links


def _set_limits(m: pyo.ConcreteModel, idx: ModelIndex, ds: Dataset, caps: dict) -> None:
    """Limits are shares of the cap (of baseline taxed emissions for a tax market)."""
    base = {**caps, **_taxed_baseline(m, idx)}
    limits = _rows(ds.limits, "limits")
    for key in idx.market_periods():
        row = limits.get(key, {})
        m.max_imports_mt[key] = _scaled(row.get("max_import_share"), base[key], INF)
        m.max_exports_mt[key] = _scaled(row.get("max_export_share"), base[key], INF)
    for key in idx.market_periods(idx.ets_markets):
        m.max_offsets_mt[key] = _scaled(limits.get(key, {}).get("max_offset_share"), caps[key], 0.0)
    for key in m.max_international_offsets_mt:
        share = limits.get(key, {}).get("max_international_offset_share")
        m.max_international_offsets_mt[key] = _scaled(share, base[key], INF)


def _set_offers(m: pyo.ConcreteModel, idx: ModelIndex, ds: Dataset) -> None:
    """Each offer of international offsets: its quantity (Mt/yr) and price (US$/t)."""
    offers = ds.offset_supply.set_index(list(TABLES["offset_supply"].key))
    for key in idx.offers:
        m.offer_max_mt[key] = float(offers.at[key, "quantity_mt"])
        m.offer_price_usd_per_t[key] = float(offers.at[key, "price_usd_per_t"])


def _rows(frame: pd.DataFrame, table: str) -> dict[tuple, dict[str, float | None]]:
    """A keyed table's number columns as {key: {column: value or None}} (None: empty cell)."""
    if frame.empty:
        return {}
    spec = TABLES[table]
    numbers = [c.name for c in spec.columns if c.kind == "float"]
    values = frame.set_index(list(spec.key))[numbers]
    return {
        k: {c: (None if pd.isna(v) else float(v)) for c, v in row.items()}
        for k, row in values.to_dict("index").items()
    }


def _scaled(share: float | None, base: float, otherwise: float) -> float:
    return otherwise if share is None else share * base


def _taxed_baseline(m: pyo.ConcreteModel, idx: ModelIndex) -> dict:
    """Baseline emissions outside any ETS of each tax market's region (Mt/yr)."""
    out = {}
    for mk in idx.tax_markets:
        region = idx.region_of_market[mk]
        for t in idx.periods:
            pools = idx.members("uncovered_pools_of_region", (region, t))
            out[mk, t] = sum(m.pool_baseline_mt[p].value for p in pools)
    return out


def _set_banking(m: pyo.ConcreteModel, idx: ModelIndex, ds: Dataset, caps: dict) -> None:
    """Bank stock within [−borrow share·cap, ∞), or [.., 0] without banking; ≥ 0 at the end."""
    rules = ds.banking.set_index("market") if len(ds.banking) else None
    last = idx.periods[-1]
    for mk in idx.ets_markets:
        has_rule = rules is not None and mk in rules.index
        allowed = bool(rules.at[mk, "banking_allowed"]) if has_rule else True
        borrow = float(rules.at[mk, "max_borrow_share"]) if has_rule else 0.0
        m.initial_bank_mt[mk] = float(rules.at[mk, "initial_bank_mt"]) if has_rule else 0.0
        for t in idx.periods:
            m.bank_max_mt[mk, t] = INF if allowed else 0.0
            m.bank_min_mt[mk, t] = 0.0 if t == last else -borrow * caps[mk, t]


def _set_price_controls(m: pyo.ConcreteModel, idx: ModelIndex, ds: Dataset, caps: dict) -> None:
    """A ceiling sells any volume at its price. A reserve floor withdraws up to the cap at its
    price; a top-up floor F makes each covered pool abate at least its steps cheaper than F."""
    controls = _rows(ds.price_controls, "price_controls")
    kinds = _floor_kinds(ds)
    top_up: dict[tuple[str, int], float] = {}
    for key in idx.market_periods(idx.ets_markets):
        ceiling = controls.get(key, {}).get("ceiling_usd_per_t")
        floor = controls.get(key, {}).get("floor_usd_per_t")
        reserve = floor if kinds.get(key, FLOOR_KINDS[0]) == "reserve" else None
        m.ceiling_usd_per_t[key] = ceiling or 0.0
        m.ceiling_sales_max_mt[key] = 0.0 if ceiling is None else INF
        m.floor_usd_per_t[key] = reserve or 0.0
        m.floor_withdrawal_max_mt[key] = 0.0 if reserve is None else caps[key]
        m.top_up_floor_usd_per_t[key] = floor if floor is not None and reserve is None else 0.0
        if m.top_up_floor_usd_per_t[key].value > 0:
            top_up[key] = float(floor)
    _store(m.pool_min_abatement_mt, _floor_abatement(idx, top_up))


def _floor_kinds(ds: Dataset) -> dict[tuple[str, int], str]:
    """The floor kind of each (market, period) row that names one."""
    frame = ds.price_controls
    if frame.empty or "floor_kind" not in frame:
        return {}
    named = frame.dropna(subset=["floor_kind"])
    keys = zip(named["market"], named["period"].astype(int), strict=True)
    return dict(zip(keys, named["floor_kind"], strict=True))


def _floor_abatement(idx: ModelIndex, top_up: dict[tuple[str, int], float]) -> dict[int, float]:
    """A_min[p] = Σ_{k∈p, c[k] < F} q[k] for the pools of each market-period with a top-up floor
    F (0 elsewhere): what its emitters abate when they face at least F."""
    out = dict.fromkeys(idx.pools["pool"].tolist(), 0.0)
    if not top_up:
        return out
    steps = idx.steps
    market = idx.pools["market"].to_numpy()[steps["pool"].to_numpy()]
    keys = zip(market, steps["period"], strict=True)
    floor = np.array([top_up.get(k, 0.0) for k in keys])
    below = steps["cost_usd_per_t"].to_numpy() < floor
    sums = np.bincount(
        steps["pool"].to_numpy()[below],
        steps["quantity_mt"].to_numpy()[below],
        minlength=len(idx.pools),
    )
    return {**out, **dict(zip(idx.pools["pool"].tolist(), sums.tolist(), strict=True))}


def set_openings(model: Model, inputs: Inputs) -> None:
    """Only who acts together (what a coalition changes): links, build limits, the pooling of
    project credits and the PM damage each builder counts."""
    _set_links(model.pyomo, model.index, inputs.dataset, inputs.open_links)
    _set_build_limits(model, inputs)
    if model.index.projects.projects:
        _set_pm_values(model, inputs)
        for project in model.index.projects.projects:
            set_credit_shares(model, inputs, project)


def set_projects(model: Model, inputs: Inputs) -> None:
    """Build limits of open projects, grid absorption, credit markets and credit shares."""
    m, idx, ds = model.pyomo, model.index, inputs.dataset
    P = idx.projects
    _set_build_limits(model, inputs)
    absorb = dict(zip(P.grid_keys, P.grids["max_absorb_twh"]))
    _store(m.grid_max_twh, absorb)
    accepts = set(ds.markets.loc[ds.markets["project_credits"], "market"])
    for key in idx.market_periods():
        m.project_credits_max_mt[key] = INF if key[0] in accepts else 0.0
    _set_pm_values(model, inputs)
    for project in P.projects:
        set_credit_shares(model, inputs, project)
        m.project_cost_scale[project] = inputs.project_cost_scale.get(project, 1.0)
        m.co_finance_share[project] = inputs.co_finance.get(project, 0.0)


def available(inputs: Inputs, needs: frozenset[str]) -> bool:
    """May a component that physically needs `needs` be built? Always, unless a coalition is
    formed: then if it needs one region only (any region may act alone) or only members."""
    return inputs.coalition is None or len(needs) <= 1 or needs <= inputs.coalition


def acts_with(inputs: Inputs, region: str) -> frozenset[str] | None:
    """The regions `region` acts with: everyone (None) unless a coalition is formed; then the
    coalition for a member and the region alone for anyone else."""
    if inputs.coalition is None:
        return None
    return inputs.coalition if region in inputs.coalition else frozenset([region])


def _set_build_limits(model: Model, inputs: Inputs) -> None:
    """A unit, site or corridor may be built from its first period on if its project is open
    and the regions it needs act together (`available`)."""
    m, ds = model.pyomo, inputs.dataset
    first, needs = model.index.projects.first_periods, model.index.projects.needs
    open_ = {
        kind: {
            c: p in inputs.open_projects and available(inputs, needs[kind][c])
            for c, (p, _) in items.items()
        }
        for kind, items in first.items()
    }
    for (u, t), _ in m.ccs_build_max.items():
        m.ccs_build_max[u, t] = float(open_["unit"][u] and t >= first["unit"][u][1])
    potential = dict(zip(ds.sites["site"], ds.sites["potential_gw"]))
    for (s, t), _ in m.site_max_gw.items():
        m.site_max_gw[s, t] = potential[s] if open_["site"][s] and t >= first["site"][s][1] else 0
    modules = dict(zip(ds.corridors["corridor"], ds.corridors["max_modules"]))
    for (c, t), _ in m.corridor_max_modules.items():
        built = open_["corridor"][c] and t >= first["corridor"][c][1]
        m.corridor_max_modules[c, t] = float(modules[c]) if built else 0.0


def _set_pm_values(model: Model, inputs: Inputs) -> None:
    """v_u = Σ_receptors share[host → receptor]·damage[receptor], over the receptors that act
    with the host (all of them unless a coalition is formed)."""
    P = model.index.projects
    damage = inputs.pm_damage_usd_per_t
    for unit, host in zip(P.units["unit"], P.units["region"]):
        counted = acts_with(inputs, host)
        lands = P.pm_lands.get(host, {})
        model.pyomo.pm_value_usd_per_t[unit] = sum(
            share * damage.get(receptor, 0.0)
            for receptor, share in lands.items()
            if counted is None or receptor in counted
        )


def set_credit_shares(
    model: Model, inputs: Inputs, project: str, delivered: dict[str, float] | None = None
) -> dict[str, float]:
    """Set π[p,·] and s[p,·] for the project's rule; `delivered` feeds the offtake rule.

    In a coalition the members share what is built among them, by the rule's shares
    renormalised over the members (none among them: each keeps its own); a region outside
    keeps its own (π = 0).
    """
    m, idx = model.pyomo, model.index
    rule = inputs.credit_rules.get(project, "host")
    participants = inputs.dataset.participants
    shares = credit_shares(
        rule,
        project,
        idx.projects.kind[project],
        participants[participants["project"] == project],
        inputs.source,
        given=inputs.credit_shares.get(project),
        delivered=delivered,
    )
    if inputs.coalition is not None:
        shares = _among(shares, inputs.coalition)
    pooled = rule != "host" and bool(shares)
    for region in idx.regions:
        member = inputs.coalition is None or region in inputs.coalition
        m.credit_pooled[project, region] = float(pooled and member)
        m.credit_share[project, region] = shares.get(region, 0.0)
    return shares


def _among(shares: dict[str, float], members: frozenset[str]) -> dict[str, float]:
    """Shares renormalised over `members` (empty if they hold none)."""
    kept = {r: s for r, s in shares.items() if r in members}
    total = sum(kept.values())
    return {r: s / total for r, s in kept.items()} if total > 0 else {}
