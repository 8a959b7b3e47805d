"""`differences`: what differs between two scenarios' resolved inputs, setting by setting and
cell by cell after each one's overrides."""

from __future__ import annotations

import yaml

from abatelink.inputs.differences import differences
from abatelink.inputs.scenario import load_scenario

from factory import both_ways, merge, one_market, write_dataset


def scenario(folder, name: str, **keys) -> object:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "dataset": "d", **keys}))
    return load_scenario(path)


def dataset(tmp_path):
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10, 10], [5, 12]),
        one_market(tmp_path, "MB", "B", 100, 90, [10], [1]),
        {"links": both_ways("MA", "MB")},
    )
    return write_dataset(tmp_path / "d", periods=[2020], regions=["A", "B"], **data)


def test_a_scenario_does_not_differ_from_itself_nor_by_its_name(tmp_path):
    dataset(tmp_path)
    a = scenario(tmp_path, "a", links="all", description="one")
    b = scenario(tmp_path, "b", links="all", description="two")
    assert differences(a, b).empty


def test_settings_and_overridden_cells_are_listed_with_both_values(tmp_path):
    dataset(tmp_path)
    a = scenario(tmp_path, "a", links="all")
    b = scenario(
        tmp_path,
        "b",
        links="none",
        solver={"time_limit": 60},
        overrides={
            "caps": [{"where": {"market": "MA"}, "scale": {"cap_mt": 0.5}}],
            "limits": [{"where": {"market": "MB"}, "set": {"max_export_share": 0.1}}],
        },
    )
    rows = {(r.what, r.key, r.column): (r.a, r.b) for r in differences(a, b).itertuples()}
    assert rows == {
        ("scenario", "links", ""): ("all", "none"),
        ("scenario", "solver.time_limit", ""): ("", "60"),
        ("caps", "MA | 2020", "cap_mt"): ("80", "40"),  # 80 × 0.5
        ("limits", "MB | 2020", "max_export_share"): ("", "0.1"),  # a row B adds
    }
