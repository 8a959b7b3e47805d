"""The order in which the data set is written, checked and reported (no numbers of its own)."""

from __future__ import annotations

from .baselines import baselines, write_baseline, write_markets_and_emitters
from .calibration import caps
from .caps import write_caps
from .ccs import write_ccs_units
from .checks import check_projects, check_shares, check_sources, check_steps
from .dataset import DATASET_YAML
from .grids import write_grids
from .links import write_banking_and_taxes, write_links_and_limits
from .mac import all_steps, write_mac
from .ndc import write_ndc
from .offsets import write_offset_supply
from .pm_transport import write_pm_transport
from .projects import write_projects
from .report import report_autarky, report_ccs, report_ndc, report_supergrid
from .supergrid import write_sites_and_corridors
from .tables import DATA_DIR


def main() -> None:
    """Write every file of the data set, check it and print the anchors."""
    check_shares()
    base = baselines()
    steps = all_steps(base)
    cap, prices = caps(base, steps)
    (DATA_DIR / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    write_markets_and_emitters()
    write_baseline(base)
    write_mac(steps)
    write_caps(cap)
    write_links_and_limits()
    write_banking_and_taxes()
    write_ndc()
    write_offset_supply()
    write_projects()
    write_ccs_units()
    write_pm_transport()
    write_sites_and_corridors()
    write_grids()
    check_steps(base, steps)
    check_projects()
    check_sources()
    report_autarky(base, steps, cap, prices)
    report_ndc(base, steps)
    report_ccs()
    report_supergrid()
