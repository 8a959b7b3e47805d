"""The linked-market LP against answers computed by hand: merit order, closed forms, Hotelling."""

from __future__ import annotations

import numpy as np
import pytest

from factory import both_ways, merge, merit_order, one_market, solve, steps, write_dataset

A_STEPS = ([10, 10, 10, 10], [5, 12, 20, 40])
B_STEPS = ([10, 10, 10], [15, 30, 60])


def price(result, market: str, period: int = 2020) -> float:
    frame = result["prices"].set_index(["market", "period"])
    return float(frame.loc[(market, period), "price_usd_per_t"])


def test_one_market_price_and_cost_are_the_merit_order_answer(tmp_path):
    quantities, costs = [8, 4, 6, 10], [30, 7, 18, 55]
    data = one_market(tmp_path, "M", "A", baseline=100, cap=85, quantities=quantities, costs=costs)
    result = solve(write_dataset(tmp_path / "d", periods=[2020], regions=["A"], **data))
    expected_price, expected_cost = merit_order(list(zip(quantities, costs)), required_mt=15)
    # By hand: 4 Mt at 7, 6 Mt at 18, then 5 of the 8 Mt at 30 US$/t.
    assert (expected_price, expected_cost) == (30, 4 * 7 + 6 * 18 + 5 * 30)
    assert price(result, "M") == pytest.approx(expected_price)
    costs_table = result["costs"].set_index("region")
    assert costs_table.loc["A", "abatement_cost_musd"] == pytest.approx(expected_cost)
    assert result.summary["objective_present_value_musd"] == pytest.approx(expected_cost)


def test_two_linked_markets_with_linear_macs_meet_the_closed_form_price(tmp_path):
    # Linear MACs p_i = c_i·a_i, approximated by 0.05 Mt steps; abatement required R_i.
    slopes, required = {"MA": 0.5, "MB": 2.0}, {"MA": 30.0, "MB": 50.0}
    parts = []
    for market, region in (("MA", "A"), ("MB", "B")):
        n, dq = 2000, 0.05
        costs = [slopes[market] * dq * (k + 0.5) for k in range(n)]
        parts.append(
            one_market(tmp_path, market, region, 200, 200 - required[market], [dq] * n, costs)
        )
    data = merge(*parts, {"links": both_ways("MA", "MB")})
    result = solve(write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B"], **data))
    closed_form = sum(required.values()) / sum(1 / c for c in slopes.values())
    for market in slopes:
        assert price(result, market) == pytest.approx(closed_form, rel=0.01)
    assert price(result, "MA") != pytest.approx(slopes["MA"] * required["MA"], rel=0.01)


def _two_markets(tmp_path, **link_columns):
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, *A_STEPS),
        one_market(tmp_path, "MB", "B", 100, 75, *B_STEPS),
        {"links": both_ways("MA", "MB", **link_columns)},
    )
    return write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B"], **data)


def test_a_binding_transfer_limit_splits_prices_into_their_own_merit_order(tmp_path):
    unlimited = solve(_two_markets(tmp_path))
    # A needs 20 Mt, B 25: cheapest 45 are 10 each at 5, 12, 15 (B), 20 and 5 at 30 (B).
    assert price(unlimited, "MA") == pytest.approx(30) and price(unlimited, "MB") == 30
    limit = 4.0
    limited = solve(_two_markets(tmp_path / "limited", max_volume_mt=limit))
    expected_a, _ = merit_order(list(zip(*A_STEPS)), required_mt=20 + limit)
    expected_b, _ = merit_order(list(zip(*B_STEPS)), required_mt=25 - limit)
    assert (expected_a, expected_b) == (20, 60)
    assert price(limited, "MA") == pytest.approx(expected_a)
    assert price(limited, "MB") == pytest.approx(expected_b)
    trades = limited["trades"].set_index(["from_market", "to_market"])
    assert trades.loc[("MA", "MB"), "volume_mt"] == pytest.approx(limit)


def test_an_import_share_limit_binds_like_a_volume_limit(tmp_path):
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, *A_STEPS),
        one_market(tmp_path, "MB", "B", 100, 75, *B_STEPS),
        {
            "links": both_ways("MA", "MB"),
            "limits": [{"market": "MB", "period": 2020, "max_import_share": 4 / 75}],
        },
    )
    result = solve(write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B"], **data))
    assert price(result, "MA") == pytest.approx(20)
    assert price(result, "MB") == pytest.approx(60)
    balances = result["balances"].set_index("market")
    assert balances.loc["MB", "imports_mt"] == pytest.approx(4)


def test_transfer_limits_count_cross_border_flows_only(tmp_path):
    """Two markets of region A (MA, MA2) and B's MB; MA2 may import nothing from abroad and
    export nothing abroad, yet trades with MA freely: MA, MA2 and MB clear at one price."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, *A_STEPS),
        one_market(tmp_path, "MA2", "A", 50, 50, [10, 10], [1, 2]),
        one_market(tmp_path, "MB", "B", 100, 75, *B_STEPS),
        {
            "links": [*both_ways("MA", "MB"), *both_ways("MA", "MA2"), *both_ways("MA2", "MB")],
            "limits": [
                {"market": "MA2", "period": 2020, "max_import_share": 0, "max_export_share": 0}
            ],
        },
    )
    result = solve(write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B"], **data))
    # 45 Mt needed: 10 each at 1 and 2 (MA2), 5 and 12 (MA), then 5 at 15 (MB): price 15.
    assert [price(result, m) for m in ("MA", "MA2", "MB")] == pytest.approx([15, 15, 15])
    trades = result["trades"].set_index(["from_market", "to_market"])["volume_mt"]
    assert trades[("MA2", "MA")] == pytest.approx(20)  # all of MA2's abatement, sold at home
    assert trades[("MA2", "MB")] == pytest.approx(0) and trades[("MB", "MA2")] == pytest.approx(0)
    balances = result["balances"].set_index("market")
    assert balances.loc["MA2", ["imports_mt", "exports_mt"]].tolist() == pytest.approx([0, 0])


def test_a_one_way_link_and_a_tax_only_region_settle_without_error(tmp_path):
    """A sells to B over a one-way link; C has only a tax and trades with nobody."""
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, *A_STEPS),
        one_market(tmp_path, "MB", "B", 100, 75, *B_STEPS),
        {
            "links": [{"from_market": "MA", "to_market": "MB", "period": 2020}],
            "markets": [{"market": "TC", "region": "C", "kind": "tax"}],
            "emitters": [{"emitter": "uc", "region": "C", "sector": "other", "market": None}],
            "baseline": [{"emitter": "uc", "period": 2020, "emissions_mt": 10}],
            "mac": steps("uc", 2020, [5], [3]),
            "taxes": [{"region": "C", "period": 2020, "rate_usd_per_t": 8}],
        },
    )
    folder = write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B", "C"], **data)
    result = solve(folder)
    assert price(result, "MA") == pytest.approx(30) and price(result, "MB") == pytest.approx(30)
    costs = result["costs"].set_index("region")
    assert set(costs.index) == {"A", "B", "C"}
    # C abates its 3 US$/t step under an 8 US$/t tax and pays 8 on the other 5 Mt.
    assert costs.loc["C", "abatement_cost_musd"] == pytest.approx(15)
    assert costs.loc["C", "tax_musd"] == pytest.approx(5 * 8)
    assert costs.loc["C", "national_cost_musd"] == pytest.approx(15)
    # 45 Mt at 5, 12, 15 (B), 20 and 5 at 30 (B): A abates 30 and sells B 10 at 30 over the
    # one-way link; nothing flows back.
    assert costs.loc["A", "received_from_abroad_musd"] == pytest.approx(10 * 30)
    assert costs.loc["B", "paid_abroad_musd"] == pytest.approx(10 * 30)


def test_banking_makes_the_price_grow_at_the_discount_rate(tmp_path):
    rate, periods = 0.05, [2020, 2021, 2022]
    quantities, costs = [1.0] * 60, [2.0 * (k + 0.5) for k in range(60)]
    data = {
        "markets": [{"market": "M", "region": "A", "kind": "ets"}],
        "emitters": [{"emitter": "e", "region": "A", "sector": "s", "market": "M"}],
        "baseline": [{"emitter": "e", "period": t, "emissions_mt": 100} for t in periods],
        "mac": [row for t in periods for row in steps("e", t, quantities, costs)],
        "caps": [{"market": "M", "period": t, "cap_mt": c} for t, c in zip(periods, [95, 85, 55])],
    }
    folder = write_dataset(
        tmp_path / "d", periods=periods, regions=["A"], discount_rate=rate, **data
    )
    result = solve(folder, links="none")
    bank = result["bank"].set_index("period")["bank_end_mt"]
    assert bank[2020] > 1 and bank[2021] > 1 and bank[2022] == pytest.approx(0)
    prices = [price(result, "M", t) for t in periods]
    assert prices[1] / prices[0] == pytest.approx(1 + rate, rel=1e-9)
    assert prices[2] / prices[1] == pytest.approx(1 + rate, rel=1e-9)
    assert prices[0] > 20  # banking lifted the first price above its own merit order (5 Mt)


def test_borrowing_is_bounded_by_its_share_of_the_cap(tmp_path):
    periods = [2020, 2021]
    data = {
        "markets": [{"market": "M", "region": "A", "kind": "ets"}],
        "emitters": [{"emitter": "e", "region": "A", "sector": "s", "market": "M"}],
        "baseline": [{"emitter": "e", "period": t, "emissions_mt": 100} for t in periods],
        "mac": [row for t in periods for row in steps("e", t, [20, 20], [10, 100])],
        "caps": [
            {"market": "M", "period": 2020, "cap_mt": 80},
            {"market": "M", "period": 2021, "cap_mt": 100},
        ],
        "banking": [{"market": "M", "banking_allowed": True, "max_borrow_share": 0.1}],
    }
    folder = write_dataset(
        tmp_path / "d", periods=periods, regions=["A"], discount_rate=0.05, **data
    )
    result = solve(folder, links="none")
    # Abating 20 Mt in 2020 costs 10 US$/t; borrowing 8 Mt (10% of 80) moves 8 Mt of it to
    # 2021, where the same step costs 10/1.05 in present value: borrow all that is allowed.
    assert result["bank"].set_index("period").loc[2020, "bank_end_mt"] == pytest.approx(-8)
    abated = result["abatement"].set_index("period")["abatement_mt"]
    assert abated[2020] == pytest.approx(12) and abated[2021] == pytest.approx(8)


def _ndc_data(tmp_path, target: float | None):
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 100, [10, 10, 10, 10], [5, 10, 20, 40]),
        one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [30, 50, 80]),
        {"links": both_ways("MA", "MB")},
    )
    if target is not None:
        data["ndc"] = [{"region": "A", "period": 2020, "target_mt": target}]
    return write_dataset(tmp_path / f"d{target}", periods=[2020], regions=["A", "B"], **data)


def test_a_binding_ndc_reduces_exports_and_reports_its_shadow_price(tmp_path):
    free = solve(_ndc_data(tmp_path, None))
    bound = solve(_ndc_data(tmp_path, 92))

    def exports(result):
        return (
            result["trades"].set_index(["from_market", "to_market"]).loc[("MA", "MB"), "volume_mt"]
        )

    # Without an NDC: 25 Mt of abatement, all in A (5, 10, 20 US$/t steps): A sells 25 Mt.
    assert exports(free) == pytest.approx(25)
    assert price(free, "MB") == pytest.approx(20)
    # With inventory_A + exports_A ≤ 92: 33 Mt in all; A abates 30, B its first 3 at 30 US$/t.
    assert exports(bound) == pytest.approx(22)
    ndc = bound["ndc"].set_index("region")
    assert ndc.loc["A", "accounted_mt"] == pytest.approx(92)
    assert ndc.loc["A", "adjustment_mt"] == pytest.approx(22)
    assert ndc.loc["A", "shadow_price_usd_per_t"] == pytest.approx(30)
    assert ndc.loc["B", "shadow_price_usd_per_t"] == pytest.approx(0)
    assert ndc["adjustment_mt"].sum() == pytest.approx(0)
    # Settlement: A's ETS price is 0 (its cap is slack) but each exported tonne costs A's NDC
    # 30 US$/t, so B pays S = 0 + 30 for each of the 22 Mt; A's government keeps the 660.
    trades = bound["trades"].set_index(["from_market", "to_market"])
    assert trades.loc[("MA", "MB"), "settlement_price_usd_per_t"] == pytest.approx(30)
    costs = bound["costs"].set_index("region")
    assert costs.loc["A", "received_from_abroad_musd"] == pytest.approx(22 * 30)
    assert costs.loc["B", "paid_abroad_musd"] == pytest.approx(22 * 30)
    assert costs.loc["A", "government_revenue_musd"] == pytest.approx(22 * 30)
    assert costs.loc["A", "national_cost_musd"] == pytest.approx(10 * (5 + 10 + 20) - 660)


def test_ndc_targets_may_form_a_path_over_periods(tmp_path):
    """A's NDC in 2020 (92) and in 2025 (96), no banking: each period prices its own target."""
    parts = [
        merge(
            one_market(tmp_path, "MA", "A", 100, 100, [10, 10, 10, 10], [5, 10, 20, 40], t),
            one_market(tmp_path, "MB", "B", 100, 75, [10, 10, 10], [30, 50, 80], t),
            {"links": both_ways("MA", "MB", t)},
        )
        for t in (2020, 2025)
    ]
    data = merge(*parts)
    for table in ("markets", "emitters"):
        data[table] = data[table][: len(data[table]) // 2]  # one row each, not one per period
    data["ndc"] = [
        {"region": "A", "period": 2020, "target_mt": 92},
        {"region": "A", "period": 2025, "target_mt": 96},
    ]
    data["banking"] = [{"market": m, "banking_allowed": False} for m in ("MA", "MB")]
    folder = write_dataset(tmp_path / "p", periods=[2020, 2025], regions=["A", "B"], **data)
    result = solve(folder)
    ndc = result["ndc"].set_index(["region", "period"])
    # 2020 as above: A abates 30, exports 22, λ_A = 30 (B's first step). 2025: exporting x
    # needs A to abate x + 4, so A covers all of B's 25 by abating 29 (its 20 step at the
    # margin, below B's 30): λ_A = 20 − 0, A's ETS price being 0.
    assert ndc.loc[("A", 2020), "shadow_price_usd_per_t"] == pytest.approx(30)
    assert ndc.loc[("A", 2025), "shadow_price_usd_per_t"] == pytest.approx(20)
    assert ndc.loc[("A", 2025), "accounted_mt"] == pytest.approx(96)
    trades = result["trades"].set_index(["from_market", "period"])["volume_mt"]
    assert trades[("MA", 2020)] == pytest.approx(22) and trades[("MA", 2025)] == pytest.approx(25)


def test_a_warm_re_solve_after_a_cap_change_equals_a_cold_solve(tmp_path):
    from abatelink.inputs.scenario import Scenario, scenario_dataset, scenario_inputs
    from abatelink.model.build import build
    from abatelink.model.levers import set_inputs
    from abatelink.solve.session import Session

    folder = _two_markets(tmp_path)
    tighter = Scenario(
        name="t",
        dataset=str(folder),
        links="all",
        overrides={"caps": [{"where": {"market": "MB"}, "scale": {"cap_mt": 0.9}}]},
    )
    warm = solve(folder)
    set_inputs(warm.model, scenario_inputs(tighter, scenario_dataset(tighter)))
    warm_solution = warm.session.solve()
    cold_model = build(scenario_dataset(tighter))
    set_inputs(cold_model, scenario_inputs(tighter, scenario_dataset(tighter)))
    cold_solution = Session(cold_model).solve()
    assert warm_solution.objective == pytest.approx(cold_solution.objective, rel=1e-9)
    assert warm_solution.objective != pytest.approx(warm.solution.objective)
    # A needs 20 Mt, B 100 − 75·0.9 = 32.5: 52.5 in all, cheapest first: 10 each at 5, 12, 15,
    # 20, 30 and 2.5 at 40 US$/t.
    assert cold_solution.objective == pytest.approx(50 + 120 + 150 + 200 + 300 + 2.5 * 40)


def _tax_data(tmp_path, import_share: float):
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 85, [10, 10, 10], [5, 10, 20]),
        one_market(tmp_path, "MB", "B", 100, 85, [10, 10, 10], [15, 30, 60]),
        {
            "markets": [{"market": "TB", "region": "B", "kind": "tax"}],
            "emitters": [{"emitter": "ub", "region": "B", "sector": "other", "market": None}],
            "baseline": [{"emitter": "ub", "period": 2020, "emissions_mt": 50}],
            "mac": steps("ub", 2020, [10], [100]),
            "links": [
                *both_ways("MA", "MB"),
                {"from_market": "MA", "to_market": "TB", "period": 2020},
            ],
            "taxes": [{"region": "B", "period": 2020, "rate_usd_per_t": 40}],
            "limits": [{"market": "TB", "period": 2020, "max_import_share": import_share}],
        },
    )
    return write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B"], **data)


def test_allowances_surrendered_against_a_tax_up_to_the_import_limit(tmp_path):
    result = solve(_tax_data(tmp_path, import_share=0.1))
    # 30 Mt of abatement: 10 at 5, 10 at 10, 10 at 15; then 5 Mt (10% of 50) for the tax
    # at 20 US$/t from A's third step, which sets both ETS prices.
    assert price(result, "MA") == pytest.approx(20)
    assert price(result, "MB") == pytest.approx(20)
    assert price(result, "TB") == pytest.approx(40)
    costs = result["costs"].set_index("region")
    assert costs.loc["B", "tax_musd"] == pytest.approx(45 * 40)
    # A sells 10 Mt at 20 US$/t (5 into B's ETS, 5 against B's tax); B pays for them.
    assert costs.loc["A", "received_from_abroad_musd"] == pytest.approx(200)
    assert costs.loc["B", "paid_abroad_musd"] == pytest.approx(200)
    assert costs.loc["B", "paid_abroad_against_tax_musd"] == pytest.approx(5 * 20)
    assert result.summary["objective_present_value_musd"] == pytest.approx(250 + 150 + 1800)
    # National: A abates 10·5 + 10·10 + 5·20 = 250 and earns 200; B abates 10·15 and pays 200.
    assert costs["national_cost_musd"].to_dict() == pytest.approx({"A": 50, "B": 350})
    # B's emitters pay 20 for an allowance that spares them 40 of tax: 150 + 1,800 + 200.
    assert costs.loc["B", "emitters_cost_musd"] == pytest.approx(2150)
    assert costs.loc["B", "government_revenue_musd"] == pytest.approx(1800)
    # The import limit binds for the tax: the 20 US$/t rent stays with B.
    trades = result["trades"].set_index(["from_market", "to_market"])
    assert trades.loc[("MA", "TB"), "import_rent_usd_per_t"] == pytest.approx(20)
    assert trades.loc[("MA", "MB"), "import_rent_usd_per_t"] == pytest.approx(0)


def test_regional_costs_add_up_to_the_objective(tmp_path):
    result = solve(
        _tax_data(tmp_path, import_share=0.1),
        links="all",
        overrides={
            "links": [{"where": {"from_market": "MA"}, "set": {"transaction_cost_usd_per_t": 1.5}}]
        },
    )
    costs = result["costs"]
    # The objective counts the tax, a transfer within B: national costs plus tax add up to it.
    total = costs["national_cost_musd"].sum() + costs["tax_musd"].sum()
    assert total == pytest.approx(result.summary["objective_present_value_musd"])
    trades = result["trades"]
    assert (trades["volume_mt"] * trades["transaction_cost_usd_per_t"]).sum() > 0
    # Every payment abroad is someone's receipt, and national = emitters − government.
    assert costs["paid_abroad_musd"].sum() == pytest.approx(
        costs["received_from_abroad_musd"].sum()
    )
    assert costs["national_cost_musd"].to_numpy() == pytest.approx(
        (costs["emitters_cost_musd"] - costs["government_revenue_musd"]).to_numpy()
    )


def test_price_ceiling_sells_allowances_and_caps_the_price(tmp_path):
    folder = _two_markets(tmp_path)
    result = solve(
        folder,
        links="none",
        overrides={
            "price_controls": [{"where": {"market": "MB"}, "set": {"ceiling_usd_per_t": 25}}]
        },
    )
    # Alone, B needs 25 Mt (price 60); at a 25 US$/t ceiling it abates 10 (15 US$/t), buys 15.
    assert price(result, "MB") == pytest.approx(25)
    balances = result["balances"].set_index("market")
    assert balances.loc["MB", "ceiling_sales_mt"] == pytest.approx(15)
    costs = result["costs"].set_index("region")
    # Ceiling sales are a transfer from B's emitters to its treasury, not a national cost.
    assert costs.loc["B", "ceiling_sales_musd"] == pytest.approx(15 * 25)
    assert costs.loc["B", "national_cost_musd"] == pytest.approx(10 * 15)
    assert costs.loc["B", "emitters_cost_musd"] == pytest.approx(10 * 15 + 15 * 25)
    assert costs.loc["B", "government_revenue_musd"] == pytest.approx(15 * 25)


def test_a_reserve_price_withholds_allowances_and_holds_the_price(tmp_path):
    folder = _two_markets(tmp_path)
    reserve = {"floor_usd_per_t": 25, "floor_kind": "reserve"}
    result = solve(
        folder,
        links="none",
        overrides={"price_controls": [{"where": {"market": "MA"}, "set": reserve}]},
    )
    # Alone, A needs 20 Mt; a 25 US$/t floor buys back allowances while abating costs less:
    # the 20 US$/t step is used too (30 Mt abated) and 10 Mt are withdrawn.
    assert price(result, "MA") == pytest.approx(25)
    abated = result["abatement"].set_index("emitter")["abatement_mt"]
    assert abated["MA-e"] == pytest.approx(30)
    balances = result["balances"].set_index("market")
    assert balances.loc["MA", "floor_withdrawal_mt"] == pytest.approx(10)
    costs = result["costs"].set_index("region")
    # Withheld allowances are cancelled: no money; A bears its abatement 10·(5 + 12 + 20).
    assert costs.loc["A", "national_cost_musd"] == pytest.approx(370)
    assert costs.loc["A", "emitters_cost_musd"] == pytest.approx(370)
    assert costs.loc["A", "government_revenue_musd"] == pytest.approx(0)
    assert np.isfinite(balances["price_usd_per_t"]).all()


def test_a_top_up_floor_makes_emitters_face_it_and_sells_their_surplus_abroad(tmp_path):
    """A 45 US$/t top-up floor on MA: A's emitters abate every step cheaper than 45 (all 40
    Mt), sell 20 Mt they no longer need to B at B's price, and pay (45 − p)·E as top-up."""
    folder = _two_markets(tmp_path)
    free = solve(folder)
    floor = {"price_controls": [{"where": {"market": "MA"}, "set": {"floor_usd_per_t": 45}}]}
    result = solve(folder, overrides=floor)
    abated = result["abatement"].set_index("emitter")["abatement_mt"]
    assert abated["MA-e"] == pytest.approx(40)
    # B needs 25 − 20 = 5 more: its 15 US$/t step sets the linked price (A's floor is a tax).
    assert price(result, "MA") == pytest.approx(15) and price(result, "MB") == pytest.approx(15)
    faced = result["prices"].set_index("market")["emitters_price_usd_per_t"]
    assert faced.to_dict() == pytest.approx({"MA": 45, "MB": 15})
    costs = result["costs"].set_index("region")
    assert costs.loc["A", "floor_top_up_musd"] == pytest.approx((45 - 15) * 60)
    assert costs.loc["A", "government_revenue_musd"] == pytest.approx((45 - 15) * 60)
    # A: 10·(5 + 12 + 20 + 40) = 770 abated, 20 Mt sold at 15; B: 5·15 and pays 300.
    assert costs["national_cost_musd"].to_dict() == pytest.approx({"A": 770 - 300, "B": 375})
    # A floor never lowers the resource cost: 845 against 670 without it.
    assert costs["national_cost_musd"].sum() == pytest.approx(845)
    assert free["costs"]["national_cost_musd"].sum() == pytest.approx(670)


def test_splitting_an_emitter_into_plants_changes_neither_the_model_size_nor_the_answer(
    tmp_path,
):
    quantities, costs = [10, 10, 10], [5, 12, 20]
    whole = one_market(tmp_path, "M", "A", 90, 75, quantities, costs)
    plants = {
        "markets": whole["markets"],
        "caps": whole["caps"],
        "emitters": [
            {"emitter": f"p{i}", "region": "A", "sector": "power", "market": "M"} for i in range(3)
        ],
        "baseline": [{"emitter": f"p{i}", "period": 2020, "emissions_mt": 30} for i in range(3)],
        "mac": [row for i in range(3) for row in steps(f"p{i}", 2020, [10], [costs[i]])],
    }
    results = [
        solve(write_dataset(tmp_path / name, periods=[2020], regions=["A"], **data))
        for name, data in (("whole", whole), ("plants", plants))
    ]
    # By hand: 15 Mt to abate, 10 at 5 and 5 at 12 US$/t.
    for result in results:
        assert price(result, "M") == pytest.approx(12)
        assert result.summary["objective_present_value_musd"] == pytest.approx(10 * 5 + 5 * 12)
    by_plant = results[1]["abatement"].set_index("emitter")["abatement_mt"]
    assert by_plant.to_dict() == pytest.approx({"p0": 10, "p1": 5, "p2": 0})
    # One baseline and one abatement per pool: three plants are one pool, as one emitter is.
    sizes = [
        (r.model.pyomo.nvariables(), r.session.highs.getNumRow(), r.session.highs.getNumCol())
        for r in results
    ]
    assert sizes[0] == sizes[1]
    for result in results:
        pool = result.session.values(result.solution, result.model.pyomo.pool_abatement_mt)
        assert pool.to_numpy() == pytest.approx([result.session.step_values(result.solution).sum()])


def test_a_period_is_discounted_year_by_year(tmp_path):
    """w_t sums each year's discount factor: at 5%, 2025 standing for 2025–2029 from a 2020
    currency year weighs Σ_{y=2025}^{2029} 1.05^−(y−2020), not 5 × 1.05^−5."""
    from abatelink.inputs.dataset import load_dataset
    from abatelink.model.index import build_index

    data = one_market(tmp_path, "MA", "A", 100, 80, [10, 10], [5, 20])
    for table in ("baseline", "caps"):
        data[table] += [{**row, "period": 2025} for row in data[table]]
    data["mac"] += [{**row, "period": 2025} for row in data["mac"]]
    folder = write_dataset(
        tmp_path / "d", periods=[2020, 2025], regions=["A"], discount_rate=0.05, **data
    )
    idx = build_index(load_dataset(folder))
    assert idx.weight(2025) == pytest.approx(sum(1.05 ** -(y - 2020) for y in range(2025, 2030)))
    assert idx.weight(2020) == pytest.approx(sum(1.05**-k for k in range(5)))
    assert idx.weight(2025) < 5 * 1.05**-5
