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

Every line is summed with arrays over region-period codes r·T + t (the order of
`index.region_periods`), at positions `places` works out once per model, so a sweep can keep
costs at the cost of a few array operations; the tables are framed from those arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abatelink.model.index import ModelIndex
from abatelink.results.extract import Extract, clean, clean_values, sum_by, take
from abatelink.results.prices import price_rows, price_vector
from abatelink.results.projects import regional_pm_benefits, regional_project_costs

ACCOUNTS = ("national_cost_musd", "government_revenue_musd", "emitters_cost_musd")
RESOURCE_LINES = (
    "abatement_cost_musd",
    "project_cost_musd",
    "pm_benefit_musd",
    "transaction_cost_musd",
    "offsets_cost_musd",
)
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
Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class Places:
    """Where the keys of the accounts sit, worked out once per model.

    Codes are region-period codes (−1: not a region of the model); `*_price` are rows of
    `prices.price_rows`; `*_ndc` positions among `ndc_accounting`'s keys, `export_rent` among
    `exports_mt`'s, `*_market` among the ETS market-periods (−1: none of them).
    """

    size: int
    keys: pd.DataFrame
    links: pd.DataFrame
    exporter: np.ndarray
    importer: np.ndarray
    cross: np.ndarray
    rate: np.ndarray
    from_price: np.ndarray
    to_price: np.ndarray
    from_ndc: np.ndarray
    to_ndc: np.ndarray
    export_rent: np.ndarray
    to_tax: np.ndarray
    offers: pd.DataFrame
    buyer: np.ndarray
    seller: np.ndarray
    buyer_price: np.ndarray
    buyer_ndc: np.ndarray
    ets_region: np.ndarray
    step_region: np.ndarray
    pool_market: np.ndarray
    generation_market: np.ndarray


def places(x: Extract) -> Places:
    """The accounts' places for this model (made once per model)."""
    return x.memo("cost_places", lambda: _places(x))


def _places(x: Extract) -> Places:
    idx = x.model.index
    region_periods = idx.region_periods()
    code_of = {key: i for i, key in enumerate(region_periods)}
    ets = idx.market_periods(idx.ets_markets)
    ets_at = {key: i for i, key in enumerate(ets)}
    price_at = price_rows(x).position
    market_region = idx.region_of_market

    def codes(pairs: list) -> np.ndarray:
        return np.array([code_of.get(key, -1) for key in pairs], dtype=np.int64)

    def located(at: dict, pairs: list) -> np.ndarray:
        return np.array([at.get(key, -1) for key in pairs], dtype=np.int64)

    links = pd.DataFrame(idx.links, columns=["from_market", "to_market", "period"])
    links["from_region"] = links["from_market"].map(market_region)
    links["to_region"] = links["to_market"].map(market_region)
    links["cross_border"] = links["from_region"] != links["to_region"]
    links["exchange_rate"] = np.array([idx.exchange_rate[key] for key in idx.links], dtype=float)
    sent = list(zip(links["from_market"], links["period"], strict=True))
    got = list(zip(links["to_market"], links["period"], strict=True))
    exporter = list(zip(links["from_region"], links["period"], strict=True))
    importer = list(zip(links["to_region"], links["period"], strict=True))

    columns = ["program", "seller_region", "buyer_market", "period"]
    offers = pd.DataFrame(idx.offers, columns=columns)
    offers["seller_outside"] = ~offers["seller_region"].isin(idx.regions)
    offers["buyer_region"] = offers["buyer_market"].map(market_region)
    buyer = list(zip(offers["buyer_region"], offers["period"], strict=True))
    bought = list(zip(offers["buyer_market"], offers["period"], strict=True))

    pools, steps = idx.pools, idx.steps
    pool_code = codes(list(zip(pools["region"], pools["period"], strict=True)))
    generation = list(x.model.pyomo.generated_mt.keys()) if _has(x, "generated_mt") else []
    emitter_market = x.model.dataset.emitters.set_index("emitter")["market"].to_dict()
    keys = pd.DataFrame(region_periods, columns=["region", "period"])
    return Places(
        size=len(region_periods),
        keys=keys,
        links=links,
        exporter=codes(exporter),
        importer=codes(importer),
        cross=links["cross_border"].to_numpy(dtype=bool),
        rate=links["exchange_rate"].to_numpy(),
        from_price=located(price_at, sent),
        to_price=located(price_at, got),
        from_ndc=x.positions("ndc_accounting", exporter),
        to_ndc=x.positions("ndc_accounting", importer),
        export_rent=x.positions("exports_mt", sent),
        to_tax=links["to_market"].isin(idx.tax_markets).to_numpy(dtype=bool),
        offers=offers,
        buyer=codes(buyer),
        seller=codes(list(zip(offers["seller_region"], offers["period"], strict=True))),
        buyer_price=located(price_at, bought),
        buyer_ndc=x.positions("ndc_accounting", buyer),
        ets_region=codes([(market_region[mk], t) for mk, t in ets]),
        step_region=pool_code[steps["pool"].to_numpy()],
        pool_market=located(ets_at, list(zip(pools["market"], pools["period"], strict=True))),
        generation_market=located(ets_at, [(emitter_market.get(e), t) for _, e, t in generation]),
    )


def _has(x: Extract, name: str) -> bool:
    return hasattr(x.model.pyomo, name)


def _prices(x: Extract, prices: pd.DataFrame | None) -> np.ndarray:
    """The price of each row of `price_rows`, as the price table reports it."""
    if prices is None:
        return clean_values(price_vector(x))
    return prices["price_usd_per_t"].to_numpy(dtype=float)


def ndc_vector(x: Extract) -> np.ndarray:
    """λ[r,t] per key of `ndc_accounting`: the shadow price of the region's NDC, undiscounted
    US$/t (0 where slack)."""
    return np.nan_to_num(x.dual_array("ndc_accounting"), nan=0.0, posinf=np.inf, neginf=-np.inf)


def link_arrays(x: Extract, prices: pd.DataFrame | None = None) -> Arrays:
    """Per link and period (`index.links`): the settlement columns as arrays (see `settlement`)."""
    pl, idx = places(x), x.model.index
    price, ndc = _prices(x, prices), ndc_vector(x)
    n = len(idx.links)
    volume = x.array("trade_mt") if n else np.zeros(0)
    tau = x.param_array("transaction_cost_usd_per_t") if n else np.zeros(0)
    rent = np.maximum(-x.reduced_cost_array("exports_mt"), 0.0)
    cross = pl.cross
    out = {
        "volume_mt": volume,
        "exchange_rate": pl.rate,
        "received_mt": volume * pl.rate,
        "transaction_cost_usd_per_t": tau,
        "from_price_usd_per_t": take(price, pl.from_price, np.nan),
        "from_ndc_price_usd_per_t": take(ndc, pl.from_ndc, 0.0),
        "export_rent_usd_per_t": np.where(cross, take(rent, pl.export_rent, 0.0), 0.0),
        "to_price_usd_per_t": take(price, pl.to_price, np.nan),
        "to_ndc_price_usd_per_t": take(ndc, pl.to_ndc, 0.0),
    }
    exporter_ndc = np.where(cross, out["from_ndc_price_usd_per_t"], 0.0)
    importer_ndc = np.where(cross, np.minimum(1.0, pl.rate) * out["to_ndc_price_usd_per_t"], 0.0)
    settle = out["from_price_usd_per_t"] + exporter_ndc + out["export_rent_usd_per_t"]
    out["settlement_price_usd_per_t"] = settle
    out["import_rent_usd_per_t"] = pl.rate * out["to_price_usd_per_t"] + importer_ndc - settle - tau
    out["payment_musd"] = np.where(cross, volume * settle, 0.0)
    return out


def settlement(x: Extract, prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per link and period: the flow x sent and k·x received, both ends' prices, the settlement
    price S per tonne sent and the payment S·x from importer to exporter (0 between markets of
    one region); the import rent is per tonne sent, W − S − τ (see the module's docstring)."""
    frame = places(x).links.copy()
    for name, values in link_arrays(x, prices).items():
        frame[name] = values
    return frame[SETTLEMENT_COLUMNS]


def offer_arrays(x: Extract, prices: pd.DataFrame | None = None) -> Arrays:
    """Per offer (`index.offers`): the offset table's money as arrays (see `offset_table`)."""
    pl = places(x)
    price, ndc = _prices(x, prices), ndc_vector(x)
    n = len(pl.offers)
    volume = x.array("offer_mt") if n else np.zeros(0)
    offer = x.param_array("offer_price_usd_per_t") if n else np.zeros(0)
    buyer_price = take(price, pl.buyer_price, np.nan)
    buyer_ndc = take(ndc, pl.buyer_ndc, 0.0)
    return {
        "volume_mt": volume,
        "price_usd_per_t": offer,
        "buyer_price_usd_per_t": buyer_price,
        "buyer_ndc_price_usd_per_t": buyer_ndc,
        "buyer_rent_usd_per_t": buyer_price + buyer_ndc - offer,
        "payment_musd": volume * offer,
    }


def offset_table(x: Extract, prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per offer of international offsets (program, seller, buying market, period): the volume
    o bought of the quantity on offer, the offer price P, the buyer's market price p_n and NDC
    price λ_r(n), its rent p_n + λ_r(n) − P and the payment P·o to the seller (outside the
    model when `seller_outside`)."""
    frame = places(x).offers.copy()
    for name, values in offer_arrays(x, prices).items():
        frame[name] = values
    frame["max_volume_mt"] = x.param_array("offer_max_mt") if len(frame) else 0.0
    return clean(frame[OFFSET_COLUMNS])


def cost_lines(x: Extract, prices: pd.DataFrame | None = None) -> Arrays:
    """Per region-period code, US$ million/yr: each line of the three accounts, then the
    accounts (`ACCOUNTS`; see the module's docstring for what each holds)."""
    pl = places(x)
    lines = resource_lines(x)
    trades = link_arrays(x, prices)
    lines |= _trade_lines(pl, trades)
    lines |= _offset_lines(pl, offer_arrays(x, prices))
    into_tax = np.where(pl.cross & pl.to_tax, pl.importer, -1)
    paid = trades["volume_mt"] * trades["settlement_price_usd_per_t"]
    lines["paid_abroad_against_tax_musd"] = sum_by(into_tax, paid, pl.size)
    tax = x.param_array("tax_rate_usd_per_t") * x.array("taxed_emissions_mt")
    lines["tax_musd"] = tax if len(tax) else np.zeros(pl.size)
    lines["floor_top_up_musd"] = sum_by(pl.ets_region, floor_top_ups(x, prices), pl.size)
    ceiling = x.param_array("ceiling_usd_per_t") * x.array("ceiling_sales_mt")
    lines["ceiling_sales_musd"] = sum_by(pl.ets_region, ceiling, pl.size)
    lines["national_cost_musd"] = (
        lines["resource_cost_musd"] + lines["paid_abroad_musd"] - lines["received_from_abroad_musd"]
    )
    lines["government_revenue_musd"] = (
        lines["tax_musd"]
        + lines["floor_top_up_musd"]
        + lines["ceiling_sales_musd"]
        + lines["export_fees_musd"]
        - lines["import_support_musd"]
        - lines["offset_support_musd"]
        - lines["project_cost_musd"]
    )
    lines["emitters_cost_musd"] = (
        lines["abatement_cost_musd"]
        + lines["tax_musd"]
        + lines["floor_top_up_musd"]
        + lines["ceiling_sales_musd"]
        + lines["transaction_cost_musd"]
        + lines["emitters_imports_musd"]
        + lines["emitters_offsets_musd"]
        - lines["emitters_exports_musd"]
    )
    return lines


def cost_table(x: Extract, prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per region and period, US$ million/yr: each line of the three accounts, then the accounts
    (`cost_lines`)."""
    return _framed(x, cost_lines(x, prices))


def _framed(x: Extract, lines: Arrays) -> pd.DataFrame:
    """region, period, then each line, noise rounded away (`clean`)."""
    frame = places(x).keys.copy()
    names = list(lines)
    values = clean_values(np.column_stack([lines[name] for name in names]))
    return pd.concat([frame, pd.DataFrame(values, columns=names)], axis=1)


def resource_costs(x: Extract) -> pd.DataFrame:
    """Per region and period: what acting costs before any payment between regions (US$
    million/yr) — abatement + project cost shares + transaction costs borne + international
    offsets at their offer price (sold at cost: the reductions' cost, whoever sells them) + PM
    benefit (≤ 0). No price enters, so a solve without prices serves. Summed over the members
    of a coalition that trades only among itself, it is their national cost: their payments
    cancel.
    """
    lines = resource_lines(x)
    frame = places(x).keys.copy()
    for name, values in lines.items():
        frame[name] = values
    return frame


def resource_lines(x: Extract) -> Arrays:
    """`resource_costs`'s lines per region-period code."""
    pl, idx = places(x), x.model.index
    spent = x.step_abatement() * idx.steps["cost_usd_per_t"].to_numpy()
    lines = {"abatement_cost_musd": sum_by(pl.step_region, spent, pl.size)}
    lines["project_cost_musd"], lines["pm_benefit_musd"] = _project_lines(x)
    borne = np.zeros(0)
    if idx.links:
        borne = x.array("trade_mt") * x.param_array("transaction_cost_usd_per_t")
    lines["transaction_cost_musd"] = sum_by(pl.importer, borne, pl.size)
    paid = np.zeros(0)
    if idx.offers:
        paid = x.array("offer_mt") * x.param_array("offer_price_usd_per_t")
    lines["offsets_cost_musd"] = sum_by(pl.buyer, paid, pl.size)
    lines["resource_cost_musd"] = sum(lines[name] for name in RESOURCE_LINES)
    return lines


def _project_lines(x: Extract) -> tuple[np.ndarray, np.ndarray]:
    """Each region's share of project costs, and −(value of the PM it is spared)."""
    zero = np.zeros(places(x).size)
    if not x.model.index.projects.projects or not np.abs(x.array("project_cost_musd")).max() > 0:
        return zero, zero
    costs = regional_project_costs(x)
    if not any(x.inputs.pm_damage_usd_per_t.values()):
        return costs, zero
    return costs, regional_pm_benefits(x)


def _trade_lines(pl: Places, trades: Arrays) -> Arrays:
    """The money of allowance flows that cross a border, by region-period code (US$
    million/yr).

    paid_abroad / received_from_abroad: S·x; export_fees: (λ + μ^X)·x, what the exporter's
    government keeps of S; emitters_exports: p_m·x, what its emitters keep; emitters_imports:
    what importing emitters pay besides τ, min(S, k·p_n − τ)·x; import_support: what the
    importing government adds, (S − (k·p_n − τ))⁺·x — a tonne bought for the NDC beyond its
    worth in the market.
    """
    abroad = pl.cross
    volume = np.where(abroad, trades["volume_mt"], 0.0)
    settle = trades["settlement_price_usd_per_t"]
    sent = trades["from_price_usd_per_t"]
    worth = (
        trades["exchange_rate"] * trades["to_price_usd_per_t"]
        - trades["transaction_cost_usd_per_t"]
    )
    paid = volume * settle

    def by(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
        return sum_by(np.where(abroad, codes, -1), values, pl.size)

    return {
        "paid_abroad_musd": by(pl.importer, paid),
        "received_from_abroad_musd": by(pl.exporter, paid),
        "export_fees_musd": by(pl.exporter, volume * (settle - sent)),
        "emitters_exports_musd": by(pl.exporter, volume * sent),
        "emitters_imports_musd": by(pl.importer, volume * np.minimum(settle, worth)),
        "import_support_musd": by(pl.importer, volume * np.maximum(settle - worth, 0.0)),
    }


def _offset_lines(pl: Places, offers: Arrays) -> Arrays:
    """The emitters' and government's shares of the international offsets each region buys
    (US$ million/yr): emitters_offsets, min(P, p_n)·o, what the credits are worth in the buying
    market at most; offset_support, (P − p_n)⁺·o, what the government adds for its NDC. They
    add up to P·o, the national cost (`offsets_cost_musd`, a resource cost). Memo:
    offsets_sold, P·o received by a seller in the model — spent on the projects that make the
    credits (sold at cost), so in none of its accounts; Σ offsets_cost = Σ offsets_sold + the
    outside account."""
    volume, price = offers["volume_mt"], offers["price_usd_per_t"]
    market = offers["buyer_price_usd_per_t"]
    return {
        "offsets_sold_musd": sum_by(pl.seller, offers["payment_musd"], pl.size),
        "emitters_offsets_musd": sum_by(pl.buyer, volume * np.minimum(price, market), pl.size),
        "offset_support_musd": sum_by(pl.buyer, volume * np.maximum(price - market, 0.0), pl.size),
    }


def outside_account(offsets: pd.DataFrame) -> pd.DataFrame:
    """region (a seller outside the model), period, received_musd: what the model's regions
    pay sellers outside the model for international offsets (US$ million/yr) — reported, not
    a region of the model."""
    outside = offsets[offsets["seller_outside"].astype(bool)]
    by_seller = [outside["seller_region"].rename("region"), outside["period"]]
    received = outside["payment_musd"].groupby(by_seller).sum().rename("received_musd")
    return received.reset_index()


def floor_top_ups(x: Extract, prices: pd.DataFrame | None = None) -> np.ndarray:
    """(F − p)⁺·E per ETS market-period with a top-up floor F: what its emitters pay the
    government beyond the market price on every covered tonne (US$ million/yr); 0 without."""
    floor = x.param_array("top_up_floor_usd_per_t")
    if not floor.any():
        return np.zeros(len(floor))
    price = _prices(x, prices)[: len(floor)]  # the ETS rows come first
    return np.maximum(floor - price, 0.0) * covered_emissions(x)


def covered_emissions(x: Extract) -> np.ndarray:
    """E[m,t] = Σ_{p∈m} (B[p] − A[p]) − Σ_{j, e∈m} G[j,e,t]: each ETS market's covered
    emissions (Mt/yr), per ETS market-period."""
    pl, idx = places(x), x.model.index
    size = len(idx.ets_markets) * len(idx.periods)
    net = x.param_array("pool_baseline_mt") - x.array("pool_abatement_mt")
    emissions = sum_by(pl.pool_market, net, size)
    if len(pl.generation_market):
        emissions -= sum_by(pl.generation_market, x.array("generated_mt"), size)
    return emissions


def present_value(costs: pd.DataFrame, index: ModelIndex, account: str = ACCOUNTS[0]) -> pd.Series:
    """Σ_t w_t·account[r,t]: each region's present value of an account (US$ million) of a
    table by region (of the model, or a seller outside it) and period; the national cost
    unless another is named."""
    weight = costs["period"].map(index.weight)
    return (costs[account] * weight).groupby(costs["region"]).sum().astype(float)


def present_values(values: np.ndarray, index: ModelIndex) -> np.ndarray:
    """`present_value` on an array per region-period code of the model: one per region."""
    weights = np.array([index.weight(t) for t in index.periods])
    return values.reshape(len(index.regions), len(index.periods)) @ weights
