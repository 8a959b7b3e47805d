"""The accounts obey their invariants on generated instances, not only on nea2018.

Each instance: two to four regions, one ETS market and one emitter each, step MAC curves, caps,
sometimes an NDC, links between every pair with transaction costs and sometimes a capacity,
exchange rates k_ab = v_a / v_b from a value v per region (1, ½ or 2: every cycle multiplies to
1), sometimes international offsets from outside the model into the first region's market
under a limit, two periods with banking at 5%. Linked against autarky (cross-border links
closed):
- voluntary trade never raises a region's present-value national cost (each region's
  commitments are quantities: a cap and an NDC);
- every payment abroad is another region's receipt, and what is paid for offsets is the
  resource cost the accounts carry and, for sellers outside the model, the outside account;
- national cost = emitters' cost − government revenue, region by region and period by period;
- a price floor never lowers the system's resource cost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abatelink.inputs.dataset import load_dataset
from abatelink.inputs.scenario import Scenario, scenario_inputs
from abatelink.model.build import build
from abatelink.model.levers import set_inputs
from abatelink.results.costs import (
    cost_table,
    offset_table,
    outside_account,
    present_value,
    settlement,
)
from abatelink.results.extract import Extract
from abatelink.solve.priced import solve
from abatelink.solve.session import Session

from factory import write_dataset

PERIODS = [2020, 2025]
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TOLERANCE = 1e-6  # US$ million, relative to costs of hundreds


@st.composite
def instances(draw: st.DrawFn) -> dict[str, Any]:
    """Rows of a small data set (see the module's docstring)."""
    n = draw(st.integers(2, 4))
    regions = [f"R{i}" for i in range(n)]
    tables: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("markets", "emitters", "baseline", "mac", "caps", "links")
    }
    value = {r: draw(st.sampled_from([1.0, 1.0, 0.5, 2.0])) for r in regions}
    for r in regions:
        market, emitter = f"M{r}", f"E{r}"
        tables["markets"].append({"market": market, "region": r, "kind": "ets"})
        tables["emitters"].append(
            {"emitter": emitter, "region": r, "sector": "s", "market": market}
        )
        costs = sorted(draw(st.lists(st.integers(1, 80), min_size=2, max_size=4, unique=True)))
        for t in PERIODS:
            tables["baseline"].append({"emitter": emitter, "period": t, "emissions_mt": 100})
            for k, cost in enumerate(costs):
                step = {"emitter": emitter, "period": t, "step": k + 1, "quantity_mt": 10}
                tables["mac"].append({**step, "cost_usd_per_t": cost})
            cap = 100 - 10 * draw(st.integers(0, len(costs))) + draw(st.sampled_from([0, 5]))
            tables["caps"].append({"market": market, "period": t, "cap_mt": cap})
        if draw(st.booleans()):
            target = 100 - 10 * draw(st.integers(0, len(costs)))
            ndc = {"region": r, "period": PERIODS[-1], "target_mt": target}
            tables.setdefault("ndc", []).append(ndc)
    for a in regions:
        for b in regions:
            if a != b:
                capacity = draw(st.sampled_from([None, None, 3.0]))
                cost = draw(st.sampled_from([0.0, 0.5, 2.0]))
                for t in PERIODS:
                    link = {"from_market": f"M{a}", "to_market": f"M{b}", "period": t}
                    tables["links"].append(
                        {
                            **link,
                            "max_volume_mt": capacity,
                            "transaction_cost_usd_per_t": cost,
                            "exchange_rate": value[a] / value[b],
                        }
                    )
    if draw(st.booleans()):
        offer = {"program": "P", "seller_region": "OUT", "buyer_market": f"M{regions[0]}"}
        price, share = draw(st.sampled_from([1, 30])), draw(st.sampled_from([None, 0.05]))
        tables["offset_supply"] = [
            {**offer, "period": t, "quantity_mt": 5, "price_usd_per_t": price} for t in PERIODS
        ]
        tables["limits"] = [
            {"market": f"M{regions[0]}", "period": t, "max_international_offset_share": share}
            for t in PERIODS
        ]
    floor = {"market": f"M{regions[0]}", "floor_usd_per_t": draw(st.integers(1, 90))}
    tables["price_controls"] = [  # a row with no controls, so that scenarios may set them
        {"market": f"M{regions[0]}", "period": t, "floor_usd_per_t": None} for t in PERIODS
    ]
    return {"regions": regions, "tables": tables, "floor": floor}


class Instance:
    """One data set built once; each scenario re-solves the same model in place."""

    def __init__(self, folder: Path) -> None:
        self.dataset = load_dataset(folder)
        self.model = build(self.dataset)
        self.session = Session(self.model)

    def solve(self, links: str, **options: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(costs, trades) of the scenario, from the one road to money; the international
        offsets' payments checked against the accounts."""
        scenario = Scenario(name="x", dataset=str(self.dataset.path), links=links, **options)
        inputs = scenario_inputs(scenario, self.dataset)
        set_inputs(self.model, inputs)
        priced = solve(self.session, inputs)
        assert priced.status == "optimal"
        x = Extract(priced)
        costs, offsets = cost_table(x), offset_table(x)
        outside = outside_account(offsets)["received_musd"].sum()
        paid = costs["offsets_cost_musd"].sum()
        assert paid == pytest.approx(costs["offsets_sold_musd"].sum() + outside)
        assert outside == pytest.approx(offsets["payment_musd"].sum())  # every seller outside
        return costs, settlement(x)

    def present_value(self, costs: pd.DataFrame) -> pd.Series:
        return present_value(costs, self.model.index)


def write(tmp_path: Path, instance: dict[str, Any]) -> Path:
    folder = tmp_path / f"d{len(list(tmp_path.iterdir()))}"
    return write_dataset(
        folder, periods=PERIODS, regions=instance["regions"], discount_rate=0.05,
        outside_regions=["OUT"], **instance["tables"],
    )  # fmt: skip


@PROPERTY
@given(instances())
def test_linking_never_raises_a_regions_national_cost(tmp_path, instance):
    model = Instance(write(tmp_path, instance))
    before = model.present_value(model.solve("none")[0])
    costs, trades = model.solve("all")
    after = model.present_value(costs)
    for region in instance["regions"]:
        assert after[region] <= before[region] + TOLERANCE, region
    _check_money_adds_up(costs, trades)


@PROPERTY
@given(instances())
def test_a_floor_never_lowers_the_resource_cost(tmp_path, instance):
    model = Instance(write(tmp_path, instance))
    free = model.present_value(model.solve("all")[0]).sum()
    market, price = instance["floor"]["market"], instance["floor"]["floor_usd_per_t"]
    for kind in ("top-up", "reserve"):
        change = {
            "where": {"market": market},
            "set": {"floor_usd_per_t": price, "floor_kind": kind},
        }
        costs, trades = model.solve("all", overrides={"price_controls": [change]})
        assert model.present_value(costs).sum() >= free - TOLERANCE, kind
        _check_money_adds_up(costs, trades)


def _check_money_adds_up(costs: pd.DataFrame, trades: pd.DataFrame) -> None:
    paid, received = costs["paid_abroad_musd"].sum(), costs["received_from_abroad_musd"].sum()
    assert paid == pytest.approx(received, abs=TOLERANCE)
    national = costs["emitters_cost_musd"] - costs["government_revenue_musd"]
    assert costs["national_cost_musd"].to_numpy() == pytest.approx(national.to_numpy(), abs=1e-6)
    flowing = trades[trades["volume_mt"] > 1e-6]
    assert (flowing["import_rent_usd_per_t"] >= -1e-6).all()
