"""Result tables of the joint projects: builds, credits, PM co-benefits, cost shares, ledger.

Credits: with the host rule a region is credited what it generates; with any other rule the
credits of the regions acting together are pooled and region r is credited its share s[p,r] of
the pool (`model.components.credits`). The corresponding adjustment of r is generated −
credited (positive: r gives tonnes away and adds them back).

Costs: the regions pay C[p,t] − F[p,t], the project's cost less what a third party co-finances.
A region acting alone in a coalition game pays for the parts on its own soil; the rest is split
among the regions acting together by cost shares (given, else credited shares).

Every quantity is an array over the keys of a variable, summed by code with np.bincount at
positions worked out once per model (`Extract.memo`); the tables are framed from those arrays,
and the regional lines of `results.costs` (`regional_project_costs`, `regional_pm_benefits`)
are sums of the same arrays per region-period code r·T + t (the order of
`index.region_periods`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abatelink.results.extract import Extract, sum_by, take

Arrays = dict[str, np.ndarray]
KINDS = ("unit", "site", "corridor")
VARIABLES = {"unit": "ccs_new_build", "site": "site_gw", "corridor": "corridor_modules"}
PROJECT_COLUMNS = [
    "project",
    "kind",
    "item",
    "item_kind",
    "region",
    "period",
    "built",
    "modules",
    "capacity",
    "capacity_unit",
    "energy_sent_twh",
    "energy_delivered_twh",
    "generated_mt",
    "cost_musd",
    "co_financed_musd",
]
CREDIT_COLUMNS = [
    "project",
    "period",
    "region",
    "delivered_twh",
    "avoided_generation_musd",
    "project_generated_mt",
    "generated_mt",
    "share",
    "credited_mt",
    "adjustment_mt",
]
COBENEFIT_COLUMNS = [
    "project",
    "unit",
    "source_region",
    "receptor_region",
    "period",
    "pm_avoided_t",
]


def project_tables(x: Extract) -> dict[str, pd.DataFrame]:
    """projects, credits and cobenefits tables (empty frames when there are no projects)."""
    parts = [_item_table(x, kind) for kind in KINDS]
    return {
        "projects": pd.concat(parts, ignore_index=True).reset_index(drop=True),
        "credits": credit_table(x),
        "cobenefits": cobenefit_table(x),
    }


def _codes(x: Extract, pairs: Iterable[tuple]) -> np.ndarray:
    """The region-period code of each (region, period), −1 where it is none of the model's."""
    at = x.memo(
        "project_codes", lambda: {key: i for i, key in enumerate(x.model.index.region_periods())}
    )
    return np.array([at.get(key, -1) for key in pairs], dtype=np.int64)


def _regions(x: Extract, names: Iterable[str]) -> np.ndarray:
    """The position of each region among the model's, −1 where it is none of them."""
    at = {r: i for i, r in enumerate(x.model.index.regions)}
    return np.array([at.get(r, -1) for r in names], dtype=np.int64)


def _key_frame(x: Extract, name: str, names: list[str]) -> pd.DataFrame:
    """The keys of an indexed variable as columns `names`, in key order."""
    keys = list(getattr(x.model.pyomo, name).keys())
    return pd.DataFrame(index=pd.MultiIndex.from_tuples(keys, names=names)).reset_index()


def _window(x: Extract) -> tuple[np.ndarray, np.ndarray]:
    """(key of o[u,t], key of b[u,τ]) for every build τ still running in t (`operating`)."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        window = x.model.index.projects.operating_window
        keys = list(x.model.pyomo.ccs_new_build.keys())
        pairs = [(i, (u, tau)) for i, (u, t) in enumerate(keys) for tau in window[u, t]]
        rows = np.array([i for i, _ in pairs], dtype=np.int64)
        return rows, x.positions("ccs_new_build", [key for _, key in pairs])

    return x.memo("project_window", make)


def operating(x: Extract) -> np.ndarray:
    """o[u,t] = Σ_{τ ≤ t, t − τ < L_u} b[u,τ]: 1 while a CCS unit runs, per key (unit,
    period) of `ccs_new_build`."""
    rows, cols = _window(x)
    built = np.round(x.array("ccs_new_build"))
    return np.bincount(rows, built[cols], minlength=len(built)).astype(float)


@dataclass(frozen=True)
class Items:
    """One kind of project item (CCS unit, site or corridor) per key (item, period) of its
    variable, worked out once per model.

    `frame`: the projects table's columns no solve changes; positions of each key's project
    among `project_cost_scale`'s keys (`scale`), of (project, period) among
    `project_cost_musd`'s (`cost_key`), of its region among the model's (`region`, −1 for a
    corridor) and its region-period code (`code`); `annual`: the annual cost of one unit of its
    driver (`_driver`), US$ million/yr; `energy`: positions among the keys of its energy
    variable (site_twh, flow_twh; none for units); `factors`: per-key figures of the kind.
    """

    frame: pd.DataFrame
    scale: np.ndarray
    cost_key: np.ndarray
    region: np.ndarray
    code: np.ndarray
    annual: np.ndarray
    energy: np.ndarray
    factors: Arrays


def _items(x: Extract, kind: str) -> Items:
    """The items of one kind (made once per model)."""
    return x.memo(f"project_items:{kind}", lambda: _ITEMS[kind](x))


def _placed(
    x: Extract, frame: pd.DataFrame, annual: np.ndarray, energy: np.ndarray, factors: Arrays
) -> Items:
    """`Items` of a frame with project, region and period columns."""
    projects = frame["project"].tolist()
    periods = frame["period"].tolist()
    regions = frame["region"].tolist()
    return Items(
        frame=frame[PROJECT_COLUMNS].reset_index(drop=True),
        scale=x.positions("project_cost_scale", projects),
        cost_key=x.positions("project_cost_musd", list(zip(projects, periods, strict=True))),
        region=_regions(x, regions),
        code=_codes(x, zip(regions, periods, strict=True)),
        annual=np.asarray(annual, dtype=float),
        energy=energy,
        factors=factors,
    )


def _unit_items(x: Extract) -> Items:
    """CCS units: per key (unit, period) of `ccs_new_build`, driven by o[u,t]."""
    frame = _key_frame(x, "ccs_new_build", ["item", "period"])
    units = x.model.index.projects.units.rename(columns={"unit": "item"})
    frame = frame.merge(units, on="item", how="left")
    frame["kind"], frame["item_kind"], frame["capacity_unit"] = "ccs", "ccs unit", "MW"
    frame["built"] = False
    frame["modules"] = frame["energy_sent_twh"] = frame["energy_delivered_twh"] = np.nan
    frame["capacity"] = frame["capacity_mw"]
    frame["generated_mt"] = frame["cost_musd"] = frame["co_financed_musd"] = np.nan
    annual = (frame["fixed_cost_musd"] + frame["variable_cost_musd"]).to_numpy()
    avoided = {"avoided_mt": frame["avoided_mt"].to_numpy(dtype=float)}
    return _placed(x, frame, annual, np.zeros(0, dtype=np.int64), avoided)


def _site_items(x: Extract) -> Items:
    """Supergrid sites: per key (site, period) of `site_gw`, driven by K[s,t] (GW)."""
    sites = x.model.index.projects.sites.set_index("site")
    keys = list(x.model.pyomo.site_gw.keys())
    items = [s for s, _ in keys]
    projects = [sites.at[s, "project"] for s in items]
    frame = _supergrid_frame("site", keys, projects, [sites.at[s, "region"] for s in items])
    annual = np.array([sites.at[s, "annual_musd_per_gw"] for s in items], dtype=float)
    return _placed(x, frame, annual, x.positions("site_twh", keys), {})


def _corridor_items(x: Extract) -> Items:
    """Corridors: per key (corridor, period) of `corridor_modules`, driven by n[c,t]."""
    lines = x.model.index.projects.corridors.set_index("corridor")
    keys = list(x.model.pyomo.corridor_modules.keys())
    items = [c for c, _ in keys]
    regions = [f"{lines.at[c, 'from_region']}->{lines.at[c, 'to_region']}" for c in items]
    frame = _supergrid_frame("corridor", keys, [lines.at[c, "project"] for c in items], regions)
    figures = {
        "module_gw": np.array([lines.at[c, "module_gw"] for c in items], dtype=float),
        "kept": np.array([1.0 - lines.at[c, "loss_share"] for c in items], dtype=float),
    }
    annual = np.array([lines.at[c, "annual_musd_per_module"] for c in items], dtype=float)
    return _placed(x, frame, annual, x.positions("flow_twh", keys), figures)


def _supergrid_frame(
    item_kind: str, keys: list[tuple[str, int]], projects: list, regions: list
) -> pd.DataFrame:
    """The projects table's columns of supergrid items no solve changes (NaN until framed)."""
    n = len(keys)
    columns: dict[str, list] = {name: [np.nan] * n for name in PROJECT_COLUMNS}
    columns |= {
        "project": projects,
        "kind": ["supergrid"] * n,
        "item": [item for item, _ in keys],
        "item_kind": [item_kind] * n,
        "region": regions,
        "period": [t for _, t in keys],
        "built": [False] * n,
        "capacity_unit": ["GW"] * n,
    }
    return pd.DataFrame(columns)


_ITEMS: dict[str, Callable[[Extract], Items]] = {
    "unit": _unit_items,
    "site": _site_items,
    "corridor": _corridor_items,
}


def _driver(x: Extract, kind: str) -> np.ndarray:
    """What an item's cost is proportional to, per key: o[u,t] (`operating`), K[s,t] GW or
    n[c,t] modules."""
    if kind == "unit":
        return operating(x)
    values = x.array(VARIABLES[kind])
    return values if kind == "site" else np.round(values)


def item_costs(x: Extract, kind: str, driver: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per key of the kind's variable: k_p·annual cost·driver, the item's cost scaled by its
    project's multiplier k_p, and φ_p of it, what a third party co-finances (US$ million/yr)."""
    items = _items(x, kind)
    cost = items.annual * driver * take(x.param_array("project_cost_scale"), items.scale, np.nan)
    return cost, cost * take(x.param_array("co_finance_share"), items.scale, np.nan)


def _unit_columns(x: Extract, items: Items, on: np.ndarray) -> Arrays:
    """Built (operating) and the Mt/yr a CCS unit avoids while on."""
    return {"built": on > 0.5, "generated_mt": items.factors["avoided_mt"] * on}


def _site_columns(x: Extract, items: Items, gw: np.ndarray) -> Arrays:
    """Built, GW and the TWh/yr a site sends."""
    twh = take(x.array("site_twh"), items.energy, np.nan)
    return {"built": gw > 1e-9, "capacity": gw, "energy_sent_twh": twh}


def _corridor_columns(x: Extract, items: Items, modules: np.ndarray) -> Arrays:
    """Built, modules, GW, and the TWh/yr a corridor sends and delivers (after its losses)."""
    flow = take(x.array("flow_twh"), items.energy, np.nan)
    return {
        "built": modules > 0.5,
        "modules": modules,
        "capacity": modules * items.factors["module_gw"],
        "energy_sent_twh": flow,
        "energy_delivered_twh": flow * items.factors["kept"],
    }


_COLUMNS: dict[str, Callable[[Extract, Items, np.ndarray], Arrays]] = {
    "unit": _unit_columns,
    "site": _site_columns,
    "corridor": _corridor_columns,
}


def _item_table(x: Extract, kind: str) -> pd.DataFrame:
    """One row per item of a kind and period: built, capacity, energy, avoided Mt, cost and
    what a third party co-finances of it (`item_costs`)."""
    items = _items(x, kind)
    if items.frame.empty:
        return pd.DataFrame(columns=PROJECT_COLUMNS)
    driver = _driver(x, kind)
    columns = _COLUMNS[kind](x, items, driver)
    columns["cost_musd"], columns["co_financed_musd"] = item_costs(x, kind, driver)
    frame = items.frame.copy()
    for name, values in columns.items():
        frame[name] = values
    return frame


@dataclass(frozen=True)
class Credits:
    """The rows of the credit table, one per project, period and region, worked out once per
    model.

    Per row: its group (project, period) (`group`, into `groups`), its region's position among
    the model's (`region`) and its region-period code (`code`), its positions among
    `credit_pooled`'s (`pooled`), `credit_share`'s (`shared`) and `absorbed_twh`'s
    (`absorbed`) keys, and the generation cost a delivered MWh saves there (US$/MWh). Per
    generation key: its row (`generation`, −1: none). Per group: its key among
    `project_cost_musd`'s (`cost_key`), and the code of each region of the model in its
    period (`share_code`, groups × regions).
    """

    keys: pd.DataFrame
    groups: list[tuple[str, int]]
    group: np.ndarray
    region: np.ndarray
    code: np.ndarray
    pooled: np.ndarray
    shared: np.ndarray
    absorbed: np.ndarray
    saved_usd_per_mwh: np.ndarray
    generation: np.ndarray
    cost_key: np.ndarray
    share_code: np.ndarray


def _credits(x: Extract) -> Credits:
    """The credit table's rows (made once per model)."""
    return x.memo("project_credits", lambda: _make_credits(x))


def _make_credits(x: Extract) -> Credits:
    idx = x.model.index
    P = idx.projects
    keys = list(x.model.pyomo.generated_mt.keys())
    generation = [(p, t, P.region_of_emitter.get(e)) for p, e, t in keys]
    generating: dict[tuple[str, int], set[str]] = {}
    for p, t, r in generation:
        if r is not None:
            generating.setdefault((p, t), set()).add(r)
    groups = sorted(generating)
    rows = [
        (p, t, r)
        for p, t in groups
        for r in sorted(set(P.participants.get(p, ())) | generating[p, t])
    ]
    row_of = {key: i for i, key in enumerate(rows)}
    group_of = {key: i for i, key in enumerate(groups)}
    regions = [r for _, _, r in rows]
    pairs = [(p, r) for p, _, r in rows]
    share_pairs = [(r, t) for _, t in groups for r in idx.regions]
    return Credits(
        keys=pd.DataFrame(rows, columns=CREDIT_COLUMNS[:3]),
        groups=groups,
        group=np.array([group_of[p, t] for p, t, _ in rows], dtype=np.int64),
        region=_regions(x, regions),
        code=_codes(x, [(r, t) for _, t, r in rows]),
        pooled=x.positions("credit_pooled", pairs),
        shared=x.positions("credit_share", pairs),
        absorbed=x.positions("absorbed_twh", [(p, r, t) for p, t, r in rows]),
        saved_usd_per_mwh=np.array(
            [P.avoided_generation_usd_per_mwh.get((r, t), 0.0) for _, t, r in rows], dtype=float
        ),
        generation=np.array([row_of.get(key, -1) for key in generation], dtype=np.int64),
        cost_key=x.positions("project_cost_musd", groups),
        share_code=_codes(x, share_pairs).reshape(len(groups), len(idx.regions)),
    )


def credit_arrays(x: Extract) -> Arrays:
    """The credit table's numbers per row (`credit_table`), in its column order."""
    cp = _credits(x)
    n, groups = len(cp.group), len(cp.groups)
    own = sum_by(cp.generation, x.array("generated_mt"), n)
    pooled = take(x.param_array("credit_pooled"), cp.pooled, 0.0)
    shares = take(x.param_array("credit_share"), cp.shared, 0.0)
    total = np.bincount(cp.group, own, minlength=groups)[cp.group]
    pool = np.bincount(cp.group, pooled * own, minlength=groups)[cp.group]
    credited = (1.0 - pooled) * own
    credited += shares * pool
    energy = take(x.array("absorbed_twh"), cp.absorbed, 0.0)
    return {
        "delivered_twh": energy,
        "avoided_generation_musd": energy * cp.saved_usd_per_mwh,
        "project_generated_mt": total,
        "generated_mt": own,
        "share": np.divide(credited, total, out=np.zeros(n), where=total != 0),
        "credited_mt": credited,
        "adjustment_mt": own - credited,
    }


def credit_table(x: Extract) -> pd.DataFrame:
    """Per project, period and region: generated there, share, credited, adjustment (Mt/yr).

    credited[r] = (1 − π[p,r])·G[p,r] + s[p,r]·Σ_g π[p,g]·G[p,g]: what r keeps of its own
    plus its share of the pool.
    """
    cp = _credits(x)
    if cp.keys.empty:
        return pd.DataFrame(columns=CREDIT_COLUMNS)
    frame = cp.keys.copy()
    for name, values in credit_arrays(x).items():
        frame[name] = values
    return frame


@dataclass(frozen=True)
class Cobenefits:
    """The rows of the cobenefit table, one per CCS unit key (unit, period) and receptor
    region, worked out once per model: the unit key's position among `ccs_new_build`'s, the
    PM the unit removes while running (t/yr), the share of it landing in the receptor and the
    receptor's region-period code."""

    keys: pd.DataFrame
    unit_key: np.ndarray
    tonnes: np.ndarray
    share: np.ndarray
    code: np.ndarray


def _cobenefits(x: Extract) -> Cobenefits:
    """The cobenefit table's rows (made once per model)."""
    return x.memo("project_cobenefits", lambda: _make_cobenefits(x))


def _make_cobenefits(x: Extract) -> Cobenefits:
    P = x.model.index.projects
    frame = _key_frame(x, "ccs_new_build", ["unit", "period"])
    if frame.empty:
        empty = np.zeros(0, dtype=np.int64)
        return Cobenefits(pd.DataFrame(columns=COBENEFIT_COLUMNS[:-1]), empty, empty, empty, empty)
    frame["on"] = np.arange(len(frame))
    units = P.units[["unit", "project", "region", "pm_avoided_t"]]
    transport = P.pm_transport[["source_region", "receptor_region", "share"]]
    frame = frame.merge(units, on="unit").merge(
        transport, left_on="region", right_on="source_region"
    )
    return Cobenefits(
        keys=frame[COBENEFIT_COLUMNS[:-1]].reset_index(drop=True),
        unit_key=frame["on"].to_numpy(dtype=np.int64),
        tonnes=frame["pm_avoided_t"].to_numpy(dtype=float),
        share=frame["share"].to_numpy(dtype=float),
        code=_codes(x, zip(frame["receptor_region"], frame["period"], strict=True)),
    )


def pm_landed(x: Extract) -> np.ndarray:
    """PM_u·o[u,t]·share[host → receptor]: the PM a CCS unit avoids landing in a receptor
    region (t/yr), per row of the cobenefit table."""
    cb = _cobenefits(x)
    return cb.tonnes * operating(x)[cb.unit_key] * cb.share


def cobenefit_table(x: Extract) -> pd.DataFrame:
    """PM avoided by each CCS unit, landing in each receptor region (t/yr)."""
    if not len(x.model.pyomo.ccs_new_build):
        return pd.DataFrame(columns=COBENEFIT_COLUMNS)
    frame = _cobenefits(x).keys.copy()
    frame["pm_avoided_t"] = pm_landed(x)
    return frame


def regional_pm_benefits(x: Extract) -> np.ndarray:
    """−damage[r] · PM landing in each receptor region r, per region-period code (US$
    million/yr; 0 unless valued)."""
    cb = _cobenefits(x)
    keys = x.model.index.region_periods()
    landed = sum_by(cb.code, pm_landed(x), len(keys))
    damage = x.inputs.pm_damage_usd_per_t
    per_tonne = np.array([damage.get(r, 0.0) for r, _ in keys], dtype=float)
    return 0.0 - landed * per_tonne / 1e6


def cost_share_matrix(x: Extract, credited: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """share[g, r] of each credit group g (project, period) among the model's regions, and
    whether r takes part in the split: given shares, else the credited shares, else equal
    (renormalised over a coalition's members)."""
    cp = _credits(x)
    regions = x.model.index.regions
    members = x.inputs.coalition
    acting = np.array([members is None or r in members for r in regions], dtype=bool)
    inside = take(acting, cp.region, members is None)
    weight = np.where(inside, credited, 0.0)
    total = np.bincount(cp.group, weight, minlength=len(cp.groups))[cp.group]
    count = np.bincount(cp.group, inside.astype(float), minlength=len(cp.groups))[cp.group]
    by_credit = total > 0
    row = np.where(by_credit, weight, inside) / np.where(by_credit, total, np.maximum(count, 1))
    share = np.zeros((len(cp.groups), len(regions)))
    part = np.zeros(share.shape, dtype=bool)
    placed = cp.region >= 0
    share[cp.group[placed], cp.region[placed]] = row[placed]
    part[cp.group[placed], cp.region[placed]] = inside[placed]
    projects = np.array([p for p, _ in cp.groups], dtype=object)
    for project, given in _given_cost_shares(x).items():
        chosen = projects == project
        share[chosen] = [given.get(r, 0.0) for r in regions]
        part[chosen] = [r in given for r in regions]
    return share, part


def _given_cost_shares(x: Extract) -> dict[str, dict[str, float]]:
    """Each project's given cost shares among the regions acting together, normalised: the
    scenario's, else participants.csv's when it gives one for every participant (projects
    whose shares add up to 0 left out)."""
    inputs = x.inputs
    members = inputs.coalition
    table = _cost_share_column(inputs.dataset.participants)
    out = {}
    for project in x.model.index.projects.projects:
        given = inputs.cost_shares.get(project) or table.get(project, {})
        given = {r: v for r, v in given.items() if members is None or r in members}
        total = sum(given.values())
        if total > 0:
            out[project] = {r: v / total for r, v in given.items()}
    return out


def _cost_share_column(participants: pd.DataFrame) -> dict[str, dict[str, float]]:
    """project → region → cost_share, for the projects with one for every participant."""
    shares: dict[str, dict[str, float]] = {}
    incomplete = set()
    columns = (participants[c].tolist() for c in ("project", "region", "cost_share"))
    for project, region, share in zip(*columns, strict=True):
        shares.setdefault(project, {})[region] = share
        if pd.isna(share):
            incomplete.add(project)
    return {p: s for p, s in shares.items() if p not in incomplete}


def cost_shares(x: Extract) -> pd.DataFrame:
    """project, period, region, cost_share: each region's share of a project's cost in a
    period, for the regions that take part in the split (`cost_share_matrix`)."""
    cp, regions = _credits(x), x.model.index.regions
    share, part = cost_share_matrix(x, credit_arrays(x)["credited_mt"])
    groups, at = np.nonzero(part)
    return pd.DataFrame(
        {
            "project": [cp.groups[g][0] for g in groups],
            "period": [cp.groups[g][1] for g in groups],
            "region": [regions[r] for r in at],
            "cost_share": share[groups, at],
        }
    )


def regional_project_costs(x: Extract) -> np.ndarray:
    """Per region-period code (US$ million/yr): what a region acting alone pays for the parts
    on its soil, plus its cost share of the rest, Σ_p share[p,r,t]·(C[p,t] − F[p,t] −
    alone[p,t])."""
    cp = _credits(x)
    size = len(x.model.index.region_periods())
    credits = credit_arrays(x)
    alone_by_project, alone_by_region = _alone_costs(x, credits)
    net = x.array("project_cost_musd") - x.array("co_financed_musd") - alone_by_project
    share, _ = cost_share_matrix(x, credits["credited_mt"])
    paid = share * take(net, cp.cost_key, 0.0)[:, None]
    return sum_by(cp.share_code.ravel(), paid.ravel(), size) + alone_by_region


def _alone_costs(x: Extract, credits: Arrays) -> tuple[np.ndarray, np.ndarray]:
    """alone[p,t,r] = (1 − φ_p)·k_p·capital − generation saved: what a region outside the
    coalition pays for the project parts on its own soil, summed per key (project, period) of
    `project_cost_musd` and per region-period code (zero outside games)."""
    cp = _credits(x)
    keys, size = len(x.model.pyomo.project_cost_musd), len(x.model.index.region_periods())
    by_project, by_region = np.zeros(keys), np.zeros(size)
    members = x.inputs.coalition
    if members is None:
        return by_project, by_region
    alone = np.array([r not in members for r in x.model.index.regions], dtype=bool)
    for kind in ("unit", "site"):
        items = _items(x, kind)
        cost, financed = item_costs(x, kind, _driver(x, kind))
        paid = np.where(take(alone, items.region, True), cost - financed, 0.0)
        by_project += sum_by(items.cost_key, paid, keys)
        by_region += sum_by(items.code, paid, size)
    saved = np.where(take(alone, cp.region, True), credits["avoided_generation_musd"], 0.0)
    by_project -= sum_by(cp.cost_key[cp.group], saved, keys)
    by_region -= sum_by(cp.code, saved, size)
    return by_project, by_region


def ledger_table(
    x: Extract,
    ndc: pd.DataFrame,
    trades: pd.DataFrame,
    credits: pd.DataFrame,
    offsets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Article 6 ledger, in real tonnes (Mt/yr):

        accounted = inventory + offset projects + allowance + offset + project adjustments.

    inventory: the emitters' emissions; offset_projects: −(international offsets the region's
    programmes sold), reductions in its territory outside every modelled emitter; allowance
    adjustment: Σ x sold − Σ min(1, k)·x bought across borders (`model.components.ndc`);
    offset adjustment: international offsets sold − bought (a seller's +o cancels its −o, a
    buyer subtracts o); project adjustment: credits generated − credited. Memo:
    exchange_rate_gap_mt = Σ (k − 1)·x over the cross-border links into the region: where
    > 0, allowances its emitters received beyond the tonnes it subtracts (in its inventory and
    accounted emissions); where < 0, tonnes the exporters cut that no NDC counts. The allowance
    adjustments of all regions add up to Σ (1 − k)⁺·x, the tonnes retired that way.
    """
    keys = ["region", "period"]
    ledger = ndc.set_index(keys)[["inventory_mt"]].copy()

    def by_region(values: pd.Series, regions: pd.Series, periods: pd.Series) -> pd.Series:
        summed = values.groupby([regions.rename("region"), periods.rename("period")]).sum()
        return summed.reindex(ledger.index, fill_value=0.0)

    offsets = offsets if offsets is not None else pd.DataFrame(columns=OFFSET_LEDGER_COLUMNS)
    sold_offsets = by_region(offsets["volume_mt"], offsets["seller_region"], offsets["period"])
    bought_offsets = by_region(offsets["volume_mt"], offsets["buyer_region"], offsets["period"])
    ledger["offset_projects_mt"] = -sold_offsets
    abroad = trades[trades["from_region"] != trades["to_region"]]
    sold = by_region(abroad["volume_mt"], abroad["from_region"], abroad["period"])
    subtracted = abroad["volume_mt"] * abroad["exchange_rate"].clip(upper=1.0)
    bought = by_region(subtracted, abroad["to_region"], abroad["period"])
    ledger["allowance_adjustment_mt"] = sold - bought
    ledger["offset_adjustment_mt"] = sold_offsets - bought_offsets
    project = (
        credits.groupby(keys)["adjustment_mt"].sum() if len(credits) else pd.Series(dtype=float)
    )
    ledger["project_adjustment_mt"] = project.reindex(ledger.index, fill_value=0.0)
    received = (
        credits.groupby(keys)["credited_mt"].sum() if len(credits) else pd.Series(dtype=float)
    )
    ledger["project_credits_mt"] = received.reindex(ledger.index, fill_value=0.0)
    ledger["accounted_mt"] = ledger[
        [
            "inventory_mt",
            "offset_projects_mt",
            "allowance_adjustment_mt",
            "offset_adjustment_mt",
            "project_adjustment_mt",
        ]
    ].sum(axis=1)
    target = ndc.set_index(keys)
    ledger["target_mt"] = target["target_mt"]
    ledger["shadow_price_usd_per_t"] = target["shadow_price_usd_per_t"]
    gap = abroad["volume_mt"] * (abroad["exchange_rate"] - 1.0)
    ledger["exchange_rate_gap_mt"] = by_region(gap, abroad["to_region"], abroad["period"])
    return ledger.reset_index()


OFFSET_LEDGER_COLUMNS = ["seller_region", "buyer_region", "period", "volume_mt"]
