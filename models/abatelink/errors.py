"""Errors a user can act on: each names the file, the place in it and what was expected."""

from __future__ import annotations

from pathlib import Path


class AbatelinkError(Exception):
    """Base class of the errors abatelink reports to users without a traceback."""

    exit_code = 1


class InputError(AbatelinkError):
    """Bad input data or scenario: names the file, the line, the column and what was expected.

    ``line`` is the line number in the file as an editor shows it (the CSV header is line 1).
    """

    exit_code = 4

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        line: int | None = None,
        column: str | None = None,
        key: str | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.column = column
        self.key = key
        self.problem = problem
        super().__init__(self._message())

    def _message(self) -> str:
        place = [self.file]
        if self.line is not None:
            place.append(f"line {self.line}")
        if self.column is not None:
            place.append(f"column '{self.column}'")
        if self.key is not None:
            place.append(f"key '{self.key}'")
        return f"{', '.join(place)}: {self.problem}"


class SolveError(AbatelinkError):
    """The solver could not be run or returned no usable answer."""

    exit_code = 5


class MissingExtra(AbatelinkError):
    """A command needs an optional part of abatelink that is not installed."""

    exit_code = 4

    def __init__(self, extra: str, what: str) -> None:
        self.extra = extra
        super().__init__(f'{what} needs the "{extra}" extra: pip install "abatelink[{extra}]"')


class OutputError(AbatelinkError):
    """Results cannot be written: a read-only folder, a full disk, a file where a folder is
    expected. Names the path and the reason."""

    exit_code = 6

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
