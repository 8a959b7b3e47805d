"""Hypothesis profiles: the same generated cases on every run unless asked to explore.

`pytest` (and CI) draws the property tests' cases from a fixed seed, so a run that passes
passes again; `HYPOTHESIS_PROFILE=explore pytest` draws new ones each time.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
