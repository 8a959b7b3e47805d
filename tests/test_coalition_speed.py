"""Coalition values on the fast path (`ModelValues`) are those of the scenario path.

The reference is the path coalition values took before: every coalition's inputs set through
the levers (`set_openings`), solved through `priced.solve`, each region's resource cost from
`results.costs.resource_costs`. Checked on every coalition of runs/joint-all.yaml, of the
three-country game of test_coalitions and of the supergrid game of test_project_games (whose
coalitions build project parts and pool credits, so its costs come from the definition).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_coalitions import three_countries
from test_project_games import grid_game

from abatelink.games.coalitions import (
    ModelValues,
    all_coalitions,
    coalition_inputs,
    coalition_values,
)
from abatelink.inputs.scenario import (
    Scenario,
    load_scenario,
    scenario_dataset,
    scenario_inputs,
)
from abatelink.model.build import build
from abatelink.model.levers import set_inputs, set_openings
from abatelink.results.costs import present_value, resource_costs
from abatelink.results.extract import Extract
from abatelink.solve.priced import solve
from abatelink.solve.session import Session

JOINT_ALL = Path(__file__).resolve().parent.parent / "runs" / "joint-all.yaml"


def built(scenario: Scenario):
    dataset = scenario_dataset(scenario)
    inputs = scenario_inputs(scenario, dataset)
    model = build(dataset)
    set_inputs(model, inputs)
    return model, Session(model), inputs


def reference_values(model, session, inputs) -> dict[frozenset[str], float]:
    """v(S) = Σ_{i∈S} c_i(alone) − c_i(S) through the levers and the result tables."""

    def costs(members: frozenset[str]):
        opened = coalition_inputs(model, inputs, members)
        set_openings(model, opened)
        priced = solve(session, opened, prices=False)
        assert priced.status == "optimal"
        return present_value(resource_costs(Extract(priced)), model.index, "resource_cost_musd")

    alone = costs(frozenset())
    values = {}
    for members in all_coalitions(model.index.regions):
        together = costs(members)
        values[members] = sum(alone[i] - together[i] for i in members)
    set_openings(model, inputs)
    return values


def scenarios(tmp_path) -> dict[str, Scenario]:
    grid = grid_game(tmp_path).model_copy(
        update={"credit_rule": "fixed", "credit_shares": {"grid": {"M": 0.2, "B": 0.3, "C": 0.5}}}
    )
    return {
        "joint-all": load_scenario(JOINT_ALL),
        "three": Scenario(name="three", dataset=str(three_countries(tmp_path)), links="all"),
        "grid": grid,
    }


@pytest.mark.parametrize("name", ["joint-all", "three", "grid"])
def test_the_fast_path_gives_every_coalition_the_scenario_paths_value(tmp_path, name):
    scenario = scenarios(tmp_path)[name]
    model, session, inputs = built(scenario)
    expected = reference_values(model, session, inputs)
    fast = coalition_values(model, session, inputs, scenario.solver).table
    got = dict(zip(map(frozenset, fast["members"]), fast["value_musd"], strict=True))
    assert got.keys() == expected.keys()
    for members, value in expected.items():
        assert got[members] == pytest.approx(value, rel=1e-9, abs=1e-6), sorted(members)
    if name == "grid":  # some coalition builds: the costs came from the result tables
        assert fast["project_mt"].max() > 0


def test_values_come_back_the_same_in_any_order_and_the_scenario_is_restored(tmp_path):
    model, session, inputs = built(grid_game(tmp_path))
    before = solve(session, inputs).solution.objective
    values = ModelValues(model, session, inputs)
    coalitions = all_coalitions(values.players)
    forward = {members: values(members) for members in coalitions}
    values.solved.clear()
    backward = {members: values(members) for members in reversed(coalitions)}
    values.restore()
    for members, value in forward.items():
        assert backward[members] == pytest.approx(value, rel=1e-9, abs=1e-6)
    assert solve(session, inputs).solution.objective == pytest.approx(before, rel=1e-12)
