"""Plant-level synthetic data sets: national totals kept, reproducible, solvable, same prices."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abatelink.errors import InputError
from abatelink.inputs.dataset import load_dataset
from abatelink.inputs.plants import CCS_MAX_SHARE, SOURCE_ID, apportion, write_plant_dataset

from factory import both_ways, ccs_unit, merit_order, solve, steps, write_dataset

PERIODS = [2020, 2025]
STEP_COSTS = [1, 2, 4, 8, 16, 32, 64, 128]  # each step costs twice the one below
N_EMITTERS, N_UNITS = 200, 50


def source_rows() -> dict[str, list[dict]]:
    """Two linked ETSs (A, B) with the same MAC, an uncovered emitter in A, a CCS project.

    Steps are 5% of the baseline. Linked, the markets must abate 35 Mt in 2020 (3 steps of
    10 Mt and half of the 4th: price 8) and 49.5 Mt in 2025 (4 steps of 11 Mt and half of
    the 5th: price 16); no banking, so each period clears on its own. The CCS unit costs
    US$500/t captured and is never built, in the source or in the plant data set.
    """
    baseline = {"MA-e": (100, 110), "MB-e": (100, 110), "A-other": (50, 50)}
    caps = {("MA", 2020): 85, ("MB", 2020): 80, ("MA", 2025): 85, ("MB", 2025): 85.5}
    emitters = [
        {"emitter": "MA-e", "region": "A", "sector": "power", "market": "MA"},
        {"emitter": "MB-e", "region": "B", "sector": "power", "market": "MB"},
        {"emitter": "A-other", "region": "A", "sector": "industry", "market": None},
    ]
    mac = [
        row
        for e, values in baseline.items()
        for t, b in zip(PERIODS, values, strict=True)
        for row in steps(e, t, [0.05 * b] * len(STEP_COSTS), STEP_COSTS)
    ]
    return {
        "markets": [
            {"market": m, "region": r, "kind": "ets", "project_credits": True}
            for m, r in (("MA", "A"), ("MB", "B"))
        ],
        "emitters": emitters,
        "baseline": [
            {"emitter": e, "period": t, "emissions_mt": b}
            for e, values in baseline.items()
            for t, b in zip(PERIODS, values, strict=True)
        ],
        "mac": mac,
        "caps": [{"market": m, "period": t, "cap_mt": c} for (m, t), c in caps.items()],
        "links": both_ways("MA", "MB", 2020) + both_ways("MA", "MB", 2025),
        "banking": [{"market": m, "banking_allowed": False} for m in ("MA", "MB")],
        "projects": [{"project": "ccs", "kind": "ccs"}],
        "participants": [{"project": "ccs", "region": r} for r in ("A", "B")],
        "ccs_units": [ccs_unit("u1", "ccs", "MA-e", cost_usd_per_t_captured=500.0)],
        "pm_transport": [{"source_region": "A", "receptor_region": "B", "share": 0.3}],
        "grids": [
            {
                "region": r,
                "period": t,
                "emitter": e,
                "emission_factor_t_per_mwh": 0.5,
                "max_absorb_twh": 10.0,
            }
            for r, e in (("A", "MA-e"), ("B", "MB-e"))
            for t in PERIODS
        ],
    }


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("source") / "small"
    return write_dataset(folder, periods=PERIODS, regions=["A", "B"], **source_rows())


@pytest.fixture(scope="module")
def plants(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plants") / "small-plants"
    return write_plant_dataset(source, out, n_emitters=N_EMITTERS, n_ccs_units=N_UNITS, seed=0)


def parent(emitters: pd.Series) -> pd.Series:
    """The source emitter of each plant: plants are named `<source emitter>-p<number>`."""
    return emitters.str.rsplit("-p", n=1).str[0]


def test_apportion_splits_whole_numbers_exactly_and_within_one_of_each_share():
    rng = np.random.default_rng(1)
    group = np.repeat(np.arange(4), [1, 7, 50, 3])
    weights = rng.lognormal(size=len(group))
    weights[-3:] = 0.0  # a group without weight splits evenly
    totals = np.array([17, 1_000_003, 4_687_526_000, 10], dtype=np.int64)
    parts = apportion(totals, group, weights)
    assert (np.bincount(group, weights=parts) == totals).all()
    weight_sum = np.bincount(group, weights=weights)[group]
    share = np.divide(weights, weight_sum, out=np.full(len(group), 1 / 3), where=weight_sum > 0)
    assert np.abs(parts - share * totals[group]).max() < 1.0


def test_national_totals_and_mac_steps_are_those_of_the_source(source, plants):
    src, gen = load_dataset(source), load_dataset(plants)
    keys = ["region", "sector", "market", "period"]

    def by_group(ds) -> pd.Series:
        frame = ds.baseline.merge(ds.emitters, on="emitter").fillna({"market": "-"})
        return frame.groupby(keys)["emissions_mt"].sum()

    assert len(gen.emitters) == N_EMITTERS
    pd.testing.assert_series_equal(by_group(gen), by_group(src), rtol=1e-9, atol=0)
    # plants per source emitter in proportion to its baseline (within one), at least one
    counts = parent(gen.emitters["emitter"]).value_counts()
    weight = src.baseline.groupby("emitter")["emissions_mt"].sum()
    exact = 1 + (N_EMITTERS - len(src.emitters)) * weight / weight.sum()
    assert (counts >= 1).all() and (counts - exact).abs().max() < 1.0 + 1e-9

    in_steps = gen.mac.groupby(["emitter", "period"])["quantity_mt"].sum()
    base = gen.baseline.set_index(["emitter", "period"])["emissions_mt"].reindex(in_steps.index)
    assert (in_steps <= base * (1 + 1e-12)).all()

    mac = gen.mac.assign(emitter=parent(gen.mac["emitter"]))
    step_keys = ["emitter", "period", "step"]
    total = mac.groupby(step_keys)["quantity_mt"].sum()
    expected = src.mac.set_index(step_keys)["quantity_mt"].reindex(total.index)
    assert len(total) == len(src.mac)
    np.testing.assert_allclose(total, expected, rtol=1e-9, atol=0)


def test_each_plant_scales_every_source_step_cost_by_one_factor(source, plants):
    src, gen = load_dataset(source), load_dataset(plants)
    mac = gen.mac.assign(parent=parent(gen.mac["emitter"]))
    cost = src.mac.set_index(["emitter", "period", "step"])["cost_usd_per_t"]
    source_cost = cost.reindex(pd.MultiIndex.from_frame(mac[["parent", "period", "step"]]))
    factor = mac["cost_usd_per_t"].to_numpy() / source_cost.to_numpy()
    spread = pd.Series(factor).groupby(mac["emitter"].to_numpy()).agg(["min", "max"])
    # costs have 4 decimals: the cheapest step (US$1) carries a rounding of up to 5e-5
    assert ((spread["max"] - spread["min"]) < 1e-4).all()
    assert spread["min"].std() > 0.1  # plants differ (lognormal σ 0.2)


def test_other_tables_are_copied_and_units_sit_at_plants_of_the_host(source, plants):
    for name in ("markets", "caps", "links", "banking", "projects", "participants"):
        assert filecmp.cmp(source / f"{name}.csv", plants / f"{name}.csv", shallow=False)
    assert filecmp.cmp(source / "dataset.yaml", plants / "dataset.yaml", shallow=False)
    gen = load_dataset(plants)
    assert gen.sources[SOURCE_ID]["kind"] == "A"
    for table in ("emitters", "baseline", "mac", "ccs_units"):
        assert (gen.table(table)["source"] == SOURCE_ID).all()

    units = gen.ccs_units
    assert len(units) == N_UNITS and units["unit"].is_unique
    assert (parent(units["emitter"]) == "MA-e").all() and (units["project"] == "ccs").all()
    lowest = gen.baseline.groupby("emitter")["emissions_mt"].min()
    at_plant = units.groupby("emitter")["co2_mt"].sum()
    assert (at_plant <= CCS_MAX_SHARE * lowest.reindex(at_plant.index) + 1e-5).all()

    # each grid displaces the power of the largest plant of the source's grid emitter
    totals = gen.baseline.groupby("emitter")["emissions_mt"].sum()
    largest = totals.groupby(parent(totals.index.to_series())).idxmax()
    grid_parents = parent(gen.grids["emitter"])
    assert grid_parents.tolist() == ["MA-e"] * len(PERIODS) + ["MB-e"] * len(PERIODS)
    assert (gen.grids["emitter"] == grid_parents.map(largest)).all()


def test_same_seed_writes_identical_files_and_another_seed_does_not(source, plants, tmp_path):
    again = write_plant_dataset(source, tmp_path / "again", N_EMITTERS, N_UNITS, seed=0)
    other = write_plant_dataset(source, tmp_path / "other", N_EMITTERS, N_UNITS, seed=1)
    files = sorted(p.name for p in plants.iterdir())
    assert files == sorted(p.name for p in again.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(plants, again, files, shallow=False)
    assert mismatch == [] and errors == []
    _, differ, _ = filecmp.cmpfiles(plants, other, files, shallow=False)
    assert {"baseline.csv", "mac.csv", "ccs_units.csv"} <= set(differ)


def test_without_source_units_power_plants_in_cn_and_kr_host_new_projects(tmp_path):
    rows = {
        "markets": [{"market": "KR-ETS", "region": "KR", "kind": "ets"}],
        "emitters": [
            {"emitter": "KR-power", "region": "KR", "sector": "power", "market": "KR-ETS"}
        ],
        "baseline": [{"emitter": "KR-power", "period": 2020, "emissions_mt": 250.0}],
        "mac": steps("KR-power", 2020, [12.5, 12.5], [10.0, 30.0]),
        "caps": [{"market": "KR-ETS", "period": 2020, "cap_mt": 240.0}],
    }
    source = write_dataset(tmp_path / "kr", periods=[2020], regions=["KR", "JP"], **rows)
    out = write_plant_dataset(source, tmp_path / "kr-plants", n_emitters=20, n_ccs_units=10)
    gen = load_dataset(out)
    assert list(gen.projects["project"]) == ["ccs-kr"]
    shares = gen.participants.set_index("region")["investment_share"]
    assert shares.to_dict() == pytest.approx({"KR": 0.75, "JP": 0.25})  # 0.6 : 0.2, no CN
    assert len(gen.ccs_units) == 10 and (parent(gen.ccs_units["emitter"]) == "KR-power").all()
    assert solve(out, links="none").status == "optimal"


def test_a_source_without_possible_hosts_takes_no_ccs_units(tmp_path):
    rows = {
        "markets": [{"market": "M", "region": "A", "kind": "ets"}],
        "emitters": [{"emitter": "A-e", "region": "A", "sector": "power", "market": "M"}],
        "baseline": [{"emitter": "A-e", "period": 2020, "emissions_mt": 10.0}],
        "caps": [{"market": "M", "period": 2020, "cap_mt": 10.0}],
    }
    source = write_dataset(tmp_path / "a", periods=[2020], regions=["A"], **rows)
    with pytest.raises(InputError, match="no emitter to host CCS units"):
        write_plant_dataset(source, tmp_path / "a-plants", n_emitters=5, n_ccs_units=1)
    out = write_plant_dataset(source, tmp_path / "a-plants", n_emitters=5, n_ccs_units=0)
    gen = load_dataset(out)
    assert len(gen.emitters) == 5 and gen.ccs_units.empty and gen.mac.empty
    assert gen.baseline["emissions_mt"].sum() == pytest.approx(10.0, rel=1e-12)


def test_the_plant_data_set_solves_with_prices_close_to_the_source(source, plants):
    result, reference = solve(plants), solve(source)
    assert result.status == "optimal" and result.summary["is_mip"]
    assert not result["projects"]["built"].any()
    prices = result["prices"].set_index(["market", "period"])["price_usd_per_t"]
    expected = reference["prices"].set_index(["market", "period"])["price_usd_per_t"]
    assert expected.to_dict() == pytest.approx(
        {(m, t): p for m in ("MA", "MB") for t, p in ((2020, 8.0), (2025, 16.0))}
    )
    # The price is the merit-order price of the plants' own steps (computed by hand) ...
    gen = load_dataset(plants)
    covered = gen.emitters.loc[gen.emitters["market"].notna(), "emitter"]
    caps = gen.caps.groupby("period")["cap_mt"].sum()
    for t in PERIODS:
        mac = gen.mac[gen.mac["emitter"].isin(covered) & (gen.mac["period"] == t)]
        base = gen.baseline[gen.baseline["emitter"].isin(covered) & (gen.baseline["period"] == t)]
        required = base["emissions_mt"].sum() - caps[t]
        by_hand, _ = merit_order(list(zip(mac["quantity_mt"], mac["cost_usd_per_t"])), required)
        assert prices[("MA", t)] == pytest.approx(by_hand, rel=1e-9)
    # ... and close to the source's. The source's marginal step is half used, so the plants'
    # price is the source step's cost times the quantity-weighted median of the plants' cost
    # factors (lognormal, median 1, σ 0.2); the steps below and above cost half and twice as
    # much, which a factor reaches with probability Φ(−ln 2 / 0.2) ≈ 3e-4 only. The weighted
    # median of N lognormal factors has a standard error ≈ 1.25·σ/√N_eff; for 160 plants of
    # lognormal(σ 1) sizes, N_eff = N/e ≈ 59, so ≈ 3.3% (seeds 0-29 gave 2.9% and at most
    # 7.0%): 10% is three standard errors.
    np.testing.assert_allclose(prices.reindex(expected.index), expected, rtol=0.10)


def test_the_default_data_set_splits_into_plants_that_load(tmp_path):
    source = Path(__file__).resolve().parents[1] / "data" / "nea2018"
    out = write_plant_dataset(source, tmp_path / "nea-plants", N_EMITTERS, N_UNITS, seed=0)
    src, gen = load_dataset(source), load_dataset(out)
    national = [
        ds.baseline.merge(ds.emitters, on="emitter").groupby(["region", "period"])["emissions_mt"]
        for ds in (gen, src)
    ]
    pd.testing.assert_series_equal(*(sums.sum() for sums in national), rtol=1e-9, atol=0)
    assert len(gen.emitters) == N_EMITTERS and len(gen.ccs_units) == N_UNITS
    assert set(parent(gen.ccs_units["emitter"])) <= set(src.ccs_units["emitter"])
    assert set(parent(gen.grids["emitter"])) == set(src.grids["emitter"])
