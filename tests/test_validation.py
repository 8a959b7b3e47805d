"""The validation table (`python -m abatelink.validation`): directions and orders against the
published studies, exact answers where there is a closed form, and docs/validation.md current.

The table is generated once for the module (about 6 s). The assertions are what abatelink gives
on each matched setup; where that differs from the published result the test says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_layout import imports, modules

from abatelink.validation import generate
from abatelink.validation.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "validation.md"


@pytest.fixture(scope="module")
def generated():
    text, studies = generate(ROOT / "runs")
    return text, {study.name: study.facts for study in studies}


@pytest.fixture(scope="module")
def facts(generated):
    return generated[1]


def test_two_linked_markets_meet_the_closed_form_price(facts):
    exact, fine = facts["closed form"]["exact"], facts["closed form"]["fine"]
    assert exact["p_star"] == pytest.approx(10.5)
    for p in exact["prices"]:
        assert p == pytest.approx(exact["p_star"], abs=1e-6)
    for p in fine["prices"]:
        assert abs(p - fine["p_star"]) <= fine["half_step"]


def test_with_banking_the_price_rises_at_the_discount_rate(facts):
    hotelling = facts["Hotelling"]
    assert hotelling["ratios"] == pytest.approx([1 + hotelling["rate"]] * 2, rel=1e-9)
    pairs = hotelling["nea_pairs"]
    assert len(pairs) >= 3
    for _, _, _, ratio, expected in pairs:
        assert ratio == pytest.approx(expected, rel=1e-9)


def test_ma_2019_every_country_gains_korea_most_china_least_and_china_sells(facts):
    ma = facts["Ma et al. 2019"]
    change = ma["change_pct"]
    assert all(change[r] < 0 for r in ("CN", "JP", "KR", "total"))
    # The published order (−88 %, −60 %, −9 %) holds on the matched setup and as shipped.
    assert ma["order"] == ma["published_order"] == ["KR", "JP", "CN"]
    assert change["KR"] < change["JP"] < change["CN"]
    assert ma["seller"] == "CN"
    assert ma["net_sales_mt"]["CN"] > 0 > ma["net_sales_mt"]["KR"]
    # As shipped (Japan linked through Tokyo–Saitama and its tax) every country gains too.
    assert all(v < 0 for v in ma["shipped_change_pct"].values())


def test_trading_cuts_the_total_cost_of_the_ndcs(facts):
    edmonds = facts["Edmonds et al."]
    # GCAM: roughly halved. Trading NDC units among three countries whose prices alone are
    # far apart cuts more than linking only their ETS sectors does.
    assert edmonds["ndc_change_pct"] < edmonds["shipped_change_pct"] < 0


def test_coalition_games_have_a_core_holding_the_nucleolus(facts):
    games = facts["Churkin et al."]
    for game in games.values():
        assert game["core_nonempty"] and game["nucleolus_in_core"]
        assert game["grand_value_musd"] > 0
    # Churkin et al.: the Shapley value is in the core. The grid game is convex, so it is.
    assert games["grid"]["convexity_violation"] is None and games["grid"]["shapley_in_core"]
    # With the markets linked the game is not convex; a Shapley value outside the core (the
    # doc then names the coalition that would leave) needs that.
    joint = games["joint"]
    assert joint["shapley_in_core"] or joint["convexity_violation"] is not None


def test_docs_validation_md_is_what_the_generator_writes(generated):
    assert DOC.read_text() == generated[0], (
        "docs/validation.md is stale: run python -m abatelink.validation --out docs/validation.md"
    )


def test_no_module_imports_the_validation_stage():
    importers = [
        module
        for module, path in modules().items()
        if not module.startswith("abatelink.validation")
        and any(t.startswith("abatelink.validation") for t in imports(path))
    ]
    assert not importers


def test_the_command_writes_the_file(tmp_path, monkeypatch, generated):
    import abatelink.validation.__main__ as entry

    monkeypatch.setattr(entry, "generate", lambda runs: generated)
    out = tmp_path / "docs" / "validation.md"
    assert main(["--out", str(out)]) == 0
    assert out.read_text() == generated[0]
