"""Result tables of the joint projects: builds, credits, PM co-benefits, cost shares, ledger.

Credits: with the host rule a region is credited what it generates; with any other rule the
credits of the regions acting together are pooled and region r is credited its share s[p,r] of
the pool (`model.components.credits`). The corresponding adjustment of r is generated −
credited (positive: r gives tonnes away and adds them back).

Costs: the regions pay C[p,t] − F[p,t], the project's cost less what a third party co-finances.
A region acting alone in a coalition game pays for the parts on its own soil; the rest is split
among the regions acting together by cost shares (given, else credited shares).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abatelink.results.extract import Extract


def project_tables(x: Extract) -> dict[str, pd.DataFrame]:
    """projects, credits and cobenefits tables (empty frames when there are no projects)."""
    return {
        "projects": pd.concat([_units(x), _sites(x), _corridors(x)], ignore_index=True).reset_index(
            drop=True
        ),
        "credits": credit_table(x),
        "cobenefits": cobenefit_table(x),
    }


def _operating(x: Extract) -> pd.Series:
    """o[u,t] = Σ_{τ ≤ t, t − τ < L_u} b[u,τ]: 1 while a CCS unit runs, indexed (unit, period)."""
    built = x.values("ccs_new_build").round()
    if built.empty:
        return built
    builds = built.rename("built").rename_axis(["unit", "tau"]).reset_index()
    life = x.model.index.projects.units.set_index("unit")["lifetime_years"]
    pairs = builds.merge(pd.DataFrame({"period": x.model.index.periods}), how="cross")
    age = pairs["period"] - pairs["tau"]
    running = pairs[(age >= 0) & (age < pairs["unit"].map(life))]
    operating = running.groupby(["unit", "period"])["built"].sum()
    return operating.reindex(built.index, fill_value=0.0).astype(float)


def _units(x: Extract) -> pd.DataFrame:
    """One row per CCS unit and period: built (operating), avoided Mt and cost while on."""
    operating = _operating(x)
    if operating.empty:
        return pd.DataFrame(columns=PROJECT_COLUMNS)
    on = operating.rename("on").rename_axis(["item", "period"]).reset_index()
    units = x.model.index.projects.units.rename(columns={"unit": "item"})
    frame = on.merge(units, on="item", how="left")
    frame["kind"], frame["item_kind"], frame["capacity_unit"] = "ccs", "ccs unit", "MW"
    frame["built"] = frame["on"] > 0.5
    frame["modules"] = frame["energy_sent_twh"] = frame["energy_delivered_twh"] = np.nan
    frame["capacity"] = frame["capacity_mw"]
    frame["generated_mt"] = frame["avoided_mt"] * frame["on"]
    frame["cost_musd"] = (frame["fixed_cost_musd"] + frame["variable_cost_musd"]) * frame["on"]
    return _financed(x, frame)


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


def _financed(x: Extract, frame: pd.DataFrame) -> pd.DataFrame:
    """Scale each item's cost by its project's multiplier k_p, and show the share φ_p of it a
    third party co-finances (US$ million/yr)."""
    scale, share = x.params("project_cost_scale"), x.params("co_finance_share")
    frame["cost_musd"] = frame["cost_musd"] * frame["project"].map(scale).astype(float)
    frame["co_financed_musd"] = frame["cost_musd"] * frame["project"].map(share).astype(float)
    return frame[PROJECT_COLUMNS]


def _sites(x: Extract) -> pd.DataFrame:
    sites = x.model.index.projects.sites.set_index("site")
    gw, twh = x.values("site_gw"), x.values("site_twh")
    rows = [
        {
            "project": sites.at[s, "project"],
            "kind": "supergrid",
            "item": s,
            "item_kind": "site",
            "region": sites.at[s, "region"],
            "period": t,
            "built": bool(gw[s, t] > 1e-9),
            "modules": np.nan,
            "capacity": gw[s, t],
            "capacity_unit": "GW",
            "energy_sent_twh": twh[s, t],
            "energy_delivered_twh": np.nan,
            "generated_mt": np.nan,
            "cost_musd": sites.at[s, "annual_musd_per_gw"] * gw[s, t],
        }
        for s, t in gw.index
    ]
    return _financed(x, pd.DataFrame(rows, columns=PROJECT_COLUMNS[:-1]))


def _corridors(x: Extract) -> pd.DataFrame:
    lines = x.model.index.projects.corridors.set_index("corridor")
    modules, flow = x.values("corridor_modules").round(), x.values("flow_twh")
    rows = [
        {
            "project": lines.at[c, "project"],
            "kind": "supergrid",
            "item": c,
            "item_kind": "corridor",
            "region": f"{lines.at[c, 'from_region']}->{lines.at[c, 'to_region']}",
            "period": t,
            "built": bool(modules[c, t] > 0.5),
            "modules": modules[c, t],
            "capacity": modules[c, t] * lines.at[c, "module_gw"],
            "capacity_unit": "GW",
            "energy_sent_twh": flow[c, t],
            "energy_delivered_twh": flow[c, t] * (1.0 - lines.at[c, "loss_share"]),
            "generated_mt": np.nan,
            "cost_musd": lines.at[c, "annual_musd_per_module"] * modules[c, t],
        }
        for c, t in modules.index
    ]
    return _financed(x, pd.DataFrame(rows, columns=PROJECT_COLUMNS[:-1]))


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


def credit_table(x: Extract) -> pd.DataFrame:
    """Per project, period and region: generated there, share, credited, adjustment (Mt/yr).

    credited[r] = (1 − π[p,r])·G[p,r] + s[p,r]·Σ_g π[p,g]·G[p,g]: what r keeps of its own
    plus its share of the pool.
    """
    P = x.model.index.projects
    generated = x.values("generated_mt")
    if generated.empty:
        return pd.DataFrame(columns=CREDIT_COLUMNS)
    frame = generated.rename("generated_mt").rename_axis(["project", "emitter", "period"])
    frame = frame.reset_index()
    frame["region"] = frame["emitter"].map(P.region_of_emitter)
    by_region = frame.groupby(["project", "period", "region"])["generated_mt"].sum()
    rows = []
    pooled, shares = x.params("credit_pooled"), x.params("credit_share")
    delivered = x.values("absorbed_twh")
    for (project, t), total in by_region.groupby(level=[0, 1]).sum().items():
        regions = set(P.participants.get(project, ())) | set(by_region[project, t].index)
        own = {r: by_region.get((project, t, r), 0.0) for r in regions}
        pool = sum(pooled[project, r] * g for r, g in own.items())
        for region in sorted(regions):
            credited = (1.0 - pooled[project, region]) * own[region]
            credited += shares[project, region] * pool
            energy = delivered.get((project, region, t), 0.0)
            saved = energy * P.avoided_generation_usd_per_mwh.get((region, t), 0.0)
            share = credited / total if total else 0.0
            rows.append(
                (
                    project,
                    t,
                    region,
                    energy,
                    saved,
                    total,
                    own[region],
                    share,
                    credited,
                    own[region] - credited,
                )
            )
    return pd.DataFrame(rows, columns=CREDIT_COLUMNS)


COBENEFIT_COLUMNS = [
    "project",
    "unit",
    "source_region",
    "receptor_region",
    "period",
    "pm_avoided_t",
]


def cobenefit_table(x: Extract) -> pd.DataFrame:
    """PM avoided by each CCS unit, landing in each receptor region (t/yr)."""
    operating = _operating(x)
    if operating.empty:
        return pd.DataFrame(columns=COBENEFIT_COLUMNS)
    units = x.model.index.projects.units[["unit", "project", "region", "pm_avoided_t"]]
    transport = x.model.index.projects.pm_transport[["source_region", "receptor_region", "share"]]
    frame = operating.rename("on").rename_axis(["unit", "period"]).reset_index()
    frame = frame.merge(units, on="unit").merge(
        transport, left_on="region", right_on="source_region"
    )
    frame["pm_avoided_t"] = frame["pm_avoided_t"] * frame["on"] * frame["share"]
    return frame[COBENEFIT_COLUMNS].reset_index(drop=True)


def cost_shares(x: Extract, credits: pd.DataFrame) -> pd.DataFrame:
    """project, period, region, cost_share among the regions acting together: given shares,
    else the credited shares, else equal (renormalised over a coalition's members)."""
    inputs = x.inputs
    participants = inputs.dataset.participants
    members = inputs.coalition
    rows = []
    for (project, t), group in credits.groupby(["project", "period"]):
        if members is not None:
            group = group[group["region"].isin(members)]
        given = inputs.cost_shares.get(project) or _given_cost_shares(participants, project)
        given = {r: v for r, v in given.items() if members is None or r in members}
        if sum(given.values()) > 0:
            shares = {r: v / sum(given.values()) for r, v in given.items()}
        elif group["credited_mt"].sum() > 0:
            shares = dict(zip(group["region"], group["credited_mt"] / group["credited_mt"].sum()))
        else:
            regions = group["region"]
            shares = {r: 1.0 / len(regions) for r in regions}
        rows += [(project, t, r, s) for r, s in shares.items()]
    return pd.DataFrame(rows, columns=["project", "period", "region", "cost_share"])


def _given_cost_shares(participants: pd.DataFrame, project: str) -> dict[str, float]:
    rows = participants[participants["project"] == project]
    if rows["cost_share"].isna().any() or rows.empty:
        return {}
    return dict(zip(rows["region"], rows["cost_share"]))


def regional_project_costs(x: Extract, credits: pd.DataFrame) -> pd.Series:
    """By region and period (US$ million/yr): what a region acting alone pays for the parts on
    its soil, plus its cost share of the rest, Σ_p share[p,r,t]·(C[p,t] − F[p,t] − alone[p,t])."""
    cost = x.values("project_cost_musd")
    if cost.empty:
        return pd.Series(dtype=float)
    alone = _alone_costs(x, credits)
    net = (cost - x.values("co_financed_musd")).rename_axis(["project", "period"])
    net = net.sub(alone.groupby(level=[0, 1]).sum(), fill_value=0.0).rename("cost")
    shares = cost_shares(x, credits).merge(net.reset_index(), on=["project", "period"])
    shared = (shares["cost_share"] * shares["cost"]).groupby([shares["region"], shares["period"]])
    by_region = alone.groupby(level=["region", "period"]).sum()
    return shared.sum().add(by_region, fill_value=0.0)


def _alone_costs(x: Extract, credits: pd.DataFrame) -> pd.Series:
    """(project, period, region) → what a region outside the coalition pays for the project
    parts on its own soil: (1 − φ_p)·k_p·capital − generation saved (empty outside games)."""
    members = x.inputs.coalition
    index = pd.MultiIndex.from_arrays([[], [], []], names=["project", "period", "region"])
    if members is None:
        return pd.Series(dtype=float, index=index)
    items = pd.concat([_units(x), _sites(x)], ignore_index=True)
    items = items[~items["region"].isin(members)]
    capital = items.groupby(["project", "period", "region"])["cost_musd"].sum()
    financed = items.groupby(["project", "period", "region"])["co_financed_musd"].sum()
    outside = credits[~credits["region"].isin(members)]
    saved = outside.set_index(["project", "period", "region"])["avoided_generation_musd"]
    alone = (capital - financed).sub(saved, fill_value=0.0)
    return alone[alone != 0].rename_axis(index.names)


def regional_pm_benefits(x: Extract, cobenefits: pd.DataFrame) -> pd.Series:
    """−damage[r] · PM landing in each receptor region r (US$ million/yr; 0 unless valued)."""
    damage = x.inputs.pm_damage_usd_per_t
    landed = cobenefits.groupby(["receptor_region", "period"])["pm_avoided_t"].sum()
    per_tonne = landed.index.get_level_values(0).map(lambda r: damage.get(r, 0.0))
    return -landed * per_tonne.to_numpy(dtype=float) / 1e6


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
