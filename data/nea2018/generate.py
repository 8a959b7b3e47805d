"""Write the nea2018 default data set of abatelink from the numbers in generator/.

Run from the repository root:  python data/nea2018/generate.py
The numbers live in generator/, one module per source or concern (baselines, mac, caps, ndc,
links, ccs, pm_transport, supergrid, grids, projects, ...); every constant names, in brackets,
the entry of sources.yaml it comes from. The script rewrites dataset.yaml and every CSV of this
folder, checks them, and prints the hand-computed autarky prices with banking (Hotelling paths,
per market and period; the model's autarky run gives the same), the NDC shadow prices and the
NDC feasibility check quoted in README.md; for the joint projects, each CCS unit's levelised
cost per tonne avoided and the cost of Gobi power delivered.
Units: Mt/yr (CN: fossil CO2; JP, KR: GHG in CO2e, NDC inventory basis), US$(2020)/t.
It does not import abatelink and needs only pyyaml.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so that `generator` is found

from generator.run import main

if __name__ == "__main__":
    main()
