"""A MILP study re-solved warm on one model gives what a fresh run of each scenario gives: the
build is fixed for prices between scenarios (`update_variables`), and the parameters that
change after it still reach HiGHS."""

from __future__ import annotations

from pathlib import Path

import pytest

from abatelink.inputs.study import base_scenario, design, load_study, scenario_for
from abatelink.run import run
from abatelink.studies.sweep import run_batch

ROOT = Path(__file__).resolve().parent.parent


def test_a_warm_milp_sweep_equals_fresh_runs():
    path = ROOT / "runs" / "studies" / "tornado.yaml"  # on the CCS showcase: a MILP
    study = load_study(path)
    rows = design(study).to_dict("records")
    chosen = [rows[0], *(r for r in rows if r["ccs_kr_cost"] != rows[0]["ccs_kr_cost"])][:3]
    chosen += [rows[1], rows[0]]  # back to a cap change, then to the base
    swept = run_batch(str(path), chosen)
    base = base_scenario(study)
    for row in chosen:
        fresh = run(scenario_for(base, study, row))
        got = swept[(swept["scenario_id"] == row["scenario_id"]) & (swept["output"] == "prices")]
        expected = fresh["prices"].set_index(["market", "period"])["price_usd_per_t"]
        for r in got.itertuples():
            assert r.value == pytest.approx(expected[(r.item, int(r.period))], abs=1e-7), row


def test_bounds_follow_their_parameters_across_fixing_and_unfixing(tmp_path):
    """The session's map from parameters to bounds is kept across `update_variables`: a
    fixed column ignores its bound parameter, an unfixed one follows it again."""
    from test_diagnose import knapsack

    from abatelink.inputs.scenario import Scenario, scenario_dataset, scenario_inputs
    from abatelink.model.build import build
    from abatelink.model.levers import set_inputs
    from abatelink.solve.session import Session

    scenario = Scenario(name="k", dataset=str(knapsack(tmp_path)), links="none")
    dataset = scenario_dataset(scenario)
    model = build(dataset)
    set_inputs(model, scenario_inputs(scenario, dataset))
    session = Session(model)
    session.solve()
    m = model.pyomo
    key = next(iter(m.ccs_build_max))
    var = m.ccs_new_build[key]
    (column,) = session.columns(m.ccs_new_build)[1][[list(m.ccs_new_build).index(key)]]

    def upper() -> float:
        return float(session.highs.getLp().col_upper_[column])

    m.ccs_build_max[key] = 0.0
    session.push_changed_parameters()  # the map is made here
    assert upper() == 0.0
    var.fix(1.0)
    session.update_variables([var])
    m.ccs_build_max[key] = 1.0
    session.push_changed_parameters()
    assert (session.highs.getLp().col_lower_[column], upper()) == (1.0, 1.0)  # still fixed
    m.ccs_build_max[key] = 0.0
    session.push_changed_parameters()
    assert upper() == 1.0  # a fixed column ignores its bound parameter
    var.unfix()
    session.update_variables([var])
    assert upper() == 0.0  # its bound again
    m.ccs_build_max[key] = 1.0
    session.push_changed_parameters()
    assert upper() == 1.0  # and it follows the parameter
