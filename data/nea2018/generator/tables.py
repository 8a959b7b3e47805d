"""Shared CSV writing and number formats of every table (no source's numbers live here)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent  # data/nea2018, where the files are written


def write_csv(name: str, header: list[str], rows: Iterable[Sequence[object]]) -> None:
    """Write one table with a trailing source column already in each row."""
    with open(DATA_DIR / name, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def mt(x: float) -> str:
    """Format a quantity in Mt/yr."""
    return f"{x:.3f}"


def usd(x: float) -> str:
    """Format a price in US$/t."""
    return f"{x:.2f}"


def require(condition: bool, message: str) -> None:
    """Stop with `message` (which says what to fix) unless `condition` holds."""
    if not condition:
        raise ValueError(message)
