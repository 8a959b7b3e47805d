"""PM transport: the share of a tonne of PM emitted in one region that lands in another
[pm-transport], from the LTP receptor shares [ltp2019] [pm-emissions] [assumption-pm-transport]."""

from __future__ import annotations

from .tables import write_csv

# Receptor's annual PM2.5 by source region, share of the concentration [ltp2019]
PM_CONTRIBUTION: dict[tuple[str, str], float] = {
    ("CN", "CN"): 0.91,
    ("KR", "CN"): 0.02,
    ("CN", "KR"): 0.32,
    ("KR", "KR"): 0.51,
    ("CN", "JP"): 0.25,
    ("KR", "JP"): 0.08,
    ("JP", "JP"): 0.55,
}
# SO2 + NOx + primary PM2.5 emitted, Mt/yr, around 2017 [pm-emissions]
PM_PRECURSORS_MT: dict[str, float] = {"CN": 40.0, "KR": 1.6, "JP": 2.0}
# Share of a region's emitted mass that stays over its own land [assumption-pm-transport]
PM_RETAINED: dict[str, float] = {"CN": 0.5, "KR": 0.3, "JP": 0.3}
# Share of China's precursors emitted in the airshed of the LTP's Chinese receptor cities
PM_CN_RECEPTOR_AIRSHED = 0.4  # [assumption-pm-transport]
PM_ROUTES: tuple[tuple[str, str], ...] = (
    ("CN", "CN"),
    ("CN", "KR"),
    ("CN", "JP"),
    ("KR", "KR"),
    ("KR", "JP"),
    ("KR", "CN"),
)


def pm_share(source: str, receptor: str) -> float:
    """Share of a tonne emitted in `source` that lands in `receptor`.

    At home: the retained share a_s. Abroad, from the receptor's concentration shares c:
    mass(s->r) = mass(r->r) * c(s->r) / c(r->r), mass(r->r) = a_r * E_r, so
    share = a_r * E_r / E_s * c(s->r) / c(r->r), with E_r only the receptor cities' airshed
    for China.
    """
    if source == receptor:
        return PM_RETAINED[source]
    airshed = PM_CN_RECEPTOR_AIRSHED if receptor == "CN" else 1.0
    mass_ratio = PM_RETAINED[receptor] * airshed * PM_PRECURSORS_MT[receptor]
    contribution = PM_CONTRIBUTION[(source, receptor)] / PM_CONTRIBUTION[(receptor, receptor)]
    return mass_ratio / PM_PRECURSORS_MT[source] * contribution


def write_pm_transport() -> None:
    """pm_transport.csv."""
    write_csv(
        "pm_transport.csv",
        ["source_region", "receptor_region", "share", "source"],
        ([s, r, f"{pm_share(s, r):.4f}", "pm-transport"] for s, r in PM_ROUTES),
    )
