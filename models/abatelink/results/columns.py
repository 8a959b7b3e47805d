"""What every table a run writes holds, and what each of its columns means, in which unit.

Written once, here: the Excel export's "about" sheet, `markdown_table` (the README's output
table) and the tests that every column of every table is described read these mappings.

A column's unit is given where its name does not say it; else it follows the name's suffix
(`UNIT_RULES`: ``_mt`` Mt CO2/yr, ``_usd_per_t`` US$/t CO2, ``_musd`` million US$/yr, ...).
Units hold ``{currency}``, filled with the data set's currency (e.g. 'US$2020').
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """A result column: its meaning and, where its name does not say it, its unit.

    Attributes
    ----------
    meaning : str
        What the column holds, in one sentence.
    unit : str or None
        The unit (``{currency}`` for the currency); None: from the name (`column_unit`);
        "" for names, labels and flags.
    """

    meaning: str
    unit: str | None = None


UNIT_RULES: tuple[tuple[str, str], ...] = (
    (r"^bank_end_mt$", "Mt CO2 (stock at the period's end)"),
    (r"^initial_bank_mt$", "Mt CO2"),
    (r"_usd_per_t$", "{currency}/t CO2"),
    (r"_musd$", "million {currency}/yr"),
    (r"_mt$", "Mt CO2/yr"),
    (r"_twh$", "TWh/yr"),
    (r"_t$", "t/yr"),
    (r"(^|_)share$", "fraction"),
    (r"^period$", "year"),
    (r"^capacity$", "see capacity_unit"),
    (r"^modules$", "count"),
)
PRESENT_VALUE = "million {currency} (present value)"

TABLES: dict[str, str] = {
    "prices": "Allowance price of each ETS market and tax rate of each tax market, per period.",
    "abatement": "Per emitter and period: baseline, abatement, emissions and abatement cost.",
    "emissions": "Emissions per region, scope (an ETS market, 'non-ETS' or 'total') and period.",
    "balances": "Each ETS market's allowance balance per period: cap, emissions and flows.",
    "trades": "Allowance flows over each link (one row per direction) and their settlement.",
    "offsets": "International offsets bought per offer (programme, seller, buying market).",
    "bank": "Allowances banked by each ETS market at each period's end.",
    "costs": "Per region and period: each cost line and the three accounts (national, "
    "government, emitters).",
    "ndc": "Each region's NDC account per period: inventory, adjustments, target, shadow price.",
    "projects": "Joint projects' items (CCS units, sites, corridors): builds, energy, cost.",
    "credits": "Credits of each joint project generated and received per region and period.",
    "cobenefits": "PM2.5 avoided by each CCS unit, by source and receptor region.",
    "ledger": "The Article 6 ledger: each region's NDC account with every adjustment.",
    "diagnosis": "What to relax to make an infeasible run feasible (or with --diagnose).",
    "coalitions": "Every coalition of the sharing game: its cost and its value (saving).",
    "allocation": "How the grand coalition's saving is shared among the regions.",
}

SHARED: dict[str, Column] = {
    "region": Column("region of the model", ""),
    "period": Column("representative year"),
    "market": Column("market (ETS or tax); empty for emitters outside every market", ""),
    "project": Column("joint project", ""),
    "emitter": Column("emitter (sector pool of a region)", ""),
    "sector": Column("sector", ""),
    "kind": Column("kind: 'ets' or 'tax' for markets; 'ccs', 'supergrid' for projects", ""),
    "price_usd_per_t": Column("market price: allowance price (ETS) or tax rate (tax market)"),
    "baseline_mt": Column("emissions without abatement"),
    "abatement_mt": Column("abatement by the emitters below the baseline"),
    "project_reduction_mt": Column("emissions the joint projects avoid"),
    "emissions_mt": Column("emissions: baseline − abatement − project reduction"),
    "abatement_cost_musd": Column("cost of the abatement (area under the MAC steps used)"),
    "volume_mt": Column("volume sent (allowances or credits)"),
    "max_volume_mt": Column("upper bound on the volume; empty: none"),
    "payment_musd": Column("money paid for the volume, cross-border only"),
    "inventory_mt": Column("emissions of the region's inventory"),
    "accounted_mt": Column("inventory plus every adjustment: what the NDC target counts"),
    "target_mt": Column("NDC target; empty: no target in that period"),
    "shadow_price_usd_per_t": Column("shadow price of the NDC (0 where the target is slack)"),
    "adjustment_mt": Column("corresponding adjustment (positive: tonnes given away, added back)"),
}

COLUMNS: dict[str, dict[str, Column]] = {
    "prices": {
        "emitters_price_usd_per_t": Column("price the emitters face: max(p, F) under a floor"),
    },
    "emissions": {
        "scope": Column("an ETS market, 'non-ETS' or 'total' (all scopes)", ""),
    },
    "abatement": {
        "marginal_cost_usd_per_t": Column("cost of the dearest MAC step used; empty: none"),
    },
    "balances": {
        "cap_mt": Column("cap: allowances issued"),
        "covered_emissions_mt": Column("emissions of the market's emitters"),
        "imports_mt": Column("allowances received over links, at their exchange rates"),
        "exports_mt": Column("allowances sent over links"),
        "offsets_mt": Column("domestic offsets surrendered"),
        "international_offsets_mt": Column("international offsets surrendered"),
        "ceiling_sales_mt": Column("allowances sold at the price ceiling"),
        "floor_withdrawal_mt": Column("allowances withheld and cancelled below a reserve price"),
        "bank_end_mt": Column("bank at the period's end (negative: borrowed)"),
        "price_usd_per_t": Column("allowance price"),
    },
    "trades": {
        "from_market": Column("market sending the allowances", ""),
        "to_market": Column("market receiving them", ""),
        "from_region": Column("region of the sending market", ""),
        "to_region": Column("region of the receiving market", ""),
        "cross_border": Column("true/false: the two markets are in different regions", ""),
        "exchange_rate": Column("k: allowances of the importer per allowance sent", "ratio"),
        "received_mt": Column("allowances received: k × volume"),
        "transaction_cost_usd_per_t": Column("transaction cost per tonne sent"),
        "from_price_usd_per_t": Column("price of the sending market"),
        "from_ndc_price_usd_per_t": Column("shadow price of the sending region's NDC"),
        "export_rent_usd_per_t": Column("value of the sending market's export limit (binding)"),
        "settlement_price_usd_per_t": Column("settlement price S = p + λ + export rent"),
        "to_price_usd_per_t": Column("price of the receiving market"),
        "to_ndc_price_usd_per_t": Column("shadow price of the receiving region's NDC"),
        "import_rent_usd_per_t": Column("worth to the importer beyond S and τ, per tonne sent"),
        "payment_musd": Column("settlement × volume, cross-border only"),
    },
    "offsets": {
        "program": Column("offset programme (e.g. CDM, JCM)", ""),
        "seller_region": Column("region selling the credits", ""),
        "seller_outside": Column("true/false: the seller is outside the model", ""),
        "buyer_market": Column("market surrendering the credits", ""),
        "buyer_region": Column("region of the buying market", ""),
        "price_usd_per_t": Column("offer price P"),
        "buyer_price_usd_per_t": Column("price of the buying market"),
        "buyer_ndc_price_usd_per_t": Column("shadow price of the buying region's NDC"),
        "buyer_rent_usd_per_t": Column("rent left with the buyer: p_n + λ − P"),
        "payment_musd": Column("P × volume"),
    },
    "bank": {
        "bank_end_mt": Column("bank at the period's end (negative: borrowed)"),
    },
    "costs": {
        "project_cost_musd": Column("share of the joint projects' costs borne"),
        "pm_benefit_musd": Column("minus the value of the PM2.5 avoided (when valued)"),
        "transaction_cost_musd": Column("transaction costs of imports borne"),
        "offsets_cost_musd": Column("international offsets bought: P × volume"),
        "resource_cost_musd": Column("sum of abatement, project, PM, transaction, offsets"),
        "paid_abroad_musd": Column("settlement paid for allowances bought abroad"),
        "received_from_abroad_musd": Column("settlement received for allowances sold abroad"),
        "export_fees_musd": Column("government's share of export receipts: (λ + μ^X) × volume"),
        "emitters_exports_musd": Column("emitters' receipts for exports at their market price"),
        "emitters_imports_musd": Column("emitters' payments for imports: min(S, k·p − τ) × x"),
        "import_support_musd": Column("government's support of imports beyond their worth"),
        "offsets_sold_musd": Column("memo: received for offsets sold (spent on the projects)"),
        "emitters_offsets_musd": Column("emitters' payments for offsets: min(P, p) × volume"),
        "offset_support_musd": Column("government's support of offsets: (P − p)⁺ × volume"),
        "paid_abroad_against_tax_musd": Column("of paid abroad: what replaces the tax"),
        "tax_musd": Column("carbon tax paid"),
        "floor_top_up_musd": Column("price floor top-up paid: (F − p)⁺ × covered emissions"),
        "ceiling_sales_musd": Column("allowances bought at the price ceiling"),
        "national_cost_musd": Column("national cost: resource cost + paid − received abroad"),
        "government_revenue_musd": Column("government revenue (see README: three accounts)"),
        "emitters_cost_musd": Column("emitters' compliance cost (see README: three accounts)"),
    },
    "ndc": {
        "adjustment_mt": Column("corresponding adjustments of allowance trades"),
    },
    "projects": {
        "item": Column("CCS unit, site or corridor", ""),
        "item_kind": Column("'ccs unit', 'site' or 'corridor'", ""),
        "built": Column("true/false: built (operating) in that period", ""),
        "modules": Column("corridor modules built"),
        "capacity": Column("capacity (unit in capacity_unit)"),
        "capacity_unit": Column("unit of capacity: MW or GW", ""),
        "energy_sent_twh": Column("electricity sent"),
        "energy_delivered_twh": Column("electricity delivered after losses"),
        "generated_mt": Column("credits the item generates"),
        "cost_musd": Column("gross cost"),
        "co_financed_musd": Column("part of the cost a third party pays"),
    },
    "credits": {
        "delivered_twh": Column("electricity the region receives"),
        "avoided_generation_musd": Column("value of the generation it avoids"),
        "project_generated_mt": Column("credits the whole project generates"),
        "generated_mt": Column("credits generated in the region"),
        "share": Column("region's share of the pooled credits"),
        "credited_mt": Column("credits the region receives"),
        "adjustment_mt": Column("generated − credited: tonnes given away and added back"),
    },
    "cobenefits": {
        "unit": Column("CCS unit", ""),
        "source_region": Column("region of the unit", ""),
        "receptor_region": Column("region breathing the avoided PM2.5", ""),
        "pm_avoided_t": Column("PM2.5 avoided"),
    },
    "ledger": {
        "offset_projects_mt": Column("minus offsets sold: the seller's projects' cut"),
        "allowance_adjustment_mt": Column("allowances sold − bought (real tonnes)"),
        "offset_adjustment_mt": Column("offsets sold − bought"),
        "project_adjustment_mt": Column("joint projects' adjustments"),
        "project_credits_mt": Column("joint project credits received"),
        "accounted_mt": Column("inventory plus the five adjustments"),
        "exchange_rate_gap_mt": Column("memo: tonnes no NDC counts (links with k < 1)"),
    },
    "diagnosis": {
        "remedy": Column("'alone', or 'all together' when no kind alone is enough", ""),
        "commitment": Column("kind of commitment relaxed (cap, NDC target, ...)", ""),
        "market_or_region": Column("market or region of the commitment", ""),
        "relaxation_mt": Column("relaxation that restores feasibility", "see unit"),
        "unit": Column("unit of the relaxation", ""),
    },
    "coalitions": {
        "coalition": Column("members of the coalition ('∅': none)", ""),
        "size": Column("number of members", "count"),
        "cost_musd": Column("members' resource cost acting together", PRESENT_VALUE),
        "value_musd": Column("saving: cost alone − cost together", PRESENT_VALUE),
        "project_mt": Column("what joint projects avoid over the horizon", "Mt CO2"),
        "status": Column("solver status", ""),
        "seconds": Column("time to evaluate the coalition", "s"),
    },
    "allocation": {
        "standalone_cost_musd": Column("national cost acting alone", PRESENT_VALUE),
        "grand_coalition_cost_musd": Column("national cost in the grand coalition", PRESENT_VALUE),
        "allocated_saving_musd": Column("saving allocated by the game solution", PRESENT_VALUE),
        "share_of_saving": Column("share of the total saving", "fraction"),
        "side_payment_received_musd": Column("side payment received", PRESENT_VALUE),
        "final_cost_musd": Column("standalone cost − allocated saving", PRESENT_VALUE),
        "game_solution": Column("game solution (Shapley, nucleolus, ...)", ""),
        "credit_rules": Column("projects' credit rules", ""),
        "in_core": Column("true/false: the allocation is in the core", ""),
        "core_message": Column("why it is (not) in the core", ""),
    },
}


def column_unit(column: str, currency: str = "USD") -> str:
    """The unit a column's name says (empty when it says none).

    Examples
    --------
    >>> column_unit("price_usd_per_t", "US$2020")
    'US$2020/t CO2'
    >>> column_unit("volume_mt")
    'Mt CO2/yr'
    """
    for pattern, unit in UNIT_RULES:
        if re.search(pattern, column):
            return unit.format(currency=currency)
    return ""


def describe(table: str, column: str) -> Column:
    """The column's description in `table` (its own, else the shared one).

    Raises
    ------
    KeyError
        When neither `COLUMNS[table]` nor `SHARED` describes it.
    """
    found = COLUMNS.get(table, {}).get(column) or SHARED.get(column)
    if found is None:
        raise KeyError(f"{table}.{column}: no description in abatelink.results.columns")
    return found


def unit(table: str, column: str, currency: str = "USD") -> str:
    """The column's unit with the currency filled in."""
    given = describe(table, column).unit
    return column_unit(column, currency) if given is None else given.format(currency=currency)


def undescribed(tables: Mapping[str, Iterable[str]]) -> list[str]:
    """'table' or 'table.column' for every table and column (of `tables`: name to columns)
    that this module does not describe."""
    missing = [t for t in tables if t not in TABLES]
    for table, columns in tables.items():
        for column in columns:
            try:
                describe(table, column)
            except KeyError:
                missing.append(f"{table}.{column}")
    return missing


def markdown_table(tables: Mapping[str, Iterable[str]], currency: str = "US$") -> str:
    """A Markdown table: one row per table and column with its unit and meaning."""
    lines = ["| table | column | unit | meaning |", "|---|---|---|---|"]
    for table, columns in tables.items():
        lines.append(f"| {table}.csv | | | {TABLES[table]} |")
        lines += [
            f"| | {c} | {unit(table, c, currency)} | {describe(table, c).meaning} |"
            for c in columns
        ]
    return "\n".join(lines) + "\n"
