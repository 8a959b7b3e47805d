"""Scenario values → the model's mutable parameters (the only way a scenario changes a model).

Every value a scenario may change is a mutable parameter: a right-hand side, a variable
bound or an objective coefficient. Setting them never rebuilds the model, so a persistent
solver re-solves from its last basis.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.core as pyo

from abatelink.errors import InputError
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
# The parameters ∞ may take: upper bounds it lifts. Every other parameter must be finite.
UNBOUNDED = frozenset(
    {
        "link_max_volume_mt",
        "max_imports_mt",
        "max_exports_mt",
        "max_international_offsets_mt",
        "bank_max_mt",
        "ceiling_sales_max_mt",
        "ndc_target_mt",
        "project_credits_max_mt",
    }
)


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
    chosen = [g for g in LEVERS if groups is None or g in groups]
    for group in chosen:
        setters[group]()
    _check_finite(m, chosen, inputs.source)


def _check_finite(m: pyo.ConcreteModel, groups: Iterable[str], source: str) -> None:
    """No parameter of `groups` is NaN, or infinite unless ∞ lifts it (`UNBOUNDED`): the
    error names the parameter, its key and the inputs it is computed from."""
    for group in groups:
        for name in LEVERS[group]:
            for key, value in getattr(m, name).extract_values().items():
                if not math.isfinite(value) and not (value == INF and name in UNBOUNDED):
                    raise InputError(
                        source,
                        f"the model parameter {name}[{key}] computed from "
                        f"{', '.join(_inputs_of(group))} would be {value}; expected a finite "
                        "number",
                    )


def _inputs_of(group: str) -> list[str]:
    """The tables (files) and scenario keys that feed a group of parameters."""
    return [f"{n}.csv" if n in TABLES else n for n, feeds in FEEDS.items() if group in feeds]


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
    keyed = zip(*(frame[c].tolist() for c in key)) if len(key) > 1 else frame[key[0]].tolist()
    values = dict(zip(keyed, frame[column].tolist(), strict=True))
    out = {}
    for k in keys:
        value = values.get(k, default)
        if value is None:
            raise KeyError(f"no {column} for {k}")
        out[k] = float(value)
    return out


def _set_links(m: pyo.ConcreteModel, idx: ModelIndex, ds: Dataset, open_links: frozenset) -> None:
    """A closed link has an upper bound of 0; an open one its max volume (∞ if empty)."""
    volume, cost = _link_terms(idx, ds)
    _store(m.link_max_volume_mt, _link_volumes(volume, open_links))
    _store(m.transaction_cost_usd_per_t, cost)


def _link_terms(idx: ModelIndex, ds: Dataset) -> tuple[dict, dict]:
    """Each link's max volume when open (∞ if empty) and its transaction cost (0 if empty)."""
    rows = ds.links.set_index(["from_market", "to_market", "period"])
    volume = rows["max_volume_mt"].fillna(INF)
    cost = rows["transaction_cost_usd_per_t"].fillna(0.0)
    return (
        {key: float(volume[key]) for key in idx.links},
        {key: float(cost[key]) for key in idx.links},
    )


def _link_volumes(volume: dict[LinkKey, float], open_links: frozenset) -> dict[LinkKey, float]:
    return {key: v if _is_open(key, open_links) else 0.0 for key, v in volume.items()}


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
    keys = zip(*(frame[c].tolist() for c in spec.key), strict=True)
    columns = [frame[c].to_numpy(dtype=float) for c in numbers]
    return {
        key: {c: (None if math.isnan(v) else float(v)) for c, v in zip(numbers, row, strict=True)}
        for key, row in zip(keys, zip(*columns, strict=True), strict=True)
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


@dataclass(frozen=True)
class OpeningPlan:
    """What no coalition changes, worked out once for a model and a scenario (`opening_plan`).

    `link_volume`, `link_cost`: each link's max volume when open and its transaction cost;
    `build_limit`: for each build-limit parameter, its keys' (kind, item, limit if available),
    with `needs` the regions each item physically needs;
    `pm_terms`: each CCS unit's host and its terms share[host → receptor]·damage[receptor];
    `credit`: each project's rule and the rule's shares before any coalition renormalises
    them, over `regions`.
    """

    link_volume: dict[LinkKey, float]
    link_cost: dict[LinkKey, float]
    build_limit: dict[str, dict[tuple[str, int], tuple[str, str, float]]]
    needs: dict[str, dict[str, frozenset[str]]]
    pm_terms: dict[str, tuple[str, tuple[tuple[str, float], ...]]]
    credit: dict[str, tuple[str, dict[str, float]]]
    regions: tuple[str, ...]


def opening_plan(model: Model, inputs: Inputs) -> OpeningPlan:
    """The coalition-free part of `set_openings` for `inputs` (its open links, projects,
    rules, shares and PM damage; not its coalition)."""
    idx, P = model.index, model.index.projects
    volume, cost = _link_terms(idx, inputs.dataset)
    return OpeningPlan(
        link_volume=volume,
        link_cost=cost,
        build_limit=_build_limit_plan(model, inputs),
        needs=P.needs,
        pm_terms=_pm_terms(model, inputs),
        credit={p: _rule_shares(model, inputs, p) for p in P.projects},
        regions=idx.regions,
    )


def opening_values(plan: OpeningPlan, inputs: Inputs) -> dict[str, dict]:
    """Parameter name → {key: value} of everything a coalition changes, for `inputs`' open
    links and coalition (`inputs.coalition`; None: everyone acts together)."""
    values = {
        "link_max_volume_mt": _link_volumes(plan.link_volume, inputs.open_links),
        "transaction_cost_usd_per_t": plan.link_cost,
        **_build_limits(plan.build_limit, plan.needs, inputs),
        "pm_value_usd_per_t": _pm_values(plan.pm_terms, inputs),
        "credit_pooled": {},
        "credit_share": {},
    }
    for project, (rule, shares) in plan.credit.items():
        pooled, share, _ = _credit_values(plan.regions, project, rule, shares, inputs.coalition)
        values["credit_pooled"].update(pooled)
        values["credit_share"].update(share)
    return values


def set_openings(model: Model, inputs: Inputs, plan: OpeningPlan | None = None) -> None:
    """Only who acts together (what a coalition changes): links, build limits, the pooling of
    project credits and the PM damage each builder counts. `plan` (`opening_plan`) saves
    working out again what no coalition changes."""
    plan = plan or opening_plan(model, inputs)
    for name, values in opening_values(plan, inputs).items():
        _store(getattr(model.pyomo, name), values)


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
    """Store the build limits of `inputs` (`_build_limits`)."""
    limits = _build_limit_plan(model, inputs)
    for name, values in _build_limits(limits, model.index.projects.needs, inputs).items():
        _store(getattr(model.pyomo, name), values)


def _build_limit_plan(
    model: Model, inputs: Inputs
) -> dict[str, dict[tuple[str, int], tuple[str, str, float]]]:
    """Parameter → (item, t) → (kind, item, limit if the regions it needs act together): a
    unit 1, a site its potential (GW), a corridor its max modules, from the item's first
    period on if its project is open; 0 otherwise."""
    m, ds = model.pyomo, inputs.dataset
    first = model.index.projects.first_periods
    limit = {
        "unit": dict.fromkeys(first["unit"], 1.0),
        "site": {s: float(v) for s, v in zip(ds.sites["site"], ds.sites["potential_gw"])},
        "corridor": {
            c: float(v) for c, v in zip(ds.corridors["corridor"], ds.corridors["max_modules"])
        },
    }
    params = {"unit": m.ccs_build_max, "site": m.site_max_gw, "corridor": m.corridor_max_modules}
    plan = {}
    for kind, param in params.items():
        plan[param.local_name] = {
            (item, t): (
                kind,
                item,
                limit[kind][item]
                if first[kind][item][0] in inputs.open_projects and t >= first[kind][item][1]
                else 0.0,
            )
            for item, t in param
        }
    return plan


def _build_limits(
    limits: dict[str, dict[tuple[str, int], tuple[str, str, float]]],
    needs: dict[str, dict[str, frozenset[str]]],
    inputs: Inputs,
) -> dict[str, dict]:
    """Each build limit, 0 where the regions its item needs do not act together
    (`available`)."""
    return {
        name: {
            key: value if available(inputs, needs[kind][item]) else 0.0
            for key, (kind, item, value) in items.items()
        }
        for name, items in limits.items()
    }


def _pm_terms(model: Model, inputs: Inputs) -> dict[str, tuple[str, tuple[tuple[str, float], ...]]]:
    """unit → (host, ((receptor, share[host → receptor]·damage[receptor]), ...))."""
    P = model.index.projects
    damage = inputs.pm_damage_usd_per_t
    return {
        unit: (
            host,
            tuple(
                (receptor, share * damage.get(receptor, 0.0))
                for receptor, share in P.pm_lands.get(host, {}).items()
            ),
        )
        for unit, host in zip(P.units["unit"], P.units["region"])
    }


def _pm_values(
    terms: dict[str, tuple[str, tuple[tuple[str, float], ...]]], inputs: Inputs
) -> dict[str, float]:
    """v_u = Σ_receptors share[host → receptor]·damage[receptor], over the receptors that act
    with the host (all of them unless a coalition is formed)."""
    values = {}
    for unit, (host, landing) in terms.items():
        counted = acts_with(inputs, host)
        values[unit] = sum(v for receptor, v in landing if counted is None or receptor in counted)
    return values


def _set_pm_values(model: Model, inputs: Inputs) -> None:
    """Store each unit's PM value (`_pm_values`)."""
    _store(model.pyomo.pm_value_usd_per_t, _pm_values(_pm_terms(model, inputs), inputs))


def set_credit_shares(
    model: Model, inputs: Inputs, project: str, delivered: dict[str, float] | None = None
) -> dict[str, float]:
    """Set π[p,·] and s[p,·] for the project's rule; `delivered` feeds the offtake rule.

    Returns the shares as set (`_credit_values`).
    """
    m = model.pyomo
    rule, shares = _rule_shares(model, inputs, project, delivered)
    pooled, share, kept = _credit_values(
        model.index.regions, project, rule, shares, inputs.coalition
    )
    _store(m.credit_pooled, pooled)
    _store(m.credit_share, share)
    return kept


def _rule_shares(
    model: Model, inputs: Inputs, project: str, delivered: dict[str, float] | None = None
) -> tuple[str, dict[str, float]]:
    """The project's rule and the rule's shares (`credit_rules.credit_shares`)."""
    rule = inputs.credit_rules.get(project, "host")
    participants = inputs.dataset.participants
    shares = credit_shares(
        rule,
        project,
        model.index.projects.kind[project],
        participants[participants["project"] == project],
        inputs.source,
        given=inputs.credit_shares.get(project),
        delivered=delivered,
    )
    return rule, shares


def _credit_values(
    regions: tuple[str, ...],
    project: str,
    rule: str,
    shares: dict[str, float],
    coalition: frozenset[str] | None,
) -> tuple[dict, dict, dict[str, float]]:
    """π[p,·], s[p,·] and the shares kept, for the rule's `shares`.

    In a coalition the members share what is built among them, by the rule's shares
    renormalised over the members (none among them: each keeps its own); a region outside
    keeps its own (π = 0).
    """
    if coalition is not None:
        shares = _among(shares, coalition)
    pooled = rule != "host" and bool(shares)
    members = {r: coalition is None or r in coalition for r in regions}
    return (
        {(project, r): float(pooled and members[r]) for r in regions},
        {(project, r): shares.get(r, 0.0) for r in regions},
        shares,
    )


def _among(shares: dict[str, float], members: frozenset[str]) -> dict[str, float]:
    """Shares renormalised over `members` (empty if they hold none)."""
    kept = {r: s for r, s in shares.items() if r in members}
    total = sum(kept.values())
    return {r: s / total for r, s in kept.items()} if total > 0 else {}
