"""`python -m abatelink.validation [--out FILE] [--runs DIR]`: write the validation table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from abatelink.validation.document import default_runs, generate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m abatelink.validation",
        description="published results beside abatelink's, on setups built to match them",
    )
    parser.add_argument("--out", type=Path, help="markdown file to write (default: print it)")
    parser.add_argument(
        "--runs",
        type=Path,
        default=None,
        help="folder of the shipped scenarios (default: the project's runs/)",
    )
    args = parser.parse_args(argv)
    text, _ = generate(args.runs or default_runs())
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
