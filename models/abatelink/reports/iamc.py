"""IAMC-format data of a run folder: the variables analysts need, declared once
(`IAMC_VARIABLES`), written with pandas in the wide format and checked with pyam when the
`iamc` extra is installed; `docs/iamc-variables.md` is generated from the declaration."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from abatelink.errors import InputError, MissingExtra

if TYPE_CHECKING:
    import pyam


from abatelink.reports.run_folder import RunFolder, as_run, require_solution

IAMC_DOC = Path(__file__).resolve().parents[3] / "docs" / "iamc-variables.md"
IAMC_MODEL = "abatelink"
IAMC_COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]


@dataclass(frozen=True)
class IamcVariable:
    """One IAMC variable: its name, unit, definition and where its values come from.

    Attributes
    ----------
    name : str
        The IAMC name; one ending in ``|<project>`` stands for one variable per project.
    unit : str
        The unit, ``{currency}`` standing for the data set's currency (e.g. 'US$2020').
    definition : str
        What it is, for docs/iamc-variables.md.
    source : str
        The tables and columns it is computed from.
    values : callable
        RunFolder -> DataFrame with columns region, period, value (and item, for a name
        ending in ``|<project>``).
    """

    name: str
    unit: str
    definition: str
    source: str
    values: Callable[[RunFolder], pd.DataFrame]


def _region_carbon_price(run: RunFolder) -> pd.DataFrame:
    prices = run.table("prices").query("kind == 'ets'")
    caps = run.table("balances")[["market", "period", "cap_mt"]]
    frame = prices.merge(caps, on=["market", "period"], how="left")
    frame["cap_mt"] = frame["cap_mt"].fillna(0.0)
    return (
        frame.groupby(["region", "period"])[["price_usd_per_t", "cap_mt"]]
        .apply(_cap_weighted)
        .rename("value")
        .reset_index()
    )


def _cap_weighted(frame: pd.DataFrame) -> float:
    """Σ p·cap / Σ cap; the plain mean where the caps add up to nothing."""
    total = frame["cap_mt"].sum()
    if total > 0:
        return float((frame["price_usd_per_t"] * frame["cap_mt"]).sum() / total)
    return float(frame["price_usd_per_t"].mean())


def _column(table: str, column: str, **where: str) -> Callable[[RunFolder], pd.DataFrame]:
    """Values of one column per region and period, on the rows matching `where`."""

    def values(run: RunFolder) -> pd.DataFrame:
        frame = run.table(table)
        for key, wanted in where.items():
            frame = frame[frame[key] == wanted]
        return frame[["region", "period", column]].rename(columns={column: "value"})

    return values


def _covered_emissions(run: RunFolder) -> pd.DataFrame:
    emissions = run.table("emissions")
    ets = set(run.table("prices").query("kind == 'ets'")["market"])
    keys = pd.MultiIndex.from_frame(
        emissions.loc[emissions["scope"] == "total", ["region", "period"]]
    )
    covered = emissions[emissions["scope"].isin(ets)].groupby(["region", "period"])["emissions_mt"]
    return covered.sum().reindex(keys, fill_value=0.0).rename("value").reset_index()


def _net_sales(column: str) -> Callable[[RunFolder], pd.DataFrame]:
    """Σ column over cross-border trades a region sends − Σ over those it receives."""

    def values(run: RunFolder) -> pd.DataFrame:
        trades = run.table("trades")
        abroad = trades[trades["cross_border"].astype(bool)]
        index = pd.MultiIndex.from_frame(run.table("costs")[["region", "period"]])
        sold = abroad.groupby(["from_region", "period"])[column].sum().reindex(index, fill_value=0)
        bought = abroad.groupby(["to_region", "period"])[column].sum().reindex(index, fill_value=0)
        return (sold - bought).astype(float).rename("value").reset_index()

    return values


def _project_credits(run: RunFolder) -> pd.DataFrame:
    if not run.has("credits") or run.table("credits").empty:
        return pd.DataFrame(columns=["item", "region", "period", "value"])
    credits = run.table("credits")
    earning = credits.groupby("project")["credited_mt"].transform(lambda c: c.abs().max() > 0)
    summed = credits[earning].groupby(["project", "region", "period"], as_index=False)
    return summed["credited_mt"].sum().rename(columns={"project": "item", "credited_mt": "value"})


PER_YEAR = "million {currency}/yr"
IAMC_VARIABLES: tuple[IamcVariable, ...] = (
    IamcVariable(
        "Price|Carbon",
        "{currency}/t CO2",
        "Allowance price of the region's ETS markets; with several, their mean weighted by "
        "their caps in that period (the plain mean where the caps add up to 0). Regions without "
        "an ETS market have none; tax markets are left out.",
        "prices.price_usd_per_t (kind 'ets'), balances.cap_mt",
        _region_carbon_price,
    ),
    IamcVariable(
        "Price|Carbon|NDC",
        "{currency}/t CO2",
        "Shadow price of the region's NDC target (0 where the target is slack or absent).",
        "ndc.shadow_price_usd_per_t",
        _column("ndc", "shadow_price_usd_per_t"),
    ),
    IamcVariable(
        "Emissions|CO2",
        "Mt CO2/yr",
        "Emissions of the region's inventory (before Article 6 adjustments).",
        "ndc.inventory_mt",
        _column("ndc", "inventory_mt"),
    ),
    IamcVariable(
        "Emissions|CO2|Covered",
        "Mt CO2/yr",
        "Emissions of the region's emitters in ETS markets.",
        "emissions.emissions_mt (scope: the region's ETS markets)",
        _covered_emissions,
    ),
    IamcVariable(
        "Emissions|CO2|Abatement",
        "Mt CO2/yr",
        "Abatement by the region's emitters below their baseline (joint projects' reductions "
        "apart).",
        "emissions.abatement_mt (scope 'total')",
        _column("emissions", "abatement_mt", scope="total"),
    ),
    IamcVariable(
        "Cost|Abatement",
        PER_YEAR,
        "Cost of the region's abatement (area under the MAC steps used).",
        "costs.abatement_cost_musd",
        _column("costs", "abatement_cost_musd"),
    ),
    IamcVariable(
        "Cost|National",
        PER_YEAR,
        "National (resource) cost: abatement, project shares, transaction costs, offsets, "
        "paid abroad − received from abroad, − PM avoided (when valued).",
        "costs.national_cost_musd",
        _column("costs", "national_cost_musd"),
    ),
    IamcVariable(
        "Cost|Emitters",
        PER_YEAR,
        "Emitters' compliance cost.",
        "costs.emitters_cost_musd",
        _column("costs", "emitters_cost_musd"),
    ),
    IamcVariable(
        "Revenue|Government",
        PER_YEAR,
        "Government revenue (tax, floor top-up, ceiling sales, export fees − supports − "
        "project costs).",
        "costs.government_revenue_musd",
        _column("costs", "government_revenue_musd"),
    ),
    IamcVariable(
        "Trade|Emissions Allowances|Volume",
        "Mt CO2/yr",
        "Net sales of allowances abroad: allowances sent to other regions − allowances bought "
        "from them (both counted as sent, before exchange rates); negative: net purchases.",
        "trades.volume_mt (cross_border), by from_region − by to_region",
        _net_sales("volume_mt"),
    ),
    IamcVariable(
        "Trade|Emissions Allowances|Value",
        PER_YEAR,
        "Net receipts for allowances: settlement received for sales abroad − paid for "
        "purchases (= costs.received_from_abroad_musd − costs.paid_abroad_musd).",
        "trades.payment_musd (cross_border), by from_region − by to_region",
        _net_sales("payment_musd"),
    ),
    IamcVariable(
        "Project Credits|<project>",
        "Mt CO2/yr",
        "Credits of a joint project the region receives (projects that earn any).",
        "credits.credited_mt, summed by project, region and period",
        _project_credits,
    ),
)
LEFT_OUT = (
    "Gains from Linking: a run folder holds one scenario; the gain needs a second run "
    "without links (`abatelink compare`), and the coalition tables of a `game_solution` hold "
    "present values without a year."
)


def iamc_frame(run: RunFolder) -> pd.DataFrame:
    """The run in IAMC long format (the variables of `IAMC_VARIABLES`), as a plain DataFrame.

    Returns
    -------
    DataFrame
        Columns model, scenario, region, variable, unit, year, value.
    """
    parts = [_variable_rows(run, variable) for variable in IAMC_VARIABLES]
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True)
    frame.insert(0, "scenario", run.name)
    frame.insert(0, "model", IAMC_MODEL)
    frame["year"] = frame["year"].astype(int)
    frame["value"] = frame["value"].astype(float)
    return frame[IAMC_COLUMNS]


def _variable_rows(run: RunFolder, variable: IamcVariable) -> pd.DataFrame:
    values = variable.values(run)
    stem, _, templated = variable.name.partition("|<")
    name = stem + "|" + values["item"].astype(str) if templated else variable.name
    return pd.DataFrame(
        {
            "region": values["region"].to_numpy(),
            "variable": name if isinstance(name, str) else name.to_numpy(),
            "unit": variable.unit.format(currency=run.currency),
            "year": values["period"].to_numpy(),
            "value": values["value"].to_numpy(),
        }
    )


def iamc_variables_doc() -> str:
    """docs/iamc-variables.md: the table of `IAMC_VARIABLES` and what is left out."""
    lines = [
        "# IAMC variables",
        "",
        "Written by `abatelink export RUN_DIR --format iamc` (`iamc.csv`, `iamc.xlsx`: IAMC wide",
        f"format, model `{IAMC_MODEL}`, scenario = the scenario's name, one column per period).",
        "Generated from `abatelink.reports.iamc.IAMC_VARIABLES`; regenerate with",
        "`python -c 'from abatelink.reports.iamc import write_iamc_doc; write_iamc_doc()'`.",
        "Money is in US$ of the data set's currency year (`currency_year` of dataset.yaml).",
        "",
        "| variable | unit | definition | from |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {_code(v.name)} | {v.unit.format(currency='US$<year>')} | {v.definition} | {v.source} |"
        for v in IAMC_VARIABLES
    ]
    lines += ["", "Left out:", "", f"- {LEFT_OUT}", ""]
    return "\n".join(lines)


def _code(name: str) -> str:
    """An IAMC name as Markdown code in a table cell (its pipes escaped)."""
    return "`" + name.replace("|", "\\|") + "`"


def write_iamc_doc(path: Path = IAMC_DOC) -> Path:
    """Write `iamc_variables_doc` to docs/iamc-variables.md (or `path`)."""
    path.write_text(iamc_variables_doc())
    return path


def check_iamc_frame(frame: pd.DataFrame, source: Path) -> pd.DataFrame:
    """Check an IAMC frame before pyam sees it; drop rows without a value, with a warning.

    Raises
    ------
    InputError
        On duplicate (region, variable, year) rows, or a variable with more than one unit.
    """
    keys = ["model", "scenario", "region", "variable", "year"]
    duplicated = frame[frame.duplicated(keys, keep=False)]
    if len(duplicated):
        first = duplicated.iloc[0]
        raise InputError(source, f"duplicate IAMC rows, e.g. {first['variable']} {first['year']}")
    units = frame.groupby("variable")["unit"].nunique()
    if (units > 1).any():
        raise InputError(source, f"variables with several units: {list(units[units > 1].index)}")
    finite = frame["value"].map(lambda v: math.isfinite(v))
    if not finite.all():
        dropped = sorted(set(frame.loc[~finite, "variable"]))
        warnings.warn(f"{source}: no value for {dropped}; left out", stacklevel=2)
    return frame[finite].reset_index(drop=True)


def to_iamc(run_dir: str | Path | RunFolder) -> pyam.IamDataFrame:
    """The run as a `pyam.IamDataFrame` (model 'abatelink', scenario = the scenario's name).

    Parameters
    ----------
    run_dir : str, Path or RunFolder
        A run folder (or one already read).

    Returns
    -------
    pyam.IamDataFrame
        See `iamc_frame` for the variables; every variable has one unit.

    Raises
    ------
    MissingExtra
        Without pyam (`pip install "abatelink[iamc]"`).
    """
    pyam = _pyam()
    if pyam is None:
        raise MissingExtra("iamc", "IAMC data as a pyam.IamDataFrame")
    return pyam.IamDataFrame(_checked_iamc_frame(run_dir))


def _checked_iamc_frame(run_dir: str | Path | RunFolder) -> pd.DataFrame:
    run = require_solution(as_run(run_dir), "IAMC data")
    return check_iamc_frame(iamc_frame(run), run.path)


def _pyam():
    """pyam if it is installed (the `iamc` extra), else None; imported here: it is slow."""
    try:
        import pyam
    except ImportError:
        return None
    return pyam


def write_iamc(run: RunFolder, folder: Path) -> list[Path]:
    """Write `iamc.xlsx` and `iamc.csv` in the IAMC wide format (model, scenario, region,
    variable, unit, one column per year) with pandas; where pyam is installed, each file is
    read back by pyam as a check. Returns both paths."""
    long = _checked_iamc_frame(run)
    keys = ["model", "scenario", "region", "variable", "unit"]
    wide = long.pivot_table(index=keys, columns="year", values="value", aggfunc="first")
    wide = wide.rename(columns=str).reset_index()
    wide.columns = [str(c).capitalize() if c in keys else c for c in wide.columns]
    xlsx, csv = folder / "iamc.xlsx", folder / "iamc.csv"
    wide.to_excel(xlsx, sheet_name="data", index=False)
    wide.to_csv(csv, index=False)
    pyam = _pyam()
    if pyam is not None:
        for path in (xlsx, csv):
            pyam.IamDataFrame(path)
    return [xlsx, csv]
