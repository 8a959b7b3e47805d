"""Each input is declared once, and what it is declared to feed is everything it changes.

A sweep re-sets only the lever groups a varied input feeds (`FEEDS`, read off the schema and
the scenario's fields); if a declaration left a group out, the sweep would solve with stale
parameters. Here every overridable column is changed on nea2018 and the model re-set only by
its declared groups must hold exactly the parameters of a model built afresh.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyomo.environ as pyo
import pytest

from abatelink.inputs.dataset import load_dataset
from abatelink.inputs.scenario import OVERRIDABLE, Change, Scenario, scenario_inputs
from abatelink.model.build import build
from abatelink.model.levers import LEVERS, set_inputs

NEA = Path(__file__).resolve().parent.parent / "data" / "nea2018"
DIAGNOSIS_ONLY = {"elastic_max_mt", "elastic_penalty_usd_per_t"}  # set by solve/diagnose.py
# A change for every overridable column (None: scale it by 1.3).
NEW_VALUE: dict[str, Any] = {
    "max_volume_mt": 50.0,
    "transaction_cost_usd_per_t": 7.0,
    "max_import_share": 0.05,
    "max_export_share": 0.05,
    "max_offset_share": 0.02,
    "banking_allowed": False,
    "max_borrow_share": 0.1,
    "initial_bank_mt": 5.0,
    "rate_usd_per_t": 3.0,
    "floor_kind": "reserve",
}
CHINA_2030 = {"region": "CN", "period": 2030}
BASE = Scenario(
    name="base",
    dataset=str(NEA),
    links="all",
    overrides={
        "price_controls": [
            Change(
                where={"market": "KR-ETS"}, set={"floor_usd_per_t": 1.0, "ceiling_usd_per_t": 90}
            )
        ],
        # China's NDC as it states it: CO2 per GDP 65% below 2005, times a GDP path
        "gdp": [Change(where=CHINA_2030, set={"gdp_busd": 23_134.6})],
        "ndc": [
            Change(
                where=CHINA_2030,
                set={
                    "target_mt": None,
                    "intensity_reduction_vs_base": 0.65,
                    "base_intensity_t_per_kusd": 1.583353,
                },
            )
        ],
    },
)


def parameters(model) -> dict[tuple, float]:
    return {
        (param.name, key): param[key].value
        for param in model.pyomo.component_objects(pyo.Param)
        if param.mutable
        for key in param
    }


def test_every_mutable_parameter_belongs_to_one_lever_group():
    model = build(load_dataset(NEA))
    mutable = {p.name for p in model.pyomo.component_objects(pyo.Param) if p.mutable}
    written = [name for names in LEVERS.values() for name in names]
    assert len(written) == len(set(written))
    assert set(written) == mutable - DIAGNOSIS_ONLY


@pytest.mark.parametrize(
    ("table", "column"), [(t, c) for t, columns in OVERRIDABLE.items() for c in columns]
)
def test_a_changed_column_resets_exactly_what_a_fresh_model_holds(table, column):
    dataset = load_dataset(NEA)
    value = NEW_VALUE.get(column)
    change = Change(set={column: value}) if value is not None else Change(scale={column: 1.3})
    overrides = {**BASE.overrides}
    overrides[table] = [*overrides.get(table, []), change]
    changed = scenario_inputs(BASE.model_copy(update={"overrides": overrides}), dataset)

    model = build(dataset)
    set_inputs(model, scenario_inputs(BASE, dataset))
    before = parameters(model)
    set_inputs(model, changed, changed={table})
    fresh = build(dataset)
    set_inputs(fresh, changed)

    assert parameters(model) != before, f"changing {table}.{column} changed no parameter"
    assert parameters(model) == parameters(fresh)
