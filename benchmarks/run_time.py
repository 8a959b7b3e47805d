"""Wall time of `abatelink run SCENARIO` as a user runs it, Python start-up included.

    python benchmarks/run_time.py [runs/linked.yaml] [--repeat 5]

Prints the median and best of the repeats, and the solver's own share from summary.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="runs/linked.yaml")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    command = shutil.which("abatelink") or str(Path(sys.executable).parent / "abatelink")
    out = Path(tempfile.mkdtemp())
    walls = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run(
            [command, "run", args.scenario, "--out", str(out)], check=True, capture_output=True
        )
        walls.append(time.perf_counter() - start)
    timings = json.loads((out / "summary.json").read_text())["timings_s"]
    print(
        f"abatelink run {args.scenario}: median {statistics.median(walls):.2f} s, "
        f"best {min(walls):.2f} s wall over {args.repeat} runs (Python start-up included)"
    )
    print("inside the run (last repeat): " + ", ".join(f"{k} {v:.3f}" for k, v in timings.items()))


if __name__ == "__main__":
    main()
