"""Joint projects: build decisions, credit sharing, Article 6 accounting, MILP prices."""

from __future__ import annotations

import pandas as pd
import pytest

from factory import (
    avoided_mt,
    both_ways,
    captured_mt,
    ccs_unit,
    merge,
    merit_order,
    one_market,
    solve,
    steps,
    supergrid,
    write_dataset,
)

A_STEPS = ([10, 10, 10], [5, 12, 20])
B_STEPS = ([10, 10, 10], [15, 30, 60])


def ccs_data(
    tmp_path, *, unit_cost: float, participants=("A", "B"), b_cap: float = 80, **participant_columns
) -> dict:
    """A needs 15 Mt (price 12), B 20 (price 30); a 10 Mt CCS unit may be built at A."""
    markets = merge(
        one_market(tmp_path, "MA", "A", 100, 85, *A_STEPS),
        one_market(tmp_path, "MB", "B", 100, b_cap, *B_STEPS),
    )
    for row in markets["markets"]:
        row["project_credits"] = True
    rows = [
        {"project": "ccs", "region": r, **{k: v[i] for k, v in participant_columns.items()}}
        for i, r in enumerate(participants)
    ]
    return merge(
        markets,
        {
            "projects": [{"project": "ccs", "kind": "ccs"}],
            "participants": rows,
            "ccs_units": [ccs_unit("u1", "ccs", "MA-e", cost_usd_per_t_captured=unit_cost)],
            "pm_transport": [
                {"source_region": "A", "receptor_region": "A", "share": 0.6},
                {"source_region": "A", "receptor_region": "B", "share": 0.3},
            ],
        },
    )


def write(tmp_path, name: str, data: dict):
    return write_dataset(tmp_path / name, periods=[2020], regions=["A", "B"], **data)


def table(result, name: str, *index: str) -> pd.DataFrame:
    return result[name].set_index(list(index)) if index else result[name]


@pytest.mark.parametrize(("unit_cost", "built"), [(5.0, True), (10.0, False)])
def test_a_project_cheaper_than_the_market_is_built_and_a_dearer_one_is_not(
    tmp_path, unit_cost, built
):
    result = solve(write(tmp_path, "d", ccs_data(tmp_path, unit_cost=unit_cost)), links="none")
    a_steps = list(zip(*A_STEPS))
    without = merit_order(a_steps, 15)[1]
    with_unit = captured_mt(10) * unit_cost + merit_order(a_steps, 15 - avoided_mt(10))[1]
    assert (with_unit < without) is built  # by hand: 91.7 < 110 at 5 US$/t; 151.7 > 110 at 10
    projects = table(result, "projects", "item")
    assert bool(projects.loc["u1", "built"]) is built
    expected = (with_unit if built else without) + merit_order(list(zip(*B_STEPS)), 20)[1]
    assert result.summary["objective_present_value_musd"] == pytest.approx(expected)
    assert result.summary["is_mip"] and result.summary["prices_conditional_on_build"]


def credits_of(result) -> pd.Series:
    return table(result, "credits", "region")["credited_mt"]


def test_fixed_shares_come_out_exactly_as_given(tmp_path):
    folder = write(tmp_path, "d", ccs_data(tmp_path, unit_cost=5.0))
    result = solve(
        folder, links="none", credit_rule="fixed", credit_shares={"ccs": {"A": 0.65, "B": 0.35}}
    )
    credits = table(result, "credits", "region")
    generated = avoided_mt(10)
    assert credits["share"].to_dict() == {"A": 0.65, "B": 0.35}
    assert credits.loc["A", "credited_mt"] == pytest.approx(0.65 * generated)
    assert credits.loc["B", "credited_mt"] == pytest.approx(0.35 * generated)


def test_equal_sharing_splits_evenly(tmp_path):
    folder = write(tmp_path, "d", ccs_data(tmp_path, unit_cost=5.0))
    result = solve(folder, links="none", credit_rule="equal")
    assert credits_of(result).to_dict() == pytest.approx(
        {"A": avoided_mt(10) / 2, "B": avoided_mt(10) / 2}
    )


def test_investment_sharing_follows_capex_shares(tmp_path):
    folder = write(tmp_path, "d", ccs_data(tmp_path, unit_cost=5.0, investment_share=[0.3, 0.7]))
    result = solve(folder, links="none", credit_rule="investment")
    credits = credits_of(result)
    assert credits["B"] / credits.sum() == pytest.approx(0.7)


@pytest.mark.parametrize(("credit_rule", "links"), [("host", "none"), ("equal", "all")])
def test_credits_conserve_and_adjustments_sum_to_zero(tmp_path, credit_rule, links):
    data = ccs_data(tmp_path, unit_cost=5.0)
    data["links"] = both_ways("MA", "MB", transaction_cost_usd_per_t=1.0)
    result = solve(write(tmp_path, "d", data), links=links, credit_rule=credit_rule)
    credits = table(result, "credits")
    per_project = credits.groupby(["project", "period"])
    credited = per_project["credited_mt"].sum()
    assert credited.to_numpy() == pytest.approx(per_project["generated_mt"].sum().to_numpy())
    assert credited.to_numpy() == pytest.approx([avoided_mt(10)])
    ledger = table(result, "ledger")
    assert ledger["project_adjustment_mt"].sum() == pytest.approx(0, abs=1e-9)
    assert ledger["allowance_adjustment_mt"].sum() == pytest.approx(0, abs=1e-9)
    assert ledger["accounted_mt"].sum() == pytest.approx(ledger["inventory_mt"].sum())
    ndc = table(result, "ndc", "region", "period")["accounted_mt"]
    assert ledger.set_index(["region", "period"])["accounted_mt"].to_numpy() == pytest.approx(
        ndc.to_numpy()
    )
    if links == "all":
        assert table(result, "trades")["volume_mt"].sum() > 0


def test_moving_credits_to_a_partner_moves_exactly_that_amount_in_the_ledger(tmp_path):
    folder = write(tmp_path, "d", ccs_data(tmp_path, unit_cost=5.0))
    host = solve(folder, links="none", credit_rule="host")
    moved = solve(
        folder, links="none", credit_rule="fixed", credit_shares={"ccs": {"A": 0.6, "B": 0.4}}
    )
    given = 0.4 * avoided_mt(10)

    def adjustment(result, region):
        ledger = table(result, "ledger", "region")
        return ledger.loc[region, "accounted_mt"] - ledger.loc[region, "inventory_mt"]

    assert adjustment(host, "A") == pytest.approx(0) and adjustment(host, "B") == pytest.approx(0)
    assert adjustment(moved, "A") == pytest.approx(given)
    assert adjustment(moved, "B") == pytest.approx(-given)
    # The host's ETS hands the given tonnes over too: A abates `given` more, B that much less.
    abated = {
        name: table(r, "abatement", "region")["abatement_mt"]
        for name, r in (("host", host), ("moved", moved))
    }
    assert abated["moved"]["A"] - abated["host"]["A"] == pytest.approx(given)
    assert abated["host"]["B"] - abated["moved"]["B"] == pytest.approx(given)
    balances = table(moved, "balances", "market")
    assert balances.loc["MB", "imports_mt"] == pytest.approx(given)


def test_pm_avoided_is_reported_by_receptor(tmp_path):
    result = solve(write(tmp_path, "d", ccs_data(tmp_path, unit_cost=5.0)), links="none")
    pm = table(result, "cobenefits", "receptor_region")["pm_avoided_t"]
    # 1000 t/yr of PM, half removed by the pre-treatment; 60% lands in A and 30% in B.
    assert pm.to_dict() == pytest.approx({"A": 300.0, "B": 150.0})


def test_conditional_milp_prices_equal_the_lp_with_the_build_fixed(tmp_path):
    # B's cap of 75 leaves it 25 Mt to abate, inside its third step: a price of 60, not the
    # range [30, 60] a cap at the end of a step would give.
    milp = ccs_data(tmp_path, unit_cost=5.0, b_cap=75)
    result = solve(write(tmp_path, "milp", milp), links="none")
    assert bool(table(result, "projects", "item").loc["u1", "built"])
    # The same economy as an LP: no project, A's baseline lower by what the unit avoids.
    data = ccs_data(tmp_path, unit_cost=5.0, b_cap=75)
    for name in ("projects", "participants", "ccs_units", "pm_transport"):
        data.pop(name)
    data["baseline"][0]["emissions_mt"] = 100 - avoided_mt(10)
    lp = solve(write(tmp_path, "lp", data), links="none")
    assert not lp.summary["is_mip"]
    prices = table(result, "prices", "market")["price_usd_per_t"]
    expected = table(lp, "prices", "market")["price_usd_per_t"]
    assert prices.to_dict() == pytest.approx(expected.to_dict())
    assert prices["MA"] == pytest.approx(5)  # 15 − 8.67 Mt left to abate: A's first step
    assert prices["MB"] == pytest.approx(60)


TWH_PER_GW_YEAR = 8.76


def grid_data(tmp_path, name: str, **options) -> object:
    data = merge(
        one_market(tmp_path, "MB", "B", 100, 90, [10, 10, 10], [40, 80, 120]),
        one_market(tmp_path, "MC", "C", 100, 80, [10, 10, 10], [50, 90, 150]),
        supergrid(**options),
    )
    for row in data["markets"]:
        row["project_credits"] = True
    return write_dataset(tmp_path / name, periods=[2020], regions=["M", "B", "C"], **data)


def test_corridors_deliver_no_more_than_their_integer_modules_net_of_losses(tmp_path):
    result = solve(grid_data(tmp_path, "g"), links="none")
    lines = table(result, "projects").query("item_kind == 'corridor'").set_index("item")
    assert (lines["modules"] == lines["modules"].round()).all()
    assert (lines["modules"] >= 1).all()
    capacity_net = (
        lines["modules"] * 1.0 * TWH_PER_GW_YEAR * (1 - pd.Series({"m-b": 0.05, "b-c": 0.10}))
    )
    assert (lines["energy_delivered_twh"] <= capacity_net + 1e-6).all()
    # C takes 12 TWh, which needs 12/0.9 = 13.3 TWh sent on b-c: more than one 8.76 TWh module.
    assert lines.loc["b-c", "modules"] == 2
    credits = table(result, "credits", "region")
    assert credits.loc["C", "delivered_twh"] == pytest.approx(12)
    assert credits.loc["C", "generated_mt"] == pytest.approx(12 * 0.8)
    assert credits.loc["B", "generated_mt"] == pytest.approx(5 * 0.5)
    # Host rule: each grid keeps the emissions its imports displace.
    assert credits["adjustment_mt"].abs().max() == pytest.approx(0)


def test_a_module_too_few_caps_the_delivered_energy(tmp_path):
    result = solve(grid_data(tmp_path, "g", max_modules=1), links="none")
    lines = table(result, "projects").query("item_kind == 'corridor'").set_index("item")
    # One module each: m-b lands 8.76·0.95 TWh in B, all of it sent on to C, where a TWh
    # displaces 0.8 t/MWh at 90 US$/t (B: 0.5 at 40); b-c loses another 10%.
    reaching_c = TWH_PER_GW_YEAR * 0.95 * 0.9
    assert lines.loc["b-c", "energy_delivered_twh"] == pytest.approx(reaching_c)
    credits = table(result, "credits", "region")
    assert credits.loc["C", "delivered_twh"] == pytest.approx(reaching_c)
    assert credits.loc["B", "delivered_twh"] == pytest.approx(0)


def test_offtake_shares_equal_the_delivered_energy_shares(tmp_path):
    result = solve(grid_data(tmp_path, "g"), links="none", credit_rule="offtake")
    credits = table(result, "credits", "region")
    delivered = credits["delivered_twh"]
    assert delivered.sum() == pytest.approx(17)
    assert credits["share"].to_dict() == pytest.approx((delivered / delivered.sum()).to_dict())
    total = credits["project_generated_mt"].iloc[0]
    assert credits["credited_mt"].to_dict() == pytest.approx(
        (total * delivered / delivered.sum()).to_dict()
    )
    assert result.summary["offtake_iterations"] >= 1
    assert credits["adjustment_mt"].sum() == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize(
    ("scenario", "key", "words"),
    [
        (
            {"credit_rule": "offtake"},
            "project_credit_rules",
            "the offtake rule needs a supergrid project",
        ),
        (
            {"credit_rule": "investment"},
            "credit_rule",
            "needs investment_share for every participant",
        ),
        (
            {"credit_rule": "fixed", "credit_shares": {"ccs": {"A": 0.5, "Z": 0.5}}},
            "credit_shares.ccs",
            "Z is not a participant of ccs",
        ),
        (
            {"credit_rule": "fixed", "credit_shares": {"ccs": {"A": 0.5, "B": 0.4}}},
            "credit_shares.ccs",
            "add up to 0.9; expected 1",
        ),
        (
            {"project_credit_rules": {"nope": "equal"}},
            "project_credit_rules.0",
            "unknown project 'nope'",
        ),
        ({"projects": ["ccs", "nope"]}, "projects.1", "unknown project 'nope'"),
    ],
)
def test_bad_credit_rule_choices_name_the_scenario_key(tmp_path, scenario, key, words):
    from abatelink.errors import InputError

    folder = write(tmp_path, "d", ccs_data(tmp_path, unit_cost=5.0))
    with pytest.raises(InputError) as caught:
        solve(folder, links="none", **scenario)
    assert caught.value.key == key and words in str(caught.value)


def test_closing_a_project_keeps_it_unbuilt(tmp_path):
    folder = write(tmp_path, "d", ccs_data(tmp_path, unit_cost=5.0))
    result = solve(folder, links="none", projects="none")
    assert not table(result, "projects")["built"].any()
    assert table(result, "credits")["credited_mt"].sum() == pytest.approx(0)


def test_a_marginal_emission_factor_replaces_the_average_where_given(tmp_path):
    data = merge(
        one_market(tmp_path, "MB", "B", 100, 90, [10, 10, 10], [40, 80, 120]),
        one_market(tmp_path, "MC", "C", 100, 80, [10, 10, 10], [50, 90, 150]),
        supergrid(),
    )
    for row in data["markets"]:
        row["project_credits"] = True
    data["grids"][1]["displaced_emission_factor_t_per_mwh"] = 1.0  # C's marginal: coal
    data["grids"][0]["displaced_emission_factor_t_per_mwh"] = None  # B: its average, 0.5
    folder = write_dataset(tmp_path / "m", periods=[2020], regions=["M", "B", "C"], **data)
    credits = table(solve(folder, links="none"), "credits", "region")
    assert credits.loc["C", "generated_mt"] == pytest.approx(12 * 1.0)
    assert credits.loc["B", "generated_mt"] == pytest.approx(5 * 0.5)


def test_the_supergrid_is_credited_with_the_generation_it_displaces(tmp_path):
    plain = solve(grid_data(tmp_path, "plain"), links="none")
    credited = solve(grid_data(tmp_path, "credited", avoided_usd_per_mwh=30.0), links="none")

    def project_cost(result):
        return result["costs"]["project_cost_musd"].sum()

    delivered = table(credited, "credits")["delivered_twh"].sum()
    assert delivered == pytest.approx(table(plain, "credits")["delivered_twh"].sum())
    # TWh × US$/MWh = US$ million: 17 TWh at 30 US$/MWh saves 510.
    assert delivered == pytest.approx(17)
    assert project_cost(plain) - project_cost(credited) == pytest.approx(17 * 30)
    assert (plain.solution.objective - credited.solution.objective) == pytest.approx(17 * 30)


def test_a_project_cost_multiplier_flips_the_build_the_hand_totals_predict(tmp_path):
    folder = write(tmp_path, "d", ccs_data(tmp_path, unit_cost=5.0))
    a_steps = list(zip(*A_STEPS))
    without = merit_order(a_steps, 15)[1]
    for scale, built in ((1.0, True), (2.0, False)):
        with_unit = scale * captured_mt(10) * 5.0 + merit_order(a_steps, 15 - avoided_mt(10))[1]
        assert (with_unit < without) is built  # 91.7 vs 110, then 151.7 vs 110
        result = solve(folder, links="none", project_cost_scale={"ccs": scale})
        assert bool(table(result, "projects", "item").loc["u1", "built"]) is built


def test_valuing_the_pm_avoided_can_make_a_unit_worth_building(tmp_path):
    folder = write(tmp_path, "d", ccs_data(tmp_path, unit_cost=10.0))
    assert not bool(table(solve(folder, links="none"), "projects", "item").loc["u1", "built"])
    # 1000 t/yr of PM, half removed, 60% landing in A and 30% in B: 450 t/yr valued at
    # 200,000 US$/t is worth 90 US$ million/yr, more than the 41.7 the unit costs on top.
    extra = captured_mt(10) * 10.0 + merit_order(list(zip(*A_STEPS)), 15 - avoided_mt(10))[1]
    assert extra - merit_order(list(zip(*A_STEPS)), 15)[1] == pytest.approx(41.667, abs=1e-3)
    valued = solve(folder, links="none", pm_damage_usd_per_t=200_000)
    assert bool(table(valued, "projects", "item").loc["u1", "built"])
    benefit = table(valued, "costs", "region")["pm_benefit_musd"]
    assert benefit.to_dict() == pytest.approx({"A": -60.0, "B": -30.0})
    # no tax or price control: the national costs add up to the objective
    assert table(valued, "costs")["national_cost_musd"].sum() == pytest.approx(
        valued.solution.objective
    )


def test_a_tonne_is_avoided_once_by_capture_or_by_a_mac_step(tmp_path):
    """Host A-e emits 20 Mt/yr, 10 of them at a CCS unit; its MAC steps are 5 Mt at 1, 5 at 1.5
    and 10 at 100 US$/t. With the unit running, steps may abate only the other half of its
    emissions (10 Mt), so 19.5 Mt cannot be met with the unit (8.67 + 10 = 18.67): it stays
    unbuilt and the steps do it all. Counting the plant's tonnes twice would build the unit."""
    host = {
        "markets": [{"market": "MA", "region": "A", "kind": "ets", "project_credits": True}],
        "emitters": [{"emitter": "A-e", "region": "A", "sector": "power", "market": "MA"}],
        "baseline": [{"emitter": "A-e", "period": 2020, "emissions_mt": 20}],
        "mac": steps("A-e", 2020, [5, 5, 10], [1, 1.5, 100]),
        "caps": [{"market": "MA", "period": 2020, "cap_mt": 0.5}],
        "projects": [{"project": "ccs", "kind": "ccs"}],
        "participants": [{"project": "ccs", "region": "A"}],
        "ccs_units": [ccs_unit("u1", "ccs", "A-e")],
    }
    folder = write_dataset(tmp_path / "d", periods=[2020], regions=["A"], **host)
    result = solve(folder, links="none")
    assert not bool(table(result, "projects", "item").loc["u1", "built"])
    assert result.solution.objective == pytest.approx(5 * 1 + 5 * 1.5 + 9.5 * 100)
    # Needing 18 Mt instead, the unit (12 Mt captured at 5 US$/t) and 9.33 Mt of steps win.
    easier = solve(folder, links="none", overrides={"caps": [{"set": {"cap_mt": 2.0}}]})
    assert bool(table(easier, "projects", "item").loc["u1", "built"])
    steps_used = 18 - avoided_mt(10)
    assert steps_used <= 10
    expected = captured_mt(10) * 5.0 + 5 * 1 + (steps_used - 5) * 1.5
    assert easier.solution.objective == pytest.approx(expected)
