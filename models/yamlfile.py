"""Safe YAML reading and validation into pydantic models, with errors that name the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from abatelink.errors import InputError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> dict[str, Any]:
    """Load a YAML mapping with `yaml.safe_load` (no object construction)."""
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise InputError(path, f"not valid YAML: {err.problem}", line=line) from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError(path, f"not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise InputError(path, f"expected a mapping of keys to values, found {type(data).__name__}")
    return data


def parse(model: type[M], data: dict[str, Any], path: Path) -> M:
    """Validate `data` into `model`; the first error names its key path."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or None
        problem = first["msg"]
        if first["type"] == "extra_forbidden":
            known = ", ".join(model.model_fields)
            problem = f"unexpected key; known keys are {known}"
        elif "input" in first and first["type"] != "missing":
            problem += f" (found {first['input']!r})"
        raise InputError(path, problem, key=key) from None
