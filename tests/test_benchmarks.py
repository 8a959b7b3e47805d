"""benchmarks/all.py runs and writes its JSON list of cases (its figures are not checked)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_all_writes_cases(tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "all.py"),
        "--cases",
        "startup-help,sweep-bounds",
        "--scenarios",
        "8",
        "--repeats",
        "1",
        "--json",
        str(out),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    cases = json.loads(out.read_text())
    assert [c["case"] for c in cases] == ["startup-help", "sweep-bounds"]
    for case in cases:
        assert {"case", "ours_s", "floor_s", "ratio", "unit", "detail"} <= case.keys()
        assert case["ours_s"] > 0 and case["floor_s"] > 0
        assert math.isclose(case["ratio"], case["ours_s"] / case["floor_s"])
    assert cases[1]["detail"]["scenarios"] == 8
    assert 0 < cases[1]["detail"]["in_highs_s"] < cases[1]["ours_s"]  # HiGHS's part of ours
    assert "startup-help" in done.stdout and "sweep-bounds" in done.stdout
