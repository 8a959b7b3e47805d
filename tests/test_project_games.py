"""Coalitions build the parts of joint projects their members can build among themselves.

A project component is available to a coalition when the regions it physically needs are in
it (a site its region, a corridor both ends, a CCS unit its host); values are hand-computed.
"""

from __future__ import annotations

import pytest
from test_projects import ccs_data

from abatelink.games.allocation import allocate
from abatelink.inputs.scenario import Scenario
from abatelink.model.project_index import TWH_PER_GW_YEAR
from abatelink.run import run

from factory import avoided_mt, captured_mt, merge, one_market, supergrid, write_dataset

# B and C each must abate 10 Mt from one 20 Mt step at US$50/t; the grid's power displaces
# their power emitters (EF 0.5 and 0.8 t/MWh, at most 5 and 12 TWh/yr).
PRICE = 50.0


def grid_game(tmp_path, **grid):
    parts = [supergrid(**grid)]
    for region in ("B", "C"):
        market = one_market(tmp_path, f"M{region}", region, 100, 90, [20], [PRICE])
        market["emitters"][0]["emitter"] = f"M{region}-e"
        for table in ("baseline", "mac"):
            for row in market[table]:
                row["emitter"] = f"M{region}-e"
        parts.append(market)
    folder = write_dataset(
        tmp_path / "grid", periods=[2020], regions=["M", "B", "C"], **merge(*parts)
    )
    return Scenario(name="grid", dataset=str(folder), links="all")


def site_cost_per_sent_twh() -> float:
    """Capex 100 US$/kW over 25 years at a 0 % discount rate, per TWh a GW sends at CF 0.5."""
    return (100.0 / 25) / (TWH_PER_GW_YEAR * 0.5)


MODULE = 0.01 * 100 * 1.0 / 40  # US$ M/yr: 1 GW · 100 km · 0.01 US$ M per GW·km over 40 years


def test_a_coalition_without_the_far_end_builds_the_corridor_it_can(tmp_path):
    result = allocate(grid_game(tmp_path), "shapley")
    values = result.coalitions.set_index("coalition")["value_musd"]
    alone = result.table.set_index("region")["standalone_cost_musd"]
    assert alone.to_dict() == pytest.approx({"B": 10 * PRICE, "C": 10 * PRICE, "M": 0.0})
    weight = 1.0  # one period of one year, undiscounted
    # M+B: 5 TWh reach B over m-b (5 % loss): 2.5 Mt displaced at US$50 saves 125 a year,
    # for a site sending 5/0.95 TWh and one module.
    sent = 5.0 / 0.95
    m_b = 125.0 - sent * site_cost_per_sent_twh() - MODULE
    assert values["B+M"] == pytest.approx(m_b * weight, rel=1e-6)
    # Without B no energy reaches C, and B+C has no source: nothing to build.
    for coalition in ("C+M", "B+C", "M", "B", "C"):
        assert values[coalition] == pytest.approx(0.0, abs=1e-6)
    # All three: also 12 TWh to C over b-c (10 % loss), 9.6 Mt displaced; m-b carries
    # 5/0.95 + 12/(0.9·0.95) TWh in 3 modules, b-c 12/0.9 TWh in 2.
    sent_all = 5.0 / 0.95 + 12.0 / (0.9 * 0.95)
    everyone = (2.5 + 9.6) * PRICE - sent_all * site_cost_per_sent_twh() - 5 * MODULE
    assert values["B+C+M"] == pytest.approx(everyone * weight, rel=1e-6)


def test_the_members_share_credits_of_what_they_build_among_themselves(tmp_path):
    scenario = grid_game(tmp_path).model_copy(
        update={"credit_rule": "fixed", "credit_shares": {"grid": {"M": 0.2, "B": 0.3, "C": 0.5}}}
    )
    result = allocate(scenario, "shapley")
    values = result.coalitions.set_index("coalition")["value_musd"]
    # In M+B the shares 0.2 : 0.3 become 0.4 : 0.6; M has no market to use its 1 Mt, so B
    # adds back what it gives away and keeps 1.5 of the 2.5 Mt: it still pays to build.
    weight = 1.0
    sent = 5.0 / 0.95
    kept = 0.6 * 2.5 * PRICE - sent * site_cost_per_sent_twh() - MODULE
    assert values["B+M"] == pytest.approx(kept * weight, rel=1e-6)


def test_a_ccs_host_builds_its_own_unit_when_alone(tmp_path):
    folder = write_dataset(
        tmp_path / "ccs", periods=[2020], regions=["A", "B"], **ccs_data(tmp_path, unit_cost=5.0)
    )
    result = allocate(Scenario(name="ccs", dataset=str(folder), links="none"), "shapley")
    alone = result.table.set_index("region")["standalone_cost_musd"]
    # A must abate 15 Mt (steps 10 at 5, 10 at 12); its unit avoids 8.67 Mt for 12 Mt
    # captured at US$5: 60 + 6.33·5 = 91.7 against 110 without it.
    with_unit = captured_mt(10) * 5.0 + (15 - avoided_mt(10)) * 5.0
    assert with_unit < 10 * 5 + 5 * 12
    assert alone["A"] == pytest.approx(with_unit, rel=1e-9)
    # B cannot use A's unit alone: 20 Mt at 15 and 30.
    assert alone["B"] == pytest.approx(10 * 15 + 10 * 30, rel=1e-9)


def test_a_host_alone_counts_only_the_pm_damage_it_is_spared(tmp_path):
    """The unit costs A 41.67 a year more than its MAC steps; the PM it removes is worth
    1000 t · 0.5 · 0.3 landing in B · US$400,000 = 60 to B and nothing to A."""
    folder = write_dataset(
        tmp_path / "pm", periods=[2020], regions=["A", "B"], **ccs_data(tmp_path, unit_cost=10.0)
    )
    scenario = Scenario(
        name="pm", dataset=str(folder), links="none", pm_damage_usd_per_t={"B": 400_000}
    )
    result = allocate(scenario, "shapley")
    alone = result.table.set_index("region")["standalone_cost_musd"]
    assert alone.to_dict() == pytest.approx({"A": 110.0, "B": 450.0})
    extra = captured_mt(10) * 10.0 + (15 - avoided_mt(10)) * 5.0 - 110.0
    assert extra == pytest.approx(41.667, abs=1e-3)
    values = result.coalitions.set_index("coalition")["value_musd"]
    assert values["A+B"] == pytest.approx(60.0 - extra, rel=1e-6)


def test_co_finance_pays_its_share_and_can_flip_a_build(tmp_path):
    """The unit captures 12 Mt at US$10 (120 a year) and saves A 78.3 of MAC steps: not worth
    it alone, worth it when a third party pays half (60)."""
    folder = write_dataset(
        tmp_path / "cf", periods=[2020], regions=["A", "B"], **ccs_data(tmp_path, unit_cost=10.0)
    )
    plain = Scenario(name="plain", dataset=str(folder), links="none")
    assert not run(plain)["projects"].set_index("item").at["u1", "built"]
    fund = {"ccs": {"share": 0.5, "by": "a fund", "source": "test"}}
    helped = Scenario(name="helped", dataset=str(folder), links="none", co_finance=fund)
    result = run(helped)
    unit = result["projects"].set_index("item").loc["u1"]
    assert bool(unit["built"])
    assert unit["cost_musd"] == pytest.approx(captured_mt(10) * 10.0)
    assert unit["co_financed_musd"] == pytest.approx(captured_mt(10) * 5.0)
    costs = result["costs"].set_index("region")
    assert costs.at["A", "project_cost_musd"] == pytest.approx(captured_mt(10) * 5.0)
    assert costs.at["B", "project_cost_musd"] == pytest.approx(0.0)
    # the regions' costs add up to the objective: the fund's half is in neither
    assert costs["national_cost_musd"].sum() == pytest.approx(result.solution.objective)
