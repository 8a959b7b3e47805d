"""A game given as a table of coalition values, for `abatelink share --values FILE.csv`.

Analysts bring coalition values from other models: one row per coalition, its members joined
by `+` (an empty cell for the empty coalition, which may be left out) and its saving in US$
million. The file is read like a data set's tables (`csvfile`), so a bad cell is named by line
and column; the players are the names the rows use, in the order they first appear.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from abatelink.errors import InputError
from abatelink.inputs.csvfile import read_table_with_lines
from abatelink.inputs.schema import Column, Table

GAME_TABLE = Table(
    "coalition values",
    (
        Column("coalition", "str", nullable=True),
        Column("value_musd", "float", unit="US$ million"),
    ),
    key=("coalition",),
)


def read_game_table(path: Path) -> tuple[tuple[str, ...], dict[str, float]]:
    """The players and {coalition label: value} of a coalition-value table."""
    if not path.is_file():
        raise InputError(path, "file not found; expected a CSV of coalition values")
    frame, lines = read_table_with_lines(path, GAME_TABLE, periods=())
    players: dict[str, None] = {}
    values: dict[str, float] = {}
    for label, value, line in zip(frame["coalition"], frame["value_musd"], lines, strict=True):
        members = [] if pd.isna(label) else [m.strip() for m in str(label).split("+")]
        if any(not m for m in members):
            raise InputError(
                path,
                f"expected player names joined by '+', found {label!r}",
                line=line,
                column="coalition",
            )
        players.update(dict.fromkeys(members))
        values["+".join(members)] = float(value)
    return tuple(players), values
