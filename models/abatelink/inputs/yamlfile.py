"""Safe YAML reading and validation into pydantic models, with errors that name the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from abatelink.errors import InputError

M = TypeVar("M", bound=BaseModel)

# More values than this (counting each use of a YAML alias in full) is no input file but an
# alias bomb: a few lines that expand to billions of values.
MAX_VALUES = 100_000
SHOWN_CHARACTERS = 60


class _SafeLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` (no object construction) that also refuses a key given twice."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """PyYAML's own, but a scalar it cannot read (`!!int x`, `2026-13-01`) is a YAML error."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            value = _shown(node.value) if isinstance(node, yaml.ScalarNode) else "a value"
            kind = node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"{value} is not a valid {kind}", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """PyYAML's own, after checking that no key repeats (merge keys `<<` aside)."""
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in first_line:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key {key!r} appears twice (first on line {first_line[key]})",
                        key_node.start_mark,
                    )
                first_line[key] = key_node.start_mark.line + 1
            except TypeError:  # an unhashable key: the base class says so
                pass
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> dict[str, Any]:
    """Load a YAML mapping safely (no object construction), refusing repeated keys."""
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(path, f"cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError as err:
        raise InputError(path, f"not valid YAML: {err}") from None
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # a SafeLoader: builds no objects
        _count_values(data)
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        problem = err.problem or err.context
        raise InputError(path, f"not valid YAML: {problem}", line=line) from None
    except yaml.YAMLError as err:
        raise InputError(path, f"not valid YAML: {' '.join(str(err).split())}") from None
    except RecursionError:
        raise InputError(path, "not valid YAML: nested too deeply") from None
    except _TooLarge as err:
        raise InputError(path, str(err)) from None
    if not isinstance(data, dict):
        found = "nothing" if data is None else type(data).__name__
        raise InputError(path, f"expected a mapping of keys to values, found {found}")
    return data


class _TooLarge(Exception):
    pass


def _count_values(data: Any) -> int:
    """How many values `data` holds with every alias expanded; `_TooLarge` past `MAX_VALUES`."""
    sizes: dict[int, int] = {}

    def count(value: Any) -> int:
        if not isinstance(value, dict | list):
            return 1
        if id(value) in sizes:
            if sizes[id(value)] < 0:
                raise _TooLarge("a YAML alias refers to the value that holds it")
            return sizes[id(value)]
        sizes[id(value)] = -1
        total = 1
        for item in value.values() if isinstance(value, dict) else value:
            total += count(item)
            if total > MAX_VALUES:
                raise _TooLarge(
                    f"more than {MAX_VALUES:,} values once YAML aliases are expanded; "
                    "expected a small file"
                )
        sizes[id(value)] = total
        return total

    return count(data)


def parse(model: type[M], data: dict[str, Any], path: Path) -> M:
    """Validate `data` into `model`; the first error names its key path.

    A key the model lists in `RENAMED` (old key → what to write instead) is refused with that
    advice.
    """
    for old, advice in getattr(model, "RENAMED", {}).items():
        if old in data:
            raise InputError(path, f"{old!r} was renamed: {advice}", key=old)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise invalid(model, err, path) from None


def invalid(model: type[BaseModel], err: ValidationError, path: Path) -> InputError:
    """The `InputError` for the first error of validating `model`: its key path and problem."""
    first = err.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or None
    problem = first["msg"]
    if first["type"] == "extra_forbidden":
        known = ", ".join(model.model_fields)
        problem = f"unexpected key; known keys are {known}"
    elif "input" in first and first["type"] != "missing":
        problem += f" (found {_shown(first['input'])})"
    return InputError(path, problem, key=key)


def _shown(value: Any) -> str:
    """`repr(value)`, shortened to one short line."""
    text = repr(value)
    if len(text) > SHOWN_CHARACTERS:
        text = text[: SHOWN_CHARACTERS - 3] + "..."
    return text
