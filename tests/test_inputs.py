"""Bad input gets one clear message naming the file, the line, the column and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from abatelink.cli import main
from abatelink.errors import InputError
from abatelink.inputs.dataset import load_dataset
from abatelink.inputs.scenario import load_scenario
from abatelink.run import run

from factory import both_ways, merge, one_market, write_dataset


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = merge(
        one_market(tmp_path, "MA", "A", 100, 80, [10, 10], [5, 20]),
        one_market(tmp_path, "MB", "B", 100, 90, [10, 10], [15, 30]),
        {"links": both_ways("MA", "MB")},
    )
    return write_dataset(tmp_path / "data", periods=[2020], regions=["A", "B"], **data)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def error_of(folder: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load_dataset(folder)
    return caught.value


def test_the_valid_data_set_loads(folder):
    assert list(load_dataset(folder).markets["market"]) == ["MA", "MB"]


def test_missing_file(folder):
    (folder / "caps.csv").unlink()
    err = error_of(folder)
    assert err.file.endswith("caps.csv")
    assert "file not found" in str(err) and "caps.csv" in str(err)


def test_missing_column(folder):
    replace_in(folder / "caps.csv", "cap_mt", "cap")
    err = error_of(folder)
    assert (Path(err.file).name, err.line) == ("caps.csv", 1)
    assert "missing column 'cap_mt'" in str(err)


def test_negative_quantity(folder):
    replace_in(folder / "mac.csv", "MA-e,2020,2,10", "MA-e,2020,2,-10")
    err = error_of(folder)
    assert (Path(err.file).name, err.line, err.column) == ("mac.csv", 3, "quantity_mt")
    assert str(err).endswith("expected a finite number ≥ 0, found '-10'")


def test_non_numeric_quantity(folder):
    replace_in(folder / "baseline.csv", "MB-e,2020,100", "MB-e,2020,lots")
    err = error_of(folder)
    assert (Path(err.file).name, err.line, err.column) == ("baseline.csv", 3, "emissions_mt")
    assert "found 'lots'" in str(err)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_not_finite_numbers(folder, bad):
    replace_in(folder / "caps.csv", "MB,2020,90", f"MB,2020,{bad}")
    err = error_of(folder)
    assert (err.line, err.column) == (3, "cap_mt")


def test_unknown_market_in_links(folder):
    replace_in(folder / "links.csv", "MB,MA,2020", "MB,MZ,2020")
    err = error_of(folder)
    assert (Path(err.file).name, err.line, err.column) == ("links.csv", 3, "to_market")
    assert "expected a market of markets.csv, found 'MZ'" in str(err)


def test_duplicate_key(folder):
    path = folder / "caps.csv"
    path.write_text(path.read_text() + "MA,2020,70\n")
    err = error_of(folder)
    assert (Path(err.file).name, err.line) == ("caps.csv", 4)
    assert "duplicate key (market=MA, period=2020); it already appears on line 2" in str(err)


def test_period_not_in_the_data_set(folder):
    replace_in(folder / "caps.csv", "MB,2020", "MB,2031")
    err = error_of(folder)
    assert (err.line, err.column) == (3, "period")
    assert "expected one of the periods [2020], found '2031'" in str(err)


def test_unknown_column(folder):
    replace_in(folder / "caps.csv", "cap_mt", "cap_mt,colour")
    err = error_of(folder)
    assert err.line == 1 and "unexpected column 'colour'" in str(err)


def test_mac_steps_beyond_the_baseline(folder):
    replace_in(folder / "baseline.csv", "MA-e,2020,100", "MA-e,2020,15")
    err = error_of(folder)
    assert Path(err.file).name == "mac.csv"
    assert "add up to 20 Mt, more than its baseline of 15 Mt" in str(err)


def test_missing_cap_for_a_period(folder):
    replace_in(folder / "caps.csv", "MB,2020,90\n", "")
    err = error_of(folder)
    assert "no row for market MB in period 2020" in str(err)


def test_emitter_in_another_regions_market(folder):
    replace_in(folder / "emitters.csv", "MA-e,A,power,MA", "MA-e,A,power,MB")
    err = error_of(folder)
    assert (err.line, err.column) == (2, "market")
    assert "belongs to region B, not to the emitter's region A" in str(err)


def test_bad_dataset_yaml(folder):
    meta = yaml.safe_load((folder / "dataset.yaml").read_text())
    meta["discount_rate"] = "five percent"
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta))
    err = error_of(folder)
    assert Path(err.file).name == "dataset.yaml" and err.key == "discount_rate"


def test_yaml_tags_are_not_executed(folder, tmp_path):
    scenario = tmp_path / "evil.yaml"
    scenario.write_text("name: !!python/object/apply:os.system ['echo hi']\ndataset: data\n")
    with pytest.raises(InputError) as caught:
        load_scenario(scenario)
    assert "not valid YAML" in str(caught.value)


def write_scenario(tmp_path: Path, **content) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "dataset": "data", **content}))
    return path


@pytest.mark.parametrize(
    ("content", "key", "words"),
    [
        ({"colour": "red"}, "colour", "unexpected key"),
        ({"links": ["MA->MZ"]}, "links.0", "unknown link 'MA->MZ'"),
        ({"periods": [2020, 2040]}, "periods", "period 2040 is not in the data set"),
        ({"overrides": {"markets": []}}, "overrides.markets", "cannot be overridden"),
        (
            {"overrides": {"caps": [{"where": {"market": "MZ"}, "scale": {"cap_mt": 2}}]}},
            "overrides.caps.0.where",
            "matches no row",
        ),
        (
            {"overrides": {"caps": [{"scale": {"cap_mt": -1}}]}},
            "overrides.caps.0.scale.cap_mt",
            "expected a factor ≥ 0",
        ),
        (
            {"overrides": {"limits": [{"set": {"max_import_share": "lots"}}]}},
            "overrides.limits.0.set.max_import_share",
            "expected a finite number ≥ 0 or empty",
        ),
        (  # a number too large for any integer column, where a market's name belongs
            {
                "overrides": {
                    "limits": [{"where": {"market": 10**30}, "set": {"max_import_share": 1}}]
                }
            },
            "overrides.limits.0.where",
            "matches no row",
        ),
        ({"solver": {"time_limit": -5}}, "solver.time_limit", "greater than 0"),
        ({"dataset": "nowhere"}, "dataset", "not found"),
        ({"sharing": "shapley"}, "sharing", "'sharing' was renamed: use credit_rule:"),
        ({"sharing": "equal"}, "sharing", "or game_solution: shapley"),
        ({"project_sharing": {}}, "project_sharing", "use project_credit_rules:"),
        ({"game_solution": "host"}, "game_solution", "'shapley', 'nucleolus' or 'least-core'"),
        ({"credit_rule": "shapley"}, "credit_rule", "'host', 'equal', 'investment'"),
    ],
)
def test_bad_scenarios_name_the_key(folder, tmp_path, content, key, words):
    path = write_scenario(tmp_path, **content)
    with pytest.raises(InputError) as caught:
        run(path)
    err = caught.value
    assert Path(err.file) == path and err.key == key and words in str(err)


def test_the_cli_prints_one_line_and_exits_4_on_bad_input(folder, tmp_path, capsys):
    replace_in(folder / "mac.csv", "MA-e,2020,2,10", "MA-e,2020,2,x")
    code = main(["run", str(write_scenario(tmp_path))])
    err = capsys.readouterr().err
    assert code == 4
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "mac.csv, line 3, column 'quantity_mt': expected a finite number ≥ 0, found 'x'" in err


def test_overrides_that_break_a_rule_across_tables_are_caught(folder, tmp_path):
    path = write_scenario(
        tmp_path,
        overrides={"baseline": [{"where": {"emitter": "MA-e"}, "scale": {"emissions_mt": 0.1}}]},
    )
    with pytest.raises(InputError) as caught:
        run(path)
    assert caught.value.key == "overrides"
    assert "after overrides: the steps of MA-e in 2020 add up to 20 Mt" in str(caught.value)
    path = write_scenario(
        tmp_path,
        overrides={
            "price_controls": [
                {"where": {"market": "MA"}, "set": {"floor_usd_per_t": 30, "ceiling_usd_per_t": 20}}
            ]
        },
    )
    with pytest.raises(InputError, match="the floor is above the ceiling"):
        run(path)


def test_a_scenario_reads_its_data_set_wherever_it_names_it(folder, tmp_path):
    """Analysts keep scenarios next to their reports: a data set is found by an absolute
    path or relative to the scenario file, with no project folder above it."""
    reports = tmp_path / "reports" / "2026"
    reports.mkdir(parents=True)
    relative = reports / "relative.yaml"
    relative.write_text(yaml.safe_dump({"name": "r", "dataset": "../../data", "links": "all"}))
    absolute = reports / "absolute.yaml"
    absolute.write_text(yaml.safe_dump({"name": "a", "dataset": str(folder), "links": "all"}))
    for path in (relative, absolute):
        assert load_scenario(path).dataset_path == folder.resolve()
        assert main(["run", str(path), "--out", str(tmp_path / "out" / path.stem)]) == 0
    missing = reports / "missing.yaml"
    missing.write_text(yaml.safe_dump({"name": "m", "dataset": "../nowhere"}))
    assert main(["run", str(missing), "--out", str(tmp_path / "out" / "m")]) == 4


def test_the_command_line_may_name_any_data_set(folder, tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    runs = tmp_path / "runs"
    runs.mkdir()
    path = runs / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "dataset": "../data", "links": "all"}))
    assert main(["run", str(path), "--dataset", str(folder), "--out", str(tmp_path / "o")]) == 0


def test_credit_rules_and_game_solutions_are_named_once_and_apart():
    """The vocabularies are declared once (schema, scenario) and the code that carries them
    out knows exactly those names; no name is both a credit rule and a game solution."""
    from abatelink.games.allocation import SOLUTIONS
    from abatelink.inputs.scenario import GAME_SOLUTIONS
    from abatelink.inputs.schema import CREDIT_RULES
    from abatelink.model.credit_rules import RULES

    assert tuple(RULES) == CREDIT_RULES
    assert tuple(SOLUTIONS) == GAME_SOLUTIONS
    assert not set(CREDIT_RULES) & set(GAME_SOLUTIONS)


def test_what_may_vary_and_what_it_feeds_come_from_the_declarations():
    """OVERRIDABLE and FEEDS are read off the schema and the scenario's fields, and every group
    they name is a lever the model sets."""
    from abatelink.inputs.scenario import FEEDS, OVERRIDABLE
    from abatelink.inputs.schema import TABLES
    from abatelink.model.levers import LEVERS

    assert OVERRIDABLE["caps"] == ("cap_mt",)
    assert OVERRIDABLE["links"] == ("max_volume_mt", "transaction_cost_usd_per_t")
    assert "mac" not in OVERRIDABLE and "markets" not in OVERRIDABLE
    for table, columns in OVERRIDABLE.items():
        assert TABLES[table].feeds, f"{table} may vary but feeds no lever"
        numbers = [c for c in columns if TABLES[table].column(c).kind == "float"]
        assert all(TABLES[table].column(c).unit for c in numbers)
    assert FEEDS["caps"] == ("caps", "limits", "banking", "price_controls")
    assert FEEDS["pm_damage_usd_per_t"] == ("projects",) and FEEDS["links"] == ("links",)
    assert "game_solution" not in FEEDS and "solver" not in FEEDS
    assert {group for groups in FEEDS.values() for group in groups} <= set(LEVERS)
