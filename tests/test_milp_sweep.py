"""A MILP study re-solved warm on one model gives what a fresh run of each scenario gives: the
build is fixed for prices between scenarios (`Session.fix`), and the parameters that change
after it still reach HiGHS."""

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


def test_bounds_follow_their_parameters_across_fixing_and_releasing(tmp_path):
    """The build columns' bounds follow their parameter (`ccs_build_max`): a fixed column
    ignores it and is continuous, a released one follows it again and is integer."""
    import highspy
    import numpy as np
    from test_diagnose import knapsack

    from abatelink.inputs.scenario import Scenario, scenario_dataset, scenario_inputs
    from abatelink.model.build import build
    from abatelink.model.levers import set_inputs
    from abatelink.solve.session import Session

    scenario = Scenario(name="k", dataset=str(knapsack(tmp_path)), links="none", projects="all")
    dataset = scenario_dataset(scenario)
    model = build(dataset)
    set_inputs(model, scenario_inputs(scenario, dataset))
    session = Session(model)
    assert session.solve().is_mip
    m = model.pyomo
    key = next(iter(m.ccs_build_max))
    keys, columns = session.columns(m.ccs_new_build)
    column = int(columns[keys.index(key)])

    def bounds() -> tuple[float, float]:
        lp = session.highs.getLp()
        return float(lp.col_lower_[column]), float(lp.col_upper_[column])

    def integer() -> bool:
        return session.highs.getColIntegrality(column)[1] == highspy.HighsVarType.kInteger

    m.ccs_build_max[key] = 0.0
    session.push_changed_parameters()
    assert bounds() == (0.0, 0.0) and integer()
    session.fix(m.ccs_new_build, np.ones(len(keys)))
    assert bounds() == (1.0, 1.0) and not integer()
    m.ccs_build_max[key] = 1.0
    session.push_changed_parameters()
    m.ccs_build_max[key] = 0.0
    session.push_changed_parameters()
    assert bounds() == (1.0, 1.0)  # a fixed column ignores its bound parameter
    session.release(m.ccs_new_build)
    assert bounds() == (0.0, 0.0) and integer()  # its bound again
    m.ccs_build_max[key] = 1.0
    session.push_changed_parameters()
    assert bounds() == (0.0, 1.0)  # and it follows the parameter
