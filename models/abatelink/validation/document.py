"""Solve every study and write the table as markdown (deterministic: same inputs, same text)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from abatelink.inputs.scenario import load_scenario
from abatelink.run import run
from abatelink.validation.studies import (
    Study,
    churkin,
    closed_form,
    edmonds,
    hotelling,
    ma_2019,
    optimal,
)

COMMAND = "python -m abatelink.validation --out docs/validation.md"
SCENARIOS = ("autarky", "linked", "supergrid", "joint-all")
HEADER = ("study", "quantity", "published", "abatelink", "agree?", "where and why we differ")


def default_runs() -> Path:
    """The project's `runs/` folder (beside `models/`), else `runs/` in the working folder."""
    here = Path(__file__).resolve().parents[3] / "runs"
    return here if (here / "autarky.yaml").is_file() else Path.cwd() / "runs"


def generate(runs: Path) -> tuple[str, list[Study]]:
    """Solve every study on the scenarios in `runs` and return the document and the studies."""
    scenarios = {name: load_scenario(runs / f"{name}.yaml") for name in SCENARIOS}
    autarky = optimal(run(scenarios["autarky"]))
    linked = optimal(run(scenarios["linked"]))
    with tempfile.TemporaryDirectory(prefix="abatelink-validation-") as tmp:
        folder = Path(tmp)
        studies = [
            closed_form(folder),
            hotelling(folder, autarky),
            ma_2019(folder, autarky, linked),
            edmonds(folder, autarky, linked),
            churkin(scenarios["supergrid"], scenarios["joint-all"]),
        ]
    dataset = autarky.model.dataset
    where = Path(os.path.relpath(dataset.path, runs.resolve().parent)).as_posix()
    inputs = (
        ", ".join(f"`runs/{name}.yaml`" for name in SCENARIOS)
        + f" on `{where}` (data set {dataset.meta.name}, vintage {dataset.meta.vintage})"
    )
    return render(studies, inputs), studies


def render(studies: list[Study], inputs: str) -> str:
    """The markdown document: intro, one table of every study's rows, the setups in words."""
    lines = [
        "# Validation: published results beside abatelink",
        "",
        f"Written by `{COMMAND}`; do not edit by hand (`tests/test_validation.py` checks that "
        "this file is what the command writes now). Every abatelink number here comes from the "
        "solves that command makes; none is typed in.",
        "",
        f"Inputs: {inputs}, and small data sets the command writes to a temporary folder (the "
        "exact rows and the matched setups below). Nothing in it depends on the date or on the "
        "solver's path to the optimum (one price at each kink), so two runs write the same file.",
        "",
        "The published studies use other models (GTAP-E, GCAM, a power-system model) and other "
        'cost concepts, so we compare **direction and order, not decimals**: "agree?" says '
        "whether the sign, the ranking or the yes/no matches (and, for the exact rows, whether "
        "the number matches the analytic one). Costs are present-value national costs "
        "(abatement, project costs and net payments abroad; taxes paid to one's own treasury "
        "are not a national cost), US$ of the data set's currency year.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    for study in studies:
        for row in study.rows:
            cells = (row.study, row.quantity, row.published, row.ours, row.agree, row.why)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Setups", ""]
    lines += [f"- **{study.name}**: {study.setup}" for study in studies]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
