"""Joint projects [aspi2018] and their participants' investment shares [assumption-participants]."""

from __future__ import annotations

from .tables import write_csv

# project -> (kind, description) [aspi2018]
PROJECTS: dict[str, tuple[str, str]] = {
    "ccs-cn": (
        "ccs",
        "CO2 capture with dust pre-treatment at Chinese supercritical coal units (CN-ETS)",
    ),
    "ccs-kr": ("ccs", "CO2 capture with dust pre-treatment at Korean coal units (K-ETS)"),
    "gobi": (
        "supergrid",
        "Gobi wind and solar in Mongolia; HVDC on to China, Korea and Japan",
    ),
}
# Share of each project's capex paid by each participant [assumption-participants]
INVESTMENT_SHARE: dict[str, dict[str, float]] = {
    "ccs-cn": {"CN": 0.5, "KR": 0.3, "JP": 0.2},
    "ccs-kr": {"KR": 0.6, "JP": 0.2, "CN": 0.2},
    "gobi": {"MN": 0.1, "CN": 0.3, "KR": 0.3, "JP": 0.3},
}


def write_projects() -> None:
    """projects.csv and participants.csv."""
    write_csv(
        "projects.csv",
        ["project", "kind", "description", "source"],
        ([p, kind, d, "aspi2018"] for p, (kind, d) in PROJECTS.items()),
    )
    write_csv(
        "participants.csv",
        ["project", "region", "investment_share", "credit_share", "cost_share", "source"],
        (
            [p, r, share, "", "", "assumption-participants"]
            for p, shares in INVESTMENT_SHARE.items()
            for r, share in shares.items()
        ),
    )
