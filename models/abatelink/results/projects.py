"""Result tables of the joint projects: builds, credits, PM co-benefits, cost shares, ledger.

Credits: with the host rule a region is credited what it generates; with any other rule the
project's credits are pooled and region r is credited s[p,r]·G[p]. The corresponding
adjustment of r is generated − credited (positive: r gives tonnes away and adds them back).
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
    return frame[PROJECT_COLUMNS]


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
]


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
    return pd.DataFrame(rows, columns=PROJECT_COLUMNS)


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
    return pd.DataFrame(rows, columns=PROJECT_COLUMNS)


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
    """Per project, period and region: generated there, share, credited, adjustment (Mt/yr)."""
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
        for region in sorted(regions):
            own = by_region.get((project, t, region), 0.0)
            share = shares[project, region] if pooled[project] else (own / total if total else 0)
            credited = share * total if pooled[project] else own
            energy = delivered.get((project, region, t), 0.0)
            saved = energy * P.avoided_generation_usd_per_mwh.get((region, t), 0.0)
            rows.append(
                (project, t, region, energy, saved, total, own, share, credited, own - credited)
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
    """project, period, region, cost_share: given shares, else the credited shares."""
    inputs = x.inputs
    participants = inputs.dataset.participants
    rows = []
    for (project, t), group in credits.groupby(["project", "period"]):
        given = inputs.cost_shares.get(project) or _given_cost_shares(participants, project)
        if given:
            shares = given
        elif group["credited_mt"].sum() > 0:
            shares = dict(zip(group["region"], group["credited_mt"] / group["credited_mt"].sum()))
        else:
            members = group["region"]
            shares = {r: 1.0 / len(members) for r in members}
        rows += [(project, t, r, s) for r, s in shares.items()]
    return pd.DataFrame(rows, columns=["project", "period", "region", "cost_share"])


def _given_cost_shares(participants: pd.DataFrame, project: str) -> dict[str, float]:
    rows = participants[participants["project"] == project]
    if rows["cost_share"].isna().any() or rows.empty:
        return {}
    return dict(zip(rows["region"], rows["cost_share"]))


def regional_project_costs(x: Extract, credits: pd.DataFrame) -> pd.Series:
    """Σ_p cost share[p,r,t]·C[p,t] by region and period (US$ million/yr)."""
    cost = x.values("project_cost_musd")
    if cost.empty:
        return pd.Series(dtype=float)
    cost = cost.rename("cost").rename_axis(["project", "period"])
    shares = cost_shares(x, credits).merge(cost.reset_index(), on=["project", "period"])
    return (
        (shares["cost_share"] * shares["cost"]).groupby([shares["region"], shares["period"]]).sum()
    )


def regional_pm_benefits(x: Extract, cobenefits: pd.DataFrame) -> pd.Series:
    """−damage · PM landing in each receptor region (US$ million/yr; 0 unless valued)."""
    damage = float(x.model.pyomo.pm_damage_usd_per_t.value)
    landed = cobenefits.groupby(["receptor_region", "period"])["pm_avoided_t"].sum()
    return -damage * landed / 1e6


def ledger_table(
    x: Extract, ndc: pd.DataFrame, trades: pd.DataFrame, credits: pd.DataFrame
) -> pd.DataFrame:
    """Article 6 ledger: inventory + allowance and project adjustments = accounted emissions."""
    keys = ["region", "period"]
    abroad = trades[trades["from_region"] != trades["to_region"]]
    sold = abroad.groupby(["from_region", "period"])["volume_mt"].sum().rename_axis(keys)
    bought = abroad.groupby(["to_region", "period"])["volume_mt"].sum().rename_axis(keys)
    ledger = ndc.set_index(keys)[["inventory_mt"]].copy()
    ledger["allowance_adjustment_mt"] = sold.reindex(ledger.index, fill_value=0.0) - bought.reindex(
        ledger.index, fill_value=0.0
    )
    project = (
        credits.groupby(keys)["adjustment_mt"].sum() if len(credits) else pd.Series(dtype=float)
    )
    ledger["project_adjustment_mt"] = project.reindex(ledger.index, fill_value=0.0)
    received = (
        credits.groupby(keys)["credited_mt"].sum() if len(credits) else pd.Series(dtype=float)
    )
    ledger["project_credits_mt"] = received.reindex(ledger.index, fill_value=0.0)
    ledger["accounted_mt"] = (
        ledger["inventory_mt"] + ledger["allowance_adjustment_mt"] + ledger["project_adjustment_mt"]
    )
    target = ndc.set_index(keys)
    ledger["target_mt"] = target["target_mt"]
    ledger["shadow_price_usd_per_t"] = target["shadow_price_usd_per_t"]
    return ledger.reset_index()
