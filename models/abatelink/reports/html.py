"""One self-contained HTML report of a run: status, scenario, tables and figures.

The file opens offline: styles are inline, figures are embedded as base64 PNG, and there is no
script, external stylesheet or font.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from abatelink.outputs import write_text
from abatelink.reports.export import RunFolder, as_run, scenario_rows
from abatelink.reports.figures import Chart, png_bytes, run_charts, run_labels
from abatelink.results.tables import TABLE_NAMES

REPORT_FILE = "report.html"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #111; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #999; padding-bottom: 0.2rem;
     margin-top: 2rem; }
table.data { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
table.data th, table.data td { border: 1px solid #bbb; padding: 0.2rem 0.5rem; }
table.data td { text-align: right; font-variant-numeric: tabular-nums; }
table.data thead th { background: #eee; }
table.data tbody th { text-align: left; background: #f7f7f7; }
table.scenario td { text-align: left; }
.status { display: inline-block; padding: 0.1rem 0.6rem; border: 2px solid #111;
          font-weight: bold; }
.status.bad { border-style: dashed; }
ul.warnings li { margin: 0.2rem 0; }
ul.warnings li.warning::before { content: "⚠ "; font-weight: bold; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-style: italic; margin-top: 0.3rem; }
.muted { color: #555; font-size: 0.85rem; }
"""


def write_report(
    run_dir: str | Path | RunFolder,
    compare_dir: str | Path | RunFolder | None = None,
    out: Path | None = None,
) -> Path:
    """Write the HTML report of a run (optionally compared with a second run), atomically.

    Parameters
    ----------
    run_dir : str, Path or RunFolder
        A run folder written by `abatelink run` (or one already read).
    compare_dir : str, Path or RunFolder, optional
        A second run folder, e.g. autarky for a linked run: its prices and costs are shown
        beside the run's, with the gain of each region (cost there − cost here).
    out : Path, optional
        The HTML file to write, or an existing folder to write `report.html` into; default
        `<run_dir>/report.html`. (`abatelink report` writes `<run_dir>/report/report.html`
        under the output policy of `abatelink.outputs`.)

    Returns
    -------
    Path
        The report file.
    """
    run = as_run(run_dir)
    other = as_run(compare_dir) if compare_dir is not None else None
    path = Path(out) if out is not None else run.path / REPORT_FILE
    if path.is_dir():
        path = path / REPORT_FILE
    return write_text(path, render_report(run, other))


def render_report(run: RunFolder, other: RunFolder | None = None) -> str:
    """The report as one HTML document (a string)."""
    labels = run_labels([run.name] + ([other.name] if other else []))
    title = f"abatelink report: {labels[0]}" + (f" compared with {labels[1]}" if other else "")
    body = [
        f"<h1>{_e(title)}</h1>",
        _description(run),
        _status_section(run, other),
        _scenario_section(run),
    ]
    if run.solved:
        solved_other = other if other is not None and other.solved else None
        body += [
            _price_section(run, solved_other, labels),
            _cost_section(run, solved_other, labels),
            _trade_section(run),
            _ndc_section(run),
            _credit_section(run),
            _figure_section(run_charts(run, solved_other)),
        ]
    body += [_other_tables_section(run), _footer(run, other)]
    return _page(title, body)


def _page(title: str, body: Iterable[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _e(text: object) -> str:
    return html.escape(str(text))


def _table(frame: pd.DataFrame, table_id: str, *, index: bool = True, digits: int = 2) -> str:
    return frame.to_html(
        table_id=table_id,
        classes="data",
        border=0,
        index=index,
        na_rep="–",
        float_format=lambda v: f"{v:,.{digits}f}",
    )


# --------------------------------------------------------------------------- status


def run_warnings(run: RunFolder, other: RunFolder | None = None) -> list[tuple[str, str]]:
    """What a reader must know before using the numbers: (kind, text), kind 'warning'/'note'."""
    out = _status_warnings(run)
    if other is not None:
        out += [(kind, f"{other.name}: {text}") for kind, text in _status_warnings(other)]
        if other.summary.get("periods") != run.summary.get("periods"):
            out.append(("warning", "the two runs cover different periods"))
        if other.summary.get("dataset") != run.summary.get("dataset"):
            out.append(("warning", "the two runs use different data sets"))
    if run.solved:
        out += _ndc_notes(run)
    return out


def _status_warnings(run: RunFolder) -> list[tuple[str, str]]:
    s, out = run.summary, []
    if run.status != "optimal":
        what = "best solution found, not proven optimal" if s.get("has_solution") else "none"
        out.append(("warning", f"solver status is '{run.status}' (solution: {what})"))
    if s.get("has_solution") is False:
        out.append(("warning", "the run has no solution: there are no result tables"))
    if s.get("prices_conditional_on_build") or s.get("is_mip"):
        note = s.get("prices_note") or "prices are conditional on the MILP build"
        out.append(("warning", f"prices conditional on the MILP build: {note}"))
    gap = s.get("mip_gap")
    if gap is not None and gap > 0:
        out.append(("warning", f"MIP gap {gap:.2%}: the cost may be up to that far from optimal"))
    out += [("warning", str(text)) for text in _as_list(s.get("warnings"))]
    kind = "note" if run.solved else "warning"
    out += [(kind, f"diagnosis: {text}") for text in _as_list(s.get("diagnosis"))]
    if s.get("offtake_iterations"):
        out.append(("note", f"offtake shares settled in {s['offtake_iterations']} re-solves"))
    return out


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _ndc_notes(run: RunFolder) -> list[tuple[str, str]]:
    ndc = run.table("ndc")
    binding = ndc[ndc["shadow_price_usd_per_t"].fillna(0) > 1e-9]
    if binding.empty:
        return []
    where = ", ".join(f"{r} {t}" for r, t in binding[["region", "period"]].itertuples(index=False))
    return [
        (
            "note",
            f"the NDC binds in {where}: abatement there answers to the NDC shadow price on "
            "top of the market price, so it may lie beyond the price on the MAC curve",
        )
    ]


def _description(run: RunFolder) -> str:
    description = (run.summary.get("resolved_scenario") or {}).get("description")
    return f"<p>{_e(description)}</p>" if description else ""


def _status_section(run: RunFolder, other: RunFolder | None) -> str:
    bad = "" if run.status == "optimal" else " bad"
    items = "".join(
        f'<li class="{kind}">{_e(text)}</li>' for kind, text in run_warnings(run, other)
    )
    warnings = f'<ul class="warnings" id="warnings">{items}</ul>' if items else ""
    return (
        '<section id="status"><h2>Status</h2>'
        f'<p>Solver status: <span class="status{bad}">{_e(run.status)}</span></p>'
        f"{warnings}</section>"
    )


def _scenario_section(run: RunFolder) -> str:
    rows = scenario_rows(run)
    described, summary = (
        rows[rows["section"] == section].set_index("item")[["value"]].rename_axis(None)
        for section in ("scenario", "summary.json")
    )
    return (
        '<section id="scenario"><h2>Scenario</h2>'
        + _text_table(described, "scenario-table")
        + "<details><summary>Everything in summary.json</summary>"
        + _text_table(summary, "summary-table")
        + "</details></section>"
    )


def _text_table(frame: pd.DataFrame, table_id: str) -> str:
    text = frame.astype(str).replace({"nan": "", "None": ""})
    return text.to_html(table_id=table_id, classes="data scenario", border=0, header=False)


# --------------------------------------------------------------------------- tables


def price_pivot(run: RunFolder) -> pd.DataFrame:
    """Prices by market (with region and kind) and period, in the run's currency per t."""
    prices = run.table("prices")
    return prices.pivot_table(
        index=["market", "region", "kind"],
        columns="period",
        values="price_usd_per_t",
        sort=False,
    )


def _price_section(run: RunFolder, other: RunFolder | None, labels: list[str]) -> str:
    parts = [
        '<section id="price-section"><h2>Carbon prices</h2>',
        f"<p>{_e(labels[0])}: {_e(run.currency)}/t CO2 by market and period. "
        f'<span class="muted">{_e(run.summary.get("prices_note", ""))}</span></p>',
        _table(price_pivot(run), "prices"),
    ]
    if other is not None:
        parts += [
            f"<p>{_e(labels[1])}: {_e(other.currency)}/t CO2.</p>",
            _table(price_pivot(other), "prices-compare"),
        ]
    return "".join(parts) + "</section>"


def cost_pivot(run: RunFolder) -> pd.DataFrame:
    """Total cost by region and period (million US$/yr)."""
    return run.table("costs").pivot(index="region", columns="period", values="national_cost_musd")


def _cost_section(run: RunFolder, other: RunFolder | None, labels: list[str]) -> str:
    unit = f"million {run.currency}/yr"
    parts = [
        '<section id="cost-section"><h2>Costs by region</h2>',
        f"<p>{_e(labels[0])}: total compliance cost ({_e(unit)}).</p>",
        _table(cost_pivot(run), "costs"),
    ]
    if other is not None:
        gain = cost_pivot(other) - cost_pivot(run)
        parts += [
            f"<p>Gain of each region: cost in {_e(labels[1])} − cost in {_e(labels[0])} "
            f"({_e(unit)}; positive: {_e(labels[0])} is cheaper).</p>",
            _table(gain, "gains"),
        ]
    return "".join(parts) + "</section>"


def _trade_section(run: RunFolder) -> str:
    trades = run.table("trades")
    active = trades[trades["volume_mt"].abs() > 1e-9]
    if active.empty:
        body = "<p>No allowances were traded.</p>"
    else:
        pivot = active.pivot_table(
            index=["from_market", "to_market"], columns="period", values="volume_mt"
        )
        body = "<p>Allowances transferred (Mt CO2/yr), links that trade.</p>" + _table(
            pivot, "trades"
        )
    return f'<section id="trade-section"><h2>Allowance trades</h2>{body}</section>'


def _ndc_section(run: RunFolder) -> str:
    ndc = run.table("ndc").set_index(["region", "period"])
    columns = ["inventory_mt", "adjustment_mt", "accounted_mt", "target_mt"]
    shown = ndc[[*columns, "shadow_price_usd_per_t"]]
    return (
        '<section id="ndc-section"><h2>NDC accounting</h2>'
        f"<p>Mt CO2/yr; shadow price in {_e(run.currency)}/t CO2 (&gt; 0 where the NDC "
        "binds).</p>" + _table(shown, "ndc") + "</section>"
    )


def _credit_section(run: RunFolder) -> str:
    """Items built and credits by project, period and region (rows with any credit)."""
    if not run.has("projects") or run.table("projects").empty:
        return ""
    projects, parts = (
        run.table("projects"),
        ['<section id="project-section"><h2>Joint projects</h2>'],
    )
    built = projects[projects["built"].astype(bool)]
    if built.empty:
        return "".join([*parts, "<p>No joint project was built.</p></section>"])
    summary = built.groupby(["project", "period"]).agg(
        items_built=("item", "nunique"),
        generated_mt=("generated_mt", "sum"),
        cost_musd=("cost_musd", "sum"),
    )
    parts += [
        f"<p>Items built, CO2 avoided (Mt CO2/yr) and cost (million {_e(run.currency)}/yr).</p>",
        _table(summary, "projects", digits=3),
    ]
    credits = run.table("credits") if run.has("credits") else pd.DataFrame()
    if len(credits):
        shown = credits.set_index(["project", "period", "region"])
        shown = shown[["generated_mt", "share", "credited_mt", "adjustment_mt"]]
        shown = shown[(shown[["generated_mt", "credited_mt"]].abs() > 1e-9).any(axis=1)]
        parts += [
            "<p>Credits generated in and credited to each region (Mt CO2/yr); adjustment = "
            "generated − credited.</p>",
            _table(shown, "credits", digits=3),
        ]
    return "".join(parts) + "</section>"


def _other_tables_section(run: RunFolder) -> str:
    """Tables beyond the standard ones, e.g. the diagnosis of an infeasible run."""
    others = {n: t for n, t in run.tables.items() if n not in TABLE_NAMES}
    if not others:
        return ""
    parts = ['<section id="other-tables"><h2>Other tables</h2>']
    for name, table in others.items():
        parts += [f"<h3>{_e(name)}.csv</h3>", _table(table, f"table-{name}", index=False)]
    return "".join(parts) + "</section>"


# --------------------------------------------------------------------------- figures


def _figure_section(charts: list[Chart]) -> str:
    parts = ['<section id="figures"><h2>Figures</h2>']
    for chart in charts:
        if chart.figure is None:
            parts.append(f'<p class="muted">{_e(chart.title)}: not drawn ({_e(chart.note)}).</p>')
            continue
        data = base64.b64encode(png_bytes(chart.figure)).decode("ascii")
        parts.append(
            f'<figure id="figure-{_e(chart.name)}">'
            f'<img src="data:image/png;base64,{data}" alt="{_e(chart.title)}">'
            f"<figcaption>{_e(chart.title)}</figcaption></figure>"
        )
    return "".join(parts) + "</section>"


def _footer(run: RunFolder, other: RunFolder | None) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in (run.summary.get("versions") or {}).items())
    sources = [run] + ([other] if other else [])
    folders = "; ".join(f"{r.name}: {r.path}" for r in sources)
    return (
        '<footer class="muted"><p>'
        f"Run folders: {_e(folders)}. Input hash: {_e(run.summary.get('input_hash', ''))}. "
        f"Versions: {_e(versions)}.</p></footer>"
    )
