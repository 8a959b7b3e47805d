"""Three instruments of the report against numbers computed by hand: international offsets
with limits (K-ETS's 5%, Japan's JCM), an NDC given as CO2 per GDP (China's), and exchange
rates on links — each through the model, the tables, the ledger and the accounts, and through
run, share, sweep and export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from abatelink.errors import InputError
from abatelink.inputs.dataset import load_dataset, ndc_targets
from abatelink.inputs.scenario import Scenario, scenario_inputs
from abatelink.model.build import build
from abatelink.model.levers import set_inputs
from abatelink.results.costs import outside_account

from factory import merge, one_market, solve, steps, write_dataset

NEA2018 = Path(__file__).resolve().parent.parent / "data" / "nea2018"


def row(table: pd.DataFrame, **where) -> pd.Series:
    """The one row of `table` where every column equals its value."""
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column] == value
    (index,) = table.index[mask]
    return table.loc[index]


def price(result, market: str, period: int = 2020) -> float:
    return float(row(result["prices"], market=market, period=period)["price_usd_per_t"])


def offer(seller: str, buyer: str, quantity: float, price_: float, program: str = "P") -> dict:
    return {
        "program": program,
        "seller_region": seller,
        "buyer_market": buyer,
        "period": 2020,
        "quantity_mt": quantity,
        "price_usd_per_t": price_,
    }


# --- international offsets ------------------------------------------------------------------


def korea_like(tmp_path: Path, share: float | None) -> Path:
    """K: one ETS market MK, 100 Mt baseline, cap 75, steps 10 Mt at 5, 12, 20; credits from
    outside the model (ROW) at 1 US$/t, 50 Mt on offer, up to `share` of the cap."""
    limits = [{"market": "MK", "period": 2020, "max_international_offset_share": share}]
    data = merge(
        one_market(tmp_path, "MK", "K", 100, 75, [10, 10, 10], [5, 12, 20]),
        {"offset_supply": [offer("ROW", "MK", 50, 1.0, "CDM")], "limits": limits},
    )
    return write_dataset(
        tmp_path / f"k{share}", periods=[2020], regions=["K"], outside_regions=["ROW"], **data
    )


def test_an_international_offset_limit_binds_and_its_rent_stays_with_the_buyer(tmp_path):
    result = solve(korea_like(tmp_path, 0.10))
    # 25 Mt to abate; 10% of the cap, 7.5 Mt, comes as offsets at 1: the rest, 17.5 Mt, is
    # 10 at 5 and 7.5 at 12, so the price is 12 and each credit is worth 12 − 1 = 11 more.
    assert price(result, "MK") == pytest.approx(12)
    offsets = row(result["offsets"], program="CDM")
    assert offsets["volume_mt"] == pytest.approx(7.5)
    assert bool(offsets["seller_outside"])
    assert offsets["buyer_rent_usd_per_t"] == pytest.approx(11)
    assert offsets["payment_musd"] == pytest.approx(7.5)
    assert row(result["balances"], market="MK")["international_offsets_mt"] == pytest.approx(7.5)
    costs = row(result["costs"], region="K")
    assert costs["abatement_cost_musd"] == pytest.approx(10 * 5 + 7.5 * 12)
    assert costs["offsets_cost_musd"] == pytest.approx(7.5)
    assert costs["national_cost_musd"] == pytest.approx(140 + 7.5)
    assert costs["emitters_offsets_musd"] == pytest.approx(7.5)  # min(P, p) = 1 per credit
    assert costs["emitters_cost_musd"] - costs["government_revenue_musd"] == pytest.approx(147.5)
    # The outside account: what leaves the model, reported by seller, not a region.
    assert result.summary["outside_account_present_value_musd"] == pytest.approx({"ROW": 7.5})
    assert "ROW" not in set(result["costs"]["region"])
    ledger = row(result["ledger"], region="K")
    assert ledger["offset_adjustment_mt"] == pytest.approx(-7.5)
    assert ledger["inventory_mt"] == pytest.approx(100 - 17.5)
    assert ledger["accounted_mt"] == pytest.approx(75)


def test_without_a_limit_the_offer_price_becomes_the_market_price(tmp_path):
    result = solve(korea_like(tmp_path, None))
    # Every tonne it needs, 25 Mt, is cheaper as a credit at 1 than any step (5 and up).
    assert price(result, "MK") == pytest.approx(1)
    assert row(result["offsets"], program="CDM")["volume_mt"] == pytest.approx(25)
    assert row(result["costs"], region="K")["abatement_cost_musd"] == pytest.approx(0)


def jcm_like(tmp_path: Path, **mongolia) -> Path:
    """J: one ETS market MJ, 100 Mt baseline, cap 88, steps 10 Mt at 5 and 8; MN sells 4 Mt/yr
    of JCM credits at 3 US$/t; MN has no emitters, and an NDC of 0 Mt."""
    data = merge(
        one_market(tmp_path, "MJ", "J", 100, 88, [10, 10], [5, 8]),
        {
            "offset_supply": [offer("MN", "MJ", 4, 3.0, "JCM")],
            "ndc": [
                {"region": "MN", "period": 2020, "target_mt": 0},
                {"region": "J", "period": 2020, "target_mt": 200},
            ],
        },
    )
    return write_dataset(tmp_path / "jcm", periods=[2020], regions=["J", "MN"], **data)


def test_a_seller_in_the_model_adjusts_what_it_sells_and_keeps_its_ndc(tmp_path):
    result = solve(jcm_like(tmp_path))
    # J needs 12 Mt: 4 credits at 3, then 8 of its 10 Mt at 5 (price 5, not 8 without them).
    assert price(result, "MJ") == pytest.approx(5)
    assert result.summary["objective_present_value_musd"] == pytest.approx(8 * 5 + 4 * 3)
    ledger = result["ledger"].set_index("region")
    # MN's projects cut 4 Mt outside any modelled emitter and MN adds them back; J subtracts them.
    assert ledger.loc["MN", "offset_projects_mt"] == pytest.approx(-4)
    assert ledger.loc["MN", "offset_adjustment_mt"] == pytest.approx(4)
    assert ledger.loc["MN", "accounted_mt"] == pytest.approx(0)
    assert ledger.loc["J", "offset_adjustment_mt"] == pytest.approx(-4)
    assert ledger.loc["J", "accounted_mt"] == pytest.approx(100 - 8 - 4)
    assert ledger["offset_adjustment_mt"].sum() == pytest.approx(0)  # no tonne counted twice
    ndc = result["ndc"].set_index("region")
    assert ndc.loc["MN", "shadow_price_usd_per_t"] == pytest.approx(0)  # MN's NDC of 0 holds
    assert ndc.loc["J", "accounted_mt"] == pytest.approx(ledger.loc["J", "accounted_mt"])
    offsets = row(result["offsets"], program="JCM")
    assert not bool(offsets["seller_outside"])
    assert offsets["payment_musd"] == pytest.approx(12)
    costs = result["costs"].set_index("region")
    assert costs.loc["J", "offsets_cost_musd"] == pytest.approx(12)
    assert costs.loc["J", "national_cost_musd"] == pytest.approx(40 + 12)
    assert costs.loc["MN", "national_cost_musd"] == pytest.approx(0)  # sold at cost
    assert costs.loc["MN", "offsets_sold_musd"] == pytest.approx(12)  # a memo line
    assert outside_account(result["offsets"]).empty


def test_credits_against_a_tax_split_between_emitters_and_the_treasury(tmp_path):
    """J: emissions taxed at 2, an NDC of 75 Mt on 100; steps 10 Mt at 1, 4, 9; credits from
    outside at 5, 3 Mt on offer, surrendered against the tax."""
    data = {
        "markets": [{"market": "TJ", "region": "J", "kind": "tax"}],
        "emitters": [{"emitter": "Je", "region": "J", "sector": "other", "market": None}],
        "baseline": [{"emitter": "Je", "period": 2020, "emissions_mt": 100}],
        "mac": steps("Je", 2020, [10, 10, 10], [1, 4, 9]),
        "taxes": [{"region": "J", "period": 2020, "rate_usd_per_t": 2}],
        "ndc": [{"region": "J", "period": 2020, "target_mt": 75}],
        "offset_supply": [offer("ROW", "TJ", 3, 5.0, "JCM")],
    }
    folder = write_dataset(
        tmp_path / "tax", periods=[2020], regions=["J"], outside_regions=["ROW"], **data
    )
    result = solve(folder)
    # 25 Mt for the NDC: 10 at 1, 10 at 4, the 3 credits at 5, then 2 of the step at 9, so
    # tax + λ = 9, λ = 7, and each credit is worth 2 + 7 − 5 = 4 beyond its price.
    ndc = row(result["ndc"], region="J")
    assert ndc["shadow_price_usd_per_t"] == pytest.approx(7)
    offsets = row(result["offsets"], program="JCM")
    assert offsets["volume_mt"] == pytest.approx(3)
    assert offsets["buyer_rent_usd_per_t"] == pytest.approx(4)
    costs = row(result["costs"], region="J")
    taxed = 100 - 22 - 3
    assert costs["tax_musd"] == pytest.approx(2 * taxed)
    assert costs["emitters_offsets_musd"] == pytest.approx(2 * 3)  # worth the tax to emitters
    assert costs["offset_support_musd"] == pytest.approx((5 - 2) * 3)  # the rest: the treasury
    abatement = 10 * 1 + 10 * 4 + 2 * 9
    assert costs["national_cost_musd"] == pytest.approx(abatement + 15)
    assert costs["emitters_cost_musd"] == pytest.approx(abatement + 2 * taxed + 6)
    assert costs["government_revenue_musd"] == pytest.approx(2 * taxed - 9)


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"seller_region": "XX"}, "seller_region", "outside_regions"),
        ({"seller_region": "J"}, "seller_region", "crosses a border"),
        ({"buyer_market": "NOPE"}, "buyer_market", "a market of markets.csv"),
    ],
)
def test_a_bad_offer_is_named_by_file_line_and_column(tmp_path, change, column, words):
    data = merge(
        one_market(tmp_path, "MJ", "J", 100, 88, [10, 10], [5, 8]),
        {
            "offset_supply": [
                offer("MN", "MJ", 4, 3.0),
                {**offer("MN", "MJ", 4, 3.0, "Q"), **change},
            ]
        },
    )
    folder = write_dataset(tmp_path / "bad", periods=[2020], regions=["J", "MN"], **data)
    with pytest.raises(InputError) as caught:
        load_dataset(folder)
    error = caught.value
    assert Path(error.file).name == "offset_supply.csv"
    assert (error.line, error.column) == (3, column)
    assert words in error.problem


# --- exchange rates on links ------------------------------------------------------------------


def exchange(tmp_path: Path, k: float) -> Path:
    """Linear MACs p = c·a (c_A 0.5, c_B 2) in 0.05 Mt steps; A must abate 30 Mt, B 50; A → B
    at exchange rate k, and B → A at 1/k with a transaction cost of 0.1 (so that no round
    trip ties with the one-way flow)."""
    slopes, required = {"MA": 0.5, "MB": 2.0}, {"MA": 30.0, "MB": 50.0}
    parts = []
    for market, region in (("MA", "A"), ("MB", "B")):
        n, dq = 2000, 0.05
        costs = [slopes[market] * dq * (i + 0.5) for i in range(n)]
        parts.append(
            one_market(tmp_path, market, region, 200, 200 - required[market], [dq] * n, costs)
        )
    links = [
        {"from_market": "MA", "to_market": "MB", "period": 2020, "exchange_rate": k},
        {
            "from_market": "MB",
            "to_market": "MA",
            "period": 2020,
            "exchange_rate": 1 / k,
            "transaction_cost_usd_per_t": 0.1,
        },
    ]
    return write_dataset(
        tmp_path / f"x{k}", periods=[2020], regions=["A", "B"], **merge(*parts, {"links": links})
    )


def test_two_linear_macs_with_an_exchange_rate_of_two_meet_the_closed_form(tmp_path):
    result = solve(exchange(tmp_path, 2.0))
    # A sends x: a_A = 30 + x, B receives 2x: a_B = 50 − 2x; p_A = 2·p_B at the optimum:
    # 0.5·(30 + x) = 2·2·(50 − 2x)  →  x = (200 − 15) / 8.5 = 21.765, p_A = 25.88, p_B = 12.94.
    x = (2 * 2 * 50 - 0.5 * 30) / (0.5 + 4 * 2)
    p_a, p_b = 0.5 * (30 + x), 2 * (50 - 2 * x)
    assert (x, p_a, p_b) == pytest.approx((21.765, 25.882, 12.941), abs=1e-3)
    assert price(result, "MA") == pytest.approx(p_a, rel=0.01)
    assert price(result, "MB") == pytest.approx(p_b, rel=0.01)
    assert price(result, "MA") == pytest.approx(2 * price(result, "MB"), rel=1e-9)
    trades = result["trades"].set_index(["from_market", "to_market"])
    sent = trades.loc[("MA", "MB")]
    assert sent["volume_mt"] == pytest.approx(x, rel=0.01)
    assert sent["received_mt"] == pytest.approx(2 * sent["volume_mt"])
    # The importer pays S = p_A per tonne sent, i.e. p_B per allowance it receives.
    assert sent["settlement_price_usd_per_t"] == pytest.approx(price(result, "MA"))
    assert sent["payment_musd"] == pytest.approx(sent["volume_mt"] * price(result, "MA"))
    assert sent["import_rent_usd_per_t"] == pytest.approx(0, abs=1e-9)
    costs = result["costs"].set_index("region")
    assert costs.loc["B", "paid_abroad_musd"] == pytest.approx(sent["payment_musd"])
    assert costs.loc["A", "received_from_abroad_musd"] == pytest.approx(sent["payment_musd"])
    national = costs["emitters_cost_musd"] - costs["government_revenue_musd"]
    assert costs["national_cost_musd"].to_numpy() == pytest.approx(national.to_numpy())
    # Real tonnes in the ledger: A adds x, B subtracts x; the other x B's emitters emit is the
    # exchange-rate gap, in B's inventory and removed by no adjustment.
    ledger = result["ledger"].set_index("region")
    assert ledger.loc["A", "allowance_adjustment_mt"] == pytest.approx(sent["volume_mt"])
    assert ledger.loc["B", "allowance_adjustment_mt"] == pytest.approx(-sent["volume_mt"])
    assert ledger.loc["B", "exchange_rate_gap_mt"] == pytest.approx(sent["volume_mt"])
    assert ledger.loc["B", "inventory_mt"] == pytest.approx(150 + 2 * sent["volume_mt"])
    assert ledger.loc["B", "accounted_mt"] == pytest.approx(150 + sent["volume_mt"])


def test_an_exchange_rate_of_one_changes_nothing(tmp_path):
    plain = solve(exchange(tmp_path, 1.0))
    closed_form = (30 + 50) / (1 / 0.5 + 1 / 2.0)  # p* = ΣR / Σ(1/c)
    assert price(plain, "MA") == pytest.approx(closed_form, rel=0.01)
    assert price(plain, "MB") == pytest.approx(price(plain, "MA"))


def test_a_round_trip_at_k_and_one_over_k_moves_no_tonne_between_ndcs(tmp_path):
    """A must cut 15 Mt for its NDC (steps 10 Mt at 2, 4, 6, 8: λ_A = 4); B has no NDC; both
    caps are slack; links A → B at 2 and B → A at 1/2, free. Were the importer to subtract
    every tonne sent, A could send x and take 2x back: no allowance would move, A's account
    would fall by x, B's rise by x, and A would never abate. It subtracts min(1, k)·x."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 100, [10, 10, 10, 10], [2, 4, 6, 8]),
        one_market(tmp_path, "MB", "B", 100, 100, [10], [10]),
        {
            "links": [
                {"from_market": "MA", "to_market": "MB", "period": 2020, "exchange_rate": 2},
                {"from_market": "MB", "to_market": "MA", "period": 2020, "exchange_rate": 0.5},
            ],
            "ndc": [{"region": "A", "period": 2020, "target_mt": 85}],
        },
    )
    result = solve(write_dataset(tmp_path / "trip", periods=[2020], regions=["A", "B"], **data))
    ndc = result["ndc"].set_index("region")
    assert ndc.loc["A", "shadow_price_usd_per_t"] == pytest.approx(4)
    assert row(result["abatement"], emitter="MA-e")["abatement_mt"] == pytest.approx(15)
    ledger = result["ledger"].set_index("region")
    assert ledger.loc["A", "accounted_mt"] == pytest.approx(85)
    assert ledger.loc["A", "allowance_adjustment_mt"] == pytest.approx(0)


@pytest.mark.parametrize(
    ("rates", "words"),
    [((0.0, 1.0), "exchange rate > 0"), ((2.0, 1.0), "multiply to 2 > 1")],
)
def test_a_bad_exchange_rate_is_named_by_file_line_and_column(tmp_path, rates, words):
    links = [
        {"from_market": a, "to_market": b, "period": 2020, "exchange_rate": k}
        for (a, b), k in zip((("MA", "MB"), ("MB", "MA")), rates, strict=True)
    ]
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10], [5]),
        one_market(tmp_path, "MB", "B", 100, 80, [10], [5]),
        {"links": links},
    )
    folder = write_dataset(tmp_path / "bad", periods=[2020], regions=["A", "B"], **data)
    with pytest.raises(InputError) as caught:
        load_dataset(folder)
    error = caught.value
    assert Path(error.file).name == "links.csv"
    assert (error.line, error.column) == (2, "exchange_rate")
    assert words in error.problem


# --- an NDC as CO2 per GDP ----------------------------------------------------------------------


def intensity_data(tmp_path: Path, ndc: dict, gdp_busd: float | None = 100) -> Path:
    """C: 100 Mt, steps 20 Mt at 3 and 7, a cap that never binds; an NDC row as given, and
    C's GDP (no gdp.csv if None)."""
    data = merge(
        one_market(tmp_path, "MC", "C", 100, 100, [20, 20], [3, 7]),
        {"ndc": [{"region": "C", "period": 2020, **ndc}]},
    )
    if gdp_busd is not None:
        data["gdp"] = [{"region": "C", "period": 2020, "gdp_busd": gdp_busd}]
    return write_dataset(tmp_path / "c", periods=[2020], regions=["C"], **data)


CHINA_LIKE = {"intensity_reduction_vs_base": 0.65, "base_intensity_t_per_kusd": 2.0}
BASE_INTENSITY = "base_intensity_t_per_kusd"


def test_an_intensity_target_is_intensity_times_gdp(tmp_path):
    folder = intensity_data(tmp_path, CHINA_LIKE)
    # (1 − 0.65) · 2 t per thousand US$ · US$100 bn = 70 Mt: 30 to abate, 20 at 3 and 10 at 7.
    assert ndc_targets(load_dataset(folder)).tolist() == pytest.approx([70])
    result = solve(folder)
    ndc = row(result["ndc"], region="C")
    assert (ndc["target_mt"], ndc["accounted_mt"]) == pytest.approx((70, 70))
    assert ndc["shadow_price_usd_per_t"] == pytest.approx(7)


def test_a_scenario_scales_gdp_and_the_target_follows(tmp_path):
    folder = intensity_data(tmp_path, CHINA_LIKE)
    scaled = {"gdp": [{"where": {"region": "C"}, "scale": {"gdp_busd": 1.25}}]}
    result = solve(folder, overrides=scaled)
    # 0.35 · 2 · 125 = 87.5 Mt: 12.5 to abate, all at 3.
    ndc = row(result["ndc"], region="C")
    assert ndc["target_mt"] == pytest.approx(87.5)
    assert ndc["shadow_price_usd_per_t"] == pytest.approx(3)


def test_a_built_model_re_solves_a_gdp_change_in_place(tmp_path):
    folder = intensity_data(tmp_path, CHINA_LIKE)
    dataset = load_dataset(folder)
    model = build(dataset)
    base = Scenario(name="b", dataset=str(folder))
    set_inputs(model, scenario_inputs(base, dataset))
    assert model.pyomo.ndc_target_mt["C", 2020].value == pytest.approx(70)
    scaled = Scenario(
        name="s",
        dataset=str(folder),
        overrides={"gdp": [{"where": {"region": "C"}, "scale": {"gdp_busd": 0.5}}]},
    )
    set_inputs(model, scenario_inputs(scaled, dataset), changed=["gdp"])
    assert model.pyomo.ndc_target_mt["C", 2020].value == pytest.approx(35)


@pytest.mark.parametrize(
    ("ndc", "gdp", "column", "words"),
    [
        ({"target_mt": 70, **CHINA_LIKE}, 100, "target_mt", "not both"),
        ({"target_mt": None}, 100, "target_mt", "expected target_mt"),
        ({"intensity_reduction_vs_base": 0.65}, 100, BASE_INTENSITY, "as well"),
        (CHINA_LIKE, None, BASE_INTENSITY, "gdp.csv"),
        ({**CHINA_LIKE, "base_intensity_t_per_kusd": 1e9}, 1e4, BASE_INTENSITY, "at most"),
    ],
)
def test_a_bad_ndc_row_is_named_by_file_line_and_column(tmp_path, ndc, gdp, column, words):
    folder = intensity_data(tmp_path, ndc, gdp)
    with pytest.raises(InputError) as caught:
        load_dataset(folder)
    error = caught.value
    assert Path(error.file).name == "ndc.csv"
    assert (error.line, error.column) == (2, column)
    assert words in error.problem


def test_validate_exits_4_on_a_bad_ndc_row(tmp_path, capsys):
    from abatelink.cli import main

    folder = intensity_data(tmp_path, {"target_mt": 70, **CHINA_LIKE})
    assert main(["validate", str(folder)]) == 4
    assert "ndc.csv, line 2, column 'target_mt'" in capsys.readouterr().err


def test_chinas_ndc_in_its_own_form_gives_the_shipped_target(tmp_path):
    """nea2018's CN 2030 target, 12,820.594 Mt, is 2020 CO2 (12,000 Mt) × GDP growth (5.3%/yr
    to 2025, 4.0%/yr to 2030) × the intensity 65% below 2005 over 2020's 48.4% below 2005.
    Written as China states it: 65% below a 2005 intensity of 12,000 / GDP_2020 / 0.516."""
    folder = tmp_path / "nea2018"
    shutil.copytree(NEA2018, folder)
    gdp_2020 = 14_687.7  # US$ bn; any level gives the same target
    gdp_2030 = gdp_2020 * 1.053**5 * 1.040**5
    ndc = pd.read_csv(folder / "ndc.csv")
    ndc["intensity_reduction_vs_base"] = None
    ndc["base_intensity_t_per_kusd"] = None
    china = ndc["region"] == "CN"
    ndc.loc[china, "target_mt"] = None
    ndc.loc[china, "intensity_reduction_vs_base"] = 0.65
    ndc.loc[china, "base_intensity_t_per_kusd"] = 12_000 / gdp_2020 / (1 - 0.484)
    ndc.to_csv(folder / "ndc.csv", index=False)
    gdp = pd.DataFrame({"region": ["CN"], "period": [2030], "gdp_busd": [gdp_2030]})
    gdp.to_csv(folder / "gdp.csv", index=False)
    dataset = load_dataset(folder)
    targets = ndc_targets(dataset).set_axis(dataset.ndc["region"])
    assert targets["CN"] == pytest.approx(12_820.594, abs=1e-3)
    assert targets["JP"] == pytest.approx(808.020)


# --- every instrument through run, share, sweep and export -----------------------------------


def all_instruments(tmp_path: Path) -> Path:
    """A (MA: 100 Mt, cap 85, steps 10 Mt at 2, 4, 6, 8) sends to B (MB: 100 Mt, cap 75, steps
    10 Mt at 10, 20, 30) at exchange rate 2 (and back at 1/2, at 0.1 US$/t); B may surrender
    credits from outside (1 US$/t) up to 10% of its cap; A's NDC is an intensity that does not
    bind."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 85, [10, 10, 10, 10], [2, 4, 6, 8]),
        one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [10, 20, 30]),
        {
            "links": [
                {"from_market": "MA", "to_market": "MB", "period": 2020, "exchange_rate": 2},
                {
                    "from_market": "MB",
                    "to_market": "MA",
                    "period": 2020,
                    "exchange_rate": 0.5,
                    "transaction_cost_usd_per_t": 0.1,
                },
            ],
            "limits": [{"market": "MB", "period": 2020, "max_international_offset_share": 0.1}],
            "offset_supply": [offer("ROW", "MB", 100, 1.0, "CDM")],
            "ndc": [{"region": "A", "period": 2020, **CHINA_LIKE}],
            "gdp": [{"region": "A", "period": 2020, "gdp_busd": 200}],
        },
    )
    write_dataset(
        tmp_path / "data", periods=[2020], regions=["A", "B"], outside_regions=["ROW"], **data
    )
    path = tmp_path / "linked.yaml"
    path.write_text(yaml.safe_dump({"name": "linked", "dataset": "data", "links": "all"}))
    return path


def test_run_share_sweep_and_export_carry_the_instruments(tmp_path):
    from abatelink.cli import main
    from abatelink.studies.sweep import load_results

    scenario = all_instruments(tmp_path)
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    # Alone: A abates 15 (10 at 2, 5 at 4: 40); B takes 7.5 Mt of credits and abates 17.5
    # (10 at 10, 7.5 at 20: 250), 257.5 in all. Linked: each tonne A sends is two of B's; A
    # abates 23.75 (…, 3.75 at 6: price 6), B none, at 6 / 2 = 3, still buying its 7.5 credits.
    prices = pd.read_csv(out / "prices.csv").set_index("market")["price_usd_per_t"]
    assert (prices["MA"], prices["MB"]) == pytest.approx((6, 3))
    trades = pd.read_csv(out / "trades.csv").set_index(["from_market", "to_market"])
    assert trades.loc[("MA", "MB"), "volume_mt"] == pytest.approx(8.75)
    costs = pd.read_csv(out / "costs.csv").set_index("region")["national_cost_musd"]
    assert (costs["A"], costs["B"]) == pytest.approx((82.5 - 6 * 8.75, 7.5 + 6 * 8.75))
    assert (out / "offsets.csv").exists()

    assert main(["share", str(scenario), "--out", str(tmp_path / "share")]) == 0
    values = pd.read_csv(next((tmp_path / "share").rglob("coalitions.csv")))
    grand = values[values["size"] == 2]["value_musd"].iloc[0]
    assert grand == pytest.approx((40 + 257.5) - (82.5 + 7.5))  # v(AB) = 207.5

    study = tmp_path / "study.yaml"
    study.write_text(
        yaml.safe_dump(
            {
                "name": "instruments",
                "scenario": "linked.yaml",
                "design": "grid",
                "outputs": ["prices", "costs"],
                "parameters": {
                    "gdp": {"table": "gdp", "scale": "gdp_busd", "values": [0.5, 1.0]},
                    "offer": {
                        "table": "offset_supply",
                        "set": "price_usd_per_t",
                        "values": [1.0, 2.0],
                    },
                },
            }
        )
    )
    assert main(["sweep", str(study), "--workers", "0", "--out", str(tmp_path / "sweep")]) == 0
    swept = load_results(tmp_path / "sweep")
    # B's credits at 1 or 2 US$/t are worth 3 to it: it buys its 7.5 Mt either way. GDP × 0.5
    # makes A's NDC 0.35 · 2 · 100 = 70 Mt: A abates 30 + x, sends x = 8.75 still (B then
    # abates nothing); A's cap is slack, λ_A = 8 (its step at 8), S = 8, p_B = 8 / 2 = 4.
    cost_b = swept[(swept["output"] == "costs") & (swept["item"] == "B") & swept["period"].notna()]
    expected = {
        (1.0, 1.0): 7.5 * 1 + 6 * 8.75,
        (1.0, 2.0): 7.5 * 2 + 6 * 8.75,
        (0.5, 1.0): 7.5 * 1 + 8 * 8.75,
        (0.5, 2.0): 7.5 * 2 + 8 * 8.75,
    }
    got = {(g, o): v for g, o, v in cost_b[["gdp", "offer", "value"]].itertuples(index=False)}
    assert got == pytest.approx(expected)

    assert main(["export", str(out), "--format", "xlsx", "--format", "parquet"]) == 0
    exported = pd.read_parquet(out / "export" / "parquet" / "offsets.parquet")
    assert exported["volume_mt"].tolist() == pytest.approx([7.5])
    sheet = pd.read_excel(out / "export" / "tables.xlsx", sheet_name="ledger")
    assert sheet.set_index("region").loc["B", "exchange_rate_gap_mt"] == pytest.approx(8.75)


def test_a_study_of_the_offset_limit_and_gdp_takes_the_compiled_path(tmp_path):
    """Both move only bounds, affinely (a share of the cap; a target (1 − r)·I·GDP), so a sweep
    writes them straight into HiGHS and must give what running each scenario gives."""
    from abatelink.inputs.study import base_scenario, design, load_study, scenario_for
    from abatelink.run import run
    from abatelink.studies.compiled import CompiledStudy
    from abatelink.studies.sweep import _worker_model, load_results, sweep

    all_instruments(tmp_path)
    study = tmp_path / "study.yaml"
    study.write_text(
        yaml.safe_dump(
            {
                "name": "bounds",
                "scenario": "linked.yaml",
                "design": "grid",
                "outputs": ["prices", "ndc_prices"],
                "parameters": {
                    "gdp": {"table": "gdp", "scale": "gdp_busd", "values": [0.5, 0.75, 1.0]},
                    "share": {
                        "table": "limits",
                        "set": "max_international_offset_share",
                        "values": [0.0, 0.1],
                    },
                },
            }
        )
    )
    assert isinstance(_worker_model(str(study)).compiled, CompiledStudy)
    sweep(str(study), tmp_path / "out", workers=0)
    swept = load_results(tmp_path / "out")
    swept = swept[swept["output"] == "prices"].sort_values(["scenario_id", "item"])
    parsed = load_study(str(study))
    expected = [
        price(run(scenario_for(base_scenario(parsed), parsed, row)), market)
        for row in design(parsed).to_dict("records")
        for market in ("MA", "MB")
    ]
    assert swept["value"].to_numpy() == pytest.approx(expected, abs=1e-7)
