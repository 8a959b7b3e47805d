"""Checks of the written data set: sources.yaml keys, emitter shares, MAC steps and the joint
projects' shares, PM landing and Gobitec scale [gobitec2014] (no numbers of its own)."""

from __future__ import annotations

import csv

import yaml

from .baselines import EMITTERS
from .ccs import CCS_UNITS, unit_pm_removed_share
from .dataset import REGIONS, Key, Step
from .pm_transport import PM_ROUTES, pm_share
from .projects import INVESTMENT_SHARE
from .supergrid import CORRIDORS, GOBITEC_GW
from .tables import DATA_DIR, require


def check_sources() -> None:
    """Every source named in a CSV must be an entry of sources.yaml with citation, kind, note."""
    entries = yaml.safe_load((DATA_DIR / "sources.yaml").read_text(encoding="utf-8"))
    for entry_id, entry in entries.items():
        require(
            set(entry) == {"citation", "kind", "note"},
            f"sources.yaml: {entry_id} needs citation, kind, note",
        )
        require(
            entry["kind"] in {"S", "R", "A"}, f"sources.yaml: {entry_id} kind must be S, R or A"
        )
    for table in sorted(DATA_DIR.glob("*.csv")):
        with open(table, encoding="utf-8") as f:
            used = {row["source"] for row in csv.DictReader(f)}
        missing = used - set(entries)
        require(not missing, f"{table.name}: sources {sorted(missing)} are not in sources.yaml")


def check_shares() -> None:
    """Emitter shares of each region must add up to 1."""
    for region in REGIONS:
        total = sum(share for _, r, _, _, share in EMITTERS if r == region)
        require(abs(total - 1) < 1e-9, f"EMITTERS: shares of {region} add up to {total}, not 1")


def check_steps(base: dict[Key, float], steps: dict[Key, list[Step]]) -> None:
    """Steps of an emitter-period may not sum to more than its baseline."""
    for key, s in steps.items():
        require(
            sum(q for _, q in s) <= base[key] + 1e-9, f"mac.csv: steps of {key} exceed the baseline"
        )


def check_projects() -> None:
    """Participants' shares add up to 1; PM landing per source at most 1; the supergrid's
    export lines from Mongolia within the Gobitec scale; units in CCS_COSTS' regions."""
    for project, shares in INVESTMENT_SHARE.items():
        total = sum(shares.values())
        require(abs(total - 1) < 1e-9, f"INVESTMENT_SHARE: {project} adds up to {total}, not 1")
    for source in {s for s, _ in PM_ROUTES}:
        landed = sum(pm_share(s, r) for s, r in PM_ROUTES if s == source)
        require(landed <= 1, f"pm_transport.csv: {source} lands {landed:.3f} > 1 of a tonne")
    export_gw = sum(c.module_gw * c.max_modules for c in CORRIDORS if c.from_region == "MN")
    require(export_gw <= GOBITEC_GW, f"CORRIDORS: {export_gw} GW out of MN > {GOBITEC_GW}")
    for u in CCS_UNITS:
        require(0 < unit_pm_removed_share(u) < 1, f"CCS_UNITS: {u.unit} removes no PM net")
