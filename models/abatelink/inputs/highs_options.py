"""HiGHS options a scenario passes by name (`solver.options`): checked when the scenario is
read, and the files HiGHS would write kept inside the run's output folder.

An option HiGHS does not know, or a value of the wrong type or out of its range, is bad input
(exit 4), found here rather than when the solver starts (which would say "solver failed").
Options that make HiGHS write a file (`log_file`, `solution_file`, `write_model_file`, ...)
take a relative path without `..`: the run places it in its output folder (`placed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Options naming a file HiGHS writes, and the switches that make it write one.
WRITTEN_FILES = (
    "log_file",
    "solution_file",
    "write_model_file",
    "write_basis_file",
    "write_presolved_model_file",
    "write_iis_model_file",
    "mip_improving_solution_file",
)
WRITE_SWITCHES = {
    "write_solution_to_file": "solution_file",
    "write_model_to_file": "write_model_file",
    "write_presolved_model_to_file": "write_presolved_model_file",
    "mip_improving_solution_save": "mip_improving_solution_file",
}


def check_options(options: Mapping[str, Any]) -> None:
    """A `ValueError` naming the first option HiGHS would refuse or that would write a file
    outside the output folder."""
    for name, value in options.items():
        if name in WRITTEN_FILES:
            _check_file_name(name, value)
    for switch, file_option in WRITE_SWITCHES.items():
        if options.get(switch) is True and not options.get(file_option):
            raise ValueError(
                f"{switch}: true needs {file_option}: a file name inside the output folder "
                "(else HiGHS writes to the terminal)"
            )
    others = {k: v for k, v in options.items() if k not in WRITTEN_FILES}
    if others:
        _check_with_highs(others)


def _check_file_name(name: str, value: Any) -> None:
    text = value if isinstance(value, str) else ""
    parts = [p for p in text.replace("\\", "/").split("/") if p not in ("", ".")]
    if (
        not parts
        or not text.isprintable()
        or Path(text).is_absolute()
        or text.startswith(("/", "\\", "~"))
        or ".." in parts
    ):
        raise ValueError(
            f"{name}: expected a file name relative to the output folder (no absolute path, "
            f"no '..'), found {value!r}"
        )


def _check_with_highs(options: Mapping[str, Any]) -> None:
    """Try each option on a scratch HiGHS object, which checks names, types and ranges."""
    import highspy
    from pyomo.common.tee import capture_output

    with capture_output(capture_fd=True):  # HiGHS's banner
        scratch = highspy.Highs()
    scratch.setOptionValue("output_flag", False)
    for name, value in options.items():
        if not isinstance(name, str) or not name.isprintable():
            raise ValueError(f"unknown HiGHS option {name!r}")
        status, kind = scratch.getOptionType(name)
        if status != highspy.HighsStatus.kOk:
            raise ValueError(f"unknown HiGHS option {name!r}")
        if isinstance(value, float) and value != value:
            raise ValueError(f"{name}: expected a number, found nan")
        if scratch.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            expected = str(kind).rsplit(".", 1)[-1].removeprefix("k").lower()
            raise ValueError(f"{name}: HiGHS refuses {value!r} (a {expected} option)")


def written_files(options: Mapping[str, Any]) -> list[str]:
    """The relative names of the files these options make HiGHS write."""
    return [str(options[name]) for name in WRITTEN_FILES if options.get(name)]


def placed(options: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """The options with each file HiGHS writes placed inside `folder` (absolute paths)."""
    folder = Path(folder).resolve()
    return {
        name: str(folder / str(value)) if name in WRITTEN_FILES and value else value
        for name, value in options.items()
    }
