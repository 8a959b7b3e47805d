"""The CCS build columns, declared as arrays (`ccs.build_columns`), hold the coefficients the
equations give them, worked out here one unit, build period and running period at a time from
the index's own operating window."""

from __future__ import annotations

from pathlib import Path

import pytest

from abatelink.inputs.dataset import load_dataset
from abatelink.inputs.plants import write_plant_dataset
from abatelink.model.build import build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plants") / "plants"
    write_plant_dataset(ROOT / "data" / "nea2018", folder, n_emitters=60, n_ccs_units=24, seed=3)
    units = (folder / "ccs_units.csv").read_text().splitlines()
    header = units[0].split(",")
    life = header.index("lifetime_years")
    rows = [line.split(",") for line in units[1:]]
    for i, row in enumerate(rows):
        row[life] = str([5.0, 10.0, 25.0][i % 3])  # lifetimes shorter and longer than the horizon
    (folder / "ccs_units.csv").write_text("\n".join([units[0], *map(",".join, rows)]) + "\n")
    return build(load_dataset(folder))


def _by_hand(model) -> tuple[dict, dict]:
    idx = model.index
    P = idx.projects
    window = P.operating_window
    expected: dict[tuple, float] = {}
    cost: dict[tuple, float] = {}
    for unit in P.units.itertuples():
        for tau in idx.periods:
            key = (unit.unit, tau)
            cost[key] = 0.0
            for t in idx.periods:
                if tau not in window[unit.unit, t]:
                    continue
                (pool,) = idx.members("pools_of_host", (unit.emitter, t))
                quantity = float(idx.pools.at[pool, "quantity_mt"])
                annual = unit.fixed_cost_musd + unit.variable_cost_musd
                entries = {
                    ("generation", (unit.project, unit.emitter, t)): -unit.avoided_mt,
                    ("ccs_cost", (unit.project, t)): -annual,
                    ("ccs_or_steps", (unit.emitter, t)): quantity * unit.co2_mt,
                }
                for (name, row), value in entries.items():
                    if value:
                        expected[name, row, key] = expected.get((name, row, key), 0.0) + value
                cost[key] -= idx.weight(t) * unit.pm_avoided_t / 1e6
    return expected, cost


def test_build_columns_hold_what_the_equations_give(model):
    var = model.pyomo.ccs_new_build
    keys = list(var.keys())
    assert keys == [(u, t) for u in model.index.projects.units["unit"] for t in model.index.periods]
    got: dict[tuple, float] = {}
    for e in var.entries:
        for row, column, value in zip(e.row_keys, e.columns.tolist(), e.values.tolist()):
            got[e.constraint, row, keys[column]] = (
                got.get((e.constraint, row, keys[column]), 0) + value
            )
    expected, cost = _by_hand(model)
    assert got.keys() == expected.keys()
    for k, value in expected.items():
        assert got[k] == pytest.approx(value, rel=1e-12), k
    assert var.cost_scale.tolist() == pytest.approx([cost[k] for k in keys], rel=1e-12)
    short = model.index.projects.units["lifetime_years"].lt(
        max(model.index.periods) - min(model.index.periods)
    )
    assert short.any()  # some builds stop running within the horizon: the window is tested


def test_each_unit_is_built_once_at_most(model):
    var = model.pyomo.ccs_new_build
    rows = var.rows
    units = list(model.index.projects.units["unit"])
    assert rows.keys == units
    assert rows.upper.tolist() == [1.0] * len(units)
    members = {(units[r], var.index[c]) for r, c in zip(rows.rows.tolist(), rows.columns.tolist())}
    assert members == {(u, (u, t)) for u in units for t in model.index.periods}
