"""The shipped showcase scenarios build joint projects under every credit rule that fits them,
share the credits without counting a tonne twice, and give a game with a non-empty core."""

from __future__ import annotations

from pathlib import Path

import pytest

from abatelink.games.allocation import allocate
from abatelink.inputs.scenario import load_scenario
from abatelink.run import run

RUNS = Path(__file__).resolve().parent.parent / "runs"
RULES = {
    "ccs-cofinance": ("host", "equal", "investment"),
    "gobi-cofinance": ("host", "equal", "investment", "offtake"),
}
CASES = [(name, rule) for name, rules in RULES.items() for rule in rules]


@pytest.mark.parametrize(("name", "rule"), CASES)
def test_a_showcase_builds_its_projects_and_credits_each_tonne_once(name, rule):
    scenario = load_scenario(RUNS / f"{name}.yaml").model_copy(update={"credit_rule": rule})
    result = run(scenario)
    projects, credits = result["projects"], result["credits"]
    assert projects["built"].any(), f"{name} builds nothing under {rule}"
    by_project = credits.groupby(["project", "period"])
    assert by_project["credited_mt"].sum().to_numpy() == pytest.approx(
        by_project["generated_mt"].sum().to_numpy(), abs=1e-6
    )
    assert credits["adjustment_mt"].sum() == pytest.approx(0.0, abs=1e-6)
    # the regions pay the projects' cost less the co-financed share and the generation saved
    paid = result["costs"]["project_cost_musd"].sum()
    gross = projects["cost_musd"].sum() - projects["co_financed_musd"].sum()
    assert paid == pytest.approx(gross - credits["avoided_generation_musd"].sum(), abs=1e-6)
    assert projects["co_financed_musd"].sum() > 0


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_showcase_game_has_subsets_building_and_shapley_in_the_core(name):
    result = allocate(load_scenario(RUNS / f"{name}.yaml"), "shapley")
    coalitions = result.coalitions.set_index("coalition")
    assert result.core.in_core
    # some coalition that lacks a participant of a project still builds part of it
    partial = coalitions[(coalitions["size"] < 4) & (coalitions["project_mt"] > 0)]
    assert len(partial), coalitions


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_number_a_showcase_sets_names_its_source(name):
    scenario = load_scenario(RUNS / f"{name}.yaml")
    given = [k for k in ("co_finance", "project_cost_scale") if getattr(scenario, k)]
    given += ["pm_damage_usd_per_t"] if scenario.pm_damage_usd_per_t else []
    given += [f"overrides.{table}" for table in scenario.overrides]
    assert given
    assert [k for k in given if k not in scenario.sources] == []
