"""Who pays: settlement of every transfer and three accounts per region and period.

Notation (per period, undiscounted US$/t; volumes Mt/yr, money US$ million/yr): p_m the price of
market m (per allowance of m: its balance's dual; a tax market's is the dual of its tax base), λ_r
the shadow price of region r's NDC, τ a link's transaction cost, k its exchange rate (allowances of
n per allowance of m; 1 unless links.csv gives one), μ^X_m ≥ 0 the value of m's export limit (the
reduced cost of its exports at the bound), x a flow on link m → n in allowances of m, o an
international offset bought by market n at its offer price P.

**Settlement.** A tonne sent — an allowance of m, which becomes k allowances of n; the exporter
adds back one tonne to its NDC, the importer subtracts min(1, k) (`model.components.ndc`) — is
paid at the exporter's effective price plus its export rent,

    S = p_m + λ_r(m) + μ^X_m,

when it crosses a border: the corresponding adjustment costs the exporting country λ, and an
export limit that binds is a rent of the exporter's government (export licences). It is worth
W = k·p_n + min(1, k)·λ_r(n) to the importer; a flow strictly inside its bounds has
W = S + τ, i.e. p_m + λ_r(m) + τ = k·p_n + min(1, k)·λ_r(n) (p_m + τ = k·p_n between two
markets of one region). The importer pays S·x for the k·x allowances it receives and bears
τ·x; W − S − τ ≥ 0 (a binding import limit or link capacity) is a rent that stays with the
importer. Each payment is counted once paid and once received, so payments sum to zero over
regions.

**International offsets** (`offset_table`) are paid at their offer price, P·o, to the seller in
the model or outside it. The seller sells at cost (P is what the reductions cost it), so no
region earns on them: P·o is the buyer's resource cost; a seller in the model shows what it
receives as a memo line (offsets_sold), and what goes to sellers outside the model is the
outside account (`outside_account`), reported, not a region. Their worth to the
buyer beyond P, p_n + λ_r(n) − P (a binding international offset limit, or the offer sold out),
stays with the buyer.

**Three accounts** (`ACCOUNTS`); `paid_abroad_against_tax_musd` shows, inside paid_abroad, what
allowances surrendered against a tax cost abroad — tax the treasury no longer collects, paid out
for an adjustment worth λ, nothing unless the NDC binds:
- national cost = resource cost (abatement + project cost shares + transaction costs borne +
  international offsets P·o − the value of PM avoided, when valued) + paid abroad − received
  from abroad;
- government revenue = tax + floor top-up + ceiling sales + (λ + μ^X)·exports − import support
  (S − (k·p_n − τ))⁺·x, an import bought for the NDC beyond its worth in the market − offset
  support (P − p_n)⁺·o, likewise − project costs;
- emitters' compliance cost = abatement + tax + top-up + ceiling purchases + transaction costs +
  imports at min(S, k·p_n − τ)·x + offsets at min(P, p_n)·o − exports at p_m·x.

national = emitters − government − value of PM avoided, region by region. Gains from linking or
sharing are measured on the national account; a tax, a top-up or ceiling sales are transfers
within a country and appear only in the other two. Withdrawals under an auction reserve price are
not money: they shape the equilibrium (an LP term −R·w) and enter no account.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abatelink.model.index import ModelIndex
from abatelink.results.extract import Extract, clean
from abatelink.results.prices import price_table
from abatelink.results.projects import (
    cobenefit_table,
    credit_table,
    regional_pm_benefits,
    regional_project_costs,
)

ACCOUNTS = ("national_cost_musd", "government_revenue_musd", "emitters_cost_musd")
SETTLEMENT_COLUMNS = [
    "from_market",
    "to_market",
    "period",
    "from_region",
    "to_region",
    "cross_border",
    "volume_mt",
    "exchange_rate",
    "received_mt",
    "transaction_cost_usd_per_t",
    "from_price_usd_per_t",
    "from_ndc_price_usd_per_t",
    "export_rent_usd_per_t",
    "settlement_price_usd_per_t",
    "to_price_usd_per_t",
    "to_ndc_price_usd_per_t",
    "import_rent_usd_per_t",
    "payment_musd",
]


def settlement(x: Extract, prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per link and period: the flow x sent and k·x received, both ends' prices, the settlement
    price S per tonne sent and the payment S·x from importer to exporter (0 between markets of
    one region); the import rent is per tonne sent, W − S − τ (see the module's docstring)."""
    idx = x.model.index
    prices = price_table(x) if prices is None else prices
    frame = pd.DataFrame(idx.links, columns=["from_market", "to_market", "period"])
    frame["from_region"] = frame["from_market"].map(idx.region_of_market)
    frame["to_region"] = frame["to_market"].map(idx.region_of_market)
    frame["cross_border"] = frame["from_region"] != frame["to_region"]
    frame["volume_mt"] = x.values("trade_mt").to_numpy() if idx.links else 0.0
    frame["exchange_rate"] = [idx.exchange_rate[key] for key in idx.links]
    frame["received_mt"] = frame["volume_mt"] * frame["exchange_rate"]
    frame["transaction_cost_usd_per_t"] = (
        x.params("transaction_cost_usd_per_t").to_numpy() if idx.links else 0.0
    )
    price = prices.set_index(["market", "period"])["price_usd_per_t"]
    ndc = ndc_prices(x)
    export_rent = -x.per_year(x.reduced_costs("exports_mt")).clip(upper=0.0)
    for end in ("from", "to"):
        at = pd.MultiIndex.from_arrays([frame[f"{end}_market"], frame["period"]])
        frame[f"{end}_price_usd_per_t"] = price.reindex(at).to_numpy()
        regions = pd.MultiIndex.from_arrays([frame[f"{end}_region"], frame["period"]])
        frame[f"{end}_ndc_price_usd_per_t"] = ndc.reindex(regions, fill_value=0.0).to_numpy()
    markets = pd.MultiIndex.from_arrays([frame["from_market"], frame["period"]])
    rent = export_rent.reindex(markets, fill_value=0.0).to_numpy()
    frame["export_rent_usd_per_t"] = np.where(frame["cross_border"], rent, 0.0)
    abroad = frame["cross_border"].to_numpy()
    exporter_ndc = np.where(abroad, frame["from_ndc_price_usd_per_t"], 0.0)
    adjusted = np.minimum(1.0, frame["exchange_rate"])  # tonnes the importer subtracts per x
    importer_ndc = np.where(abroad, adjusted * frame["to_ndc_price_usd_per_t"], 0.0)
    frame["settlement_price_usd_per_t"] = (
        frame["from_price_usd_per_t"] + exporter_ndc + frame["export_rent_usd_per_t"]
    )
    frame["import_rent_usd_per_t"] = (
        frame["exchange_rate"] * frame["to_price_usd_per_t"]
        + importer_ndc
        - frame["settlement_price_usd_per_t"]
        - frame["transaction_cost_usd_per_t"]
    )
    frame["payment_musd"] = np.where(
        abroad, frame["volume_mt"] * frame["settlement_price_usd_per_t"], 0.0
    )
    return frame[SETTLEMENT_COLUMNS]


def ndc_prices(x: Extract) -> pd.Series:
    """λ[r,t]: the shadow price of each region's NDC, undiscounted US$/t (0 where slack)."""
    return x.per_year(x.duals("ndc_accounting")).fillna(0.0)


def cost_table(x: Extract, prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per region and period, US$ million/yr: each line of the three accounts, then the accounts
    (`ACCOUNTS`; see the module's docstring for what each holds).

    Computed from the solution arrays alone, so a sweep can keep costs without the other tables.
    """
    idx = x.model.index
    keys = pd.MultiIndex.from_tuples(idx.region_periods(), names=["region", "period"])
    prices = price_table(x) if prices is None else prices
    frame = resource_costs(x).set_index(["region", "period"]).reindex(keys)
    trades = settlement(x, prices)
    lines = {**_trade_lines(trades), **_offset_lines(offset_table(x, prices))}
    for name, values in lines.items():
        frame[name] = values.reindex(keys, fill_value=0.0)
    against_tax = trades[trades["cross_border"] & trades["to_market"].isin(idx.tax_markets)]
    paid = (against_tax["volume_mt"] * against_tax["settlement_price_usd_per_t"]).groupby(
        [against_tax["to_region"].rename("region"), against_tax["period"]]
    )
    frame["paid_abroad_against_tax_musd"] = paid.sum().reindex(keys, fill_value=0.0)
    taxed = x.values("taxed_emissions_mt")
    frame["tax_musd"] = (x.params("tax_rate_usd_per_t") * taxed).reindex(keys, fill_value=0.0)
    frame["floor_top_up_musd"] = _by_region(x, floor_top_ups(x, prices)).reindex(
        keys, fill_value=0.0
    )
    ceiling = x.params("ceiling_usd_per_t") * x.values("ceiling_sales_mt")
    frame["ceiling_sales_musd"] = _by_region(x, ceiling).reindex(keys, fill_value=0.0)
    frame["national_cost_musd"] = (
        frame["resource_cost_musd"] + frame["paid_abroad_musd"] - frame["received_from_abroad_musd"]
    )
    frame["government_revenue_musd"] = (
        frame["tax_musd"]
        + frame["floor_top_up_musd"]
        + frame["ceiling_sales_musd"]
        + frame["export_fees_musd"]
        - frame["import_support_musd"]
        - frame["offset_support_musd"]
        - frame["project_cost_musd"]
    )
    frame["emitters_cost_musd"] = (
        frame["abatement_cost_musd"]
        + frame["tax_musd"]
        + frame["floor_top_up_musd"]
        + frame["ceiling_sales_musd"]
        + frame["transaction_cost_musd"]
        + frame["emitters_imports_musd"]
        + frame["emitters_offsets_musd"]
        - frame["emitters_exports_musd"]
    )
    return clean(frame.reset_index())


def resource_costs(x: Extract) -> pd.DataFrame:
    """Per region and period: what acting costs before any payment between regions (US$
    million/yr) — abatement + project cost shares + transaction costs borne + international
    offsets at their offer price (sold at cost: the reductions' cost, whoever sells them) + PM
    benefit (≤ 0). No price enters, so a solve without prices serves. Summed over the members
    of a coalition that trades only among itself, it is their national cost: their payments
    cancel.

    Summed with arrays over region-period codes (r·T + t): coalition values call it for every
    coalition.
    """
    idx = x.model.index
    regions, periods = list(idx.regions), list(idx.periods)
    size = len(regions) * len(periods)

    def code(region: pd.Series, period: pd.Series) -> np.ndarray:
        r = region.map({name: i for i, name in enumerate(regions)}).to_numpy()
        t = period.map({year: i for i, year in enumerate(periods)}).to_numpy()
        return (r * len(periods) + t).astype(np.int64)

    steps, pools = idx.steps, idx.pools
    spent = x.step_abatement() * steps["cost_usd_per_t"].to_numpy()
    pool_code = code(pools["region"], pools["period"])
    frame = pd.DataFrame(
        {"region": np.repeat(regions, len(periods)), "period": periods * len(regions)}
    )
    frame["abatement_cost_musd"] = np.bincount(
        pool_code[steps["pool"].to_numpy()], spent, minlength=size
    )
    frame["project_cost_musd"], frame["pm_benefit_musd"] = 0.0, 0.0
    if idx.projects.projects:
        keys = pd.MultiIndex.from_frame(frame[["region", "period"]])
        project, pm = _project_lines(x, keys)
        frame["project_cost_musd"], frame["pm_benefit_musd"] = project.to_numpy(), pm.to_numpy()
    transaction = np.zeros(size)
    if idx.links:
        links = pd.DataFrame(idx.links, columns=["from_market", "to_market", "period"])
        borne = x.values("trade_mt").to_numpy() * x.params("transaction_cost_usd_per_t").to_numpy()
        buyer = code(links["to_market"].map(idx.region_of_market), links["period"])
        transaction = np.bincount(buyer, borne, minlength=size)
    frame["transaction_cost_musd"] = transaction
    offsets = np.zeros(size)
    if idx.offers:
        offers = pd.DataFrame(idx.offers, columns=["program", "seller", "market", "period"])
        paid = x.values("offer_mt").to_numpy() * x.params("offer_price_usd_per_t").to_numpy()
        buyer = code(offers["market"].map(idx.region_of_market), offers["period"])
        offsets = np.bincount(buyer, paid, minlength=size)
    frame["offsets_cost_musd"] = offsets
    lines = [
        "abatement_cost_musd",
        "project_cost_musd",
        "pm_benefit_musd",
        "transaction_cost_musd",
        "offsets_cost_musd",
    ]
    frame["resource_cost_musd"] = frame[lines].sum(axis=1)
    return frame


def _project_lines(x: Extract, keys: pd.MultiIndex) -> tuple[pd.Series, pd.Series]:
    """Each region's share of project costs, and −(value of the PM it is spared)."""
    zero = pd.Series(0.0, index=keys)
    if not x.model.index.projects.projects or not x.values("project_cost_musd").abs().max() > 0:
        return zero, zero
    costs = regional_project_costs(x, credit_table(x)).reindex(keys, fill_value=0.0)
    if not any(x.inputs.pm_damage_usd_per_t.values()):
        return costs, zero
    pm = regional_pm_benefits(x, cobenefit_table(x)).reindex(keys, fill_value=0.0)
    return costs, pm


def _trade_lines(trades: pd.DataFrame) -> dict[str, pd.Series]:
    """The money of allowance flows, by region and period (US$ million/yr).

    paid_abroad / received_from_abroad: S·x of cross-border flows; export_fees: (λ + μ^X)·x,
    what the exporter's government keeps of S; emitters_exports: p_m·x, what its emitters
    keep; emitters_imports: what importing emitters pay besides τ, min(S, k·p_n − τ)·x;
    import_support: what the importing government adds, (S − (k·p_n − τ))⁺·x — a tonne bought
    for the NDC beyond its worth in the market.
    """
    abroad = trades[trades["cross_border"]]
    volume = abroad["volume_mt"]
    settle = abroad["settlement_price_usd_per_t"]
    worth = (
        abroad["exchange_rate"] * abroad["to_price_usd_per_t"]
        - abroad["transaction_cost_usd_per_t"]
    )
    by_exporter = [abroad["from_region"].rename("region"), abroad["period"]]
    by_importer = [abroad["to_region"].rename("region"), abroad["period"]]
    return {
        "paid_abroad_musd": (volume * settle).groupby(by_importer).sum(),
        "received_from_abroad_musd": (volume * settle).groupby(by_exporter).sum(),
        "export_fees_musd": (volume * (settle - abroad["from_price_usd_per_t"]))
        .groupby(by_exporter)
        .sum(),
        "emitters_exports_musd": (volume * abroad["from_price_usd_per_t"])
        .groupby(by_exporter)
        .sum(),
        "emitters_imports_musd": (volume * np.minimum(settle, worth)).groupby(by_importer).sum(),
        "import_support_musd": (volume * (settle - worth).clip(lower=0.0))
        .groupby(by_importer)
        .sum(),
    }


OFFSET_COLUMNS = [
    "program",
    "seller_region",
    "seller_outside",
    "buyer_market",
    "buyer_region",
    "period",
    "volume_mt",
    "max_volume_mt",
    "price_usd_per_t",
    "buyer_price_usd_per_t",
    "buyer_ndc_price_usd_per_t",
    "buyer_rent_usd_per_t",
    "payment_musd",
]


def offset_table(x: Extract, prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per offer of international offsets (program, seller, buying market, period): the volume
    o bought of the quantity on offer, the offer price P, the buyer's market price p_n and NDC
    price λ_r(n), its rent p_n + λ_r(n) − P and the payment P·o to the seller (outside the
    model when `seller_outside`)."""
    idx = x.model.index
    prices = price_table(x) if prices is None else prices
    frame = pd.DataFrame(idx.offers, columns=["program", "seller_region", "buyer_market", "period"])
    frame["seller_outside"] = ~frame["seller_region"].isin(idx.regions)
    frame["buyer_region"] = frame["buyer_market"].map(idx.region_of_market)
    frame["volume_mt"] = x.values("offer_mt").to_numpy() if idx.offers else 0.0
    frame["max_volume_mt"] = x.params("offer_max_mt").to_numpy() if idx.offers else 0.0
    frame["price_usd_per_t"] = x.params("offer_price_usd_per_t").to_numpy() if idx.offers else 0.0
    price = prices.set_index(["market", "period"])["price_usd_per_t"]
    at = pd.MultiIndex.from_arrays([frame["buyer_market"], frame["period"]])
    frame["buyer_price_usd_per_t"] = price.reindex(at).to_numpy()
    regions = pd.MultiIndex.from_arrays([frame["buyer_region"], frame["period"]])
    ndc = ndc_prices(x).reindex(regions, fill_value=0.0).to_numpy()
    frame["buyer_ndc_price_usd_per_t"] = ndc
    frame["buyer_rent_usd_per_t"] = frame["buyer_price_usd_per_t"] + ndc - frame["price_usd_per_t"]
    frame["payment_musd"] = frame["volume_mt"] * frame["price_usd_per_t"]
    return clean(frame[OFFSET_COLUMNS])


def _offset_lines(offsets: pd.DataFrame) -> dict[str, pd.Series]:
    """The emitters' and government's shares of the international offsets each region buys
    (US$ million/yr): emitters_offsets, min(P, p_n)·o, what the credits are worth in the buying
    market at most; offset_support, (P − p_n)⁺·o, what the government adds for its NDC. They
    add up to P·o, the national cost (`offsets_cost_musd`, a resource cost). Memo:
    offsets_sold, P·o received by a seller in the model — spent on the projects that make the
    credits (sold at cost), so in none of its accounts; Σ offsets_cost = Σ offsets_sold + the
    outside account."""
    volume, price = offsets["volume_mt"], offsets["price_usd_per_t"]
    market = offsets["buyer_price_usd_per_t"]
    by_buyer = [offsets["buyer_region"].rename("region"), offsets["period"]]
    inside = offsets[~offsets["seller_outside"].astype(bool)]
    by_seller = [inside["seller_region"].rename("region"), inside["period"]]
    return {
        "offsets_sold_musd": inside["payment_musd"].groupby(by_seller).sum(),
        "emitters_offsets_musd": (volume * np.minimum(price, market)).groupby(by_buyer).sum(),
        "offset_support_musd": (volume * (price - market).clip(lower=0.0)).groupby(by_buyer).sum(),
    }


def outside_account(offsets: pd.DataFrame) -> pd.DataFrame:
    """region (a seller outside the model), period, received_musd: what the model's regions
    pay sellers outside the model for international offsets (US$ million/yr) — reported, not
    a region of the model."""
    outside = offsets[offsets["seller_outside"].astype(bool)]
    by_seller = [outside["seller_region"].rename("region"), outside["period"]]
    received = outside["payment_musd"].groupby(by_seller).sum().rename("received_musd")
    return received.reset_index()


def floor_top_ups(x: Extract, prices: pd.DataFrame) -> pd.Series:
    """(F − p)⁺·E of each market with a top-up floor: what its emitters pay the government
    beyond the market price on every covered tonne (US$ million/yr), by (market, period)."""
    floor = x.params("top_up_floor_usd_per_t")
    if floor.empty or not floor.any():
        return pd.Series(dtype=float)
    price = prices.set_index(["market", "period"])["price_usd_per_t"].reindex(floor.index)
    covered = covered_emissions(x).reindex(floor.index, fill_value=0.0)
    return (floor - price).clip(lower=0.0) * covered


def covered_emissions(x: Extract) -> pd.Series:
    """E[m,t] = Σ_{p∈m} (B[p] − A[p]) − Σ_{j, e∈m} G[j,e,t]: each ETS market's covered
    emissions (Mt/yr), by (market, period)."""
    idx = x.model.index
    pools = idx.pools
    net = (x.params("pool_baseline_mt") - x.values("pool_abatement_mt")).to_numpy()
    covered = pools["market"].notna().to_numpy()
    emissions = (
        pd.Series(net[covered])
        .groupby([pools["market"].to_numpy()[covered], pools["period"].to_numpy()[covered]])
        .sum()
    )
    generated = x.values("generated_mt")
    if not generated.empty:
        market = x.model.dataset.emitters.set_index("emitter")["market"]
        emitters, periods = generated.index.get_level_values(1), generated.index.get_level_values(2)
        avoided = generated.groupby([emitters.map(market), periods]).sum()
        emissions = emissions.sub(avoided, fill_value=0.0)
    return emissions


def _by_region(x: Extract, values: pd.Series) -> pd.Series:
    """A (market, period) series summed by (region, period)."""
    if values.empty:
        return pd.Series(dtype=float)
    region = x.model.index.region_of_market
    markets = values.index.get_level_values(0)
    return values.groupby([[region[m] for m in markets], values.index.get_level_values(1)]).sum()


def present_value(costs: pd.DataFrame, index: ModelIndex, account: str = ACCOUNTS[0]) -> pd.Series:
    """Σ_t w_t·account[r,t]: each region's present value of an account (US$ million); the
    national cost unless another is named."""
    weight = costs["period"].map(index.weight)
    return (costs[account] * weight).groupby(costs["region"]).sum().astype(float)
