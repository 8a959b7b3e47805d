"""Study files: a base scenario, the parameters to vary, the design, the outputs to keep.

```yaml
name: caps-and-limits
scenario: ../linked.yaml        # the base scenario, relative to this file
design: lhs                     # grid | oat | lhs | morris | sobol
samples: 200                    # lhs: scenarios; morris: trajectories; sobol: N (a power of 2)
seed: 1
batch_size: auto                # scenarios per batch; auto: chosen from a scenario's time
outputs: [prices, costs, trades, builds, credits, ndc_prices]
headlines:                      # the outputs `abatelink sensitivity` draws (default: cost_pv)
  - {output: cost_pv}           # each region's national cost, present value
  - {output: prices, item: CN-ETS, period: 2030}
parameters:
  kr_cap:                       # scale cap_mt of the rows where market = KR-ETS
    table: caps
    where: {market: KR-ETS}
    scale: cap_mt
    range: [0.8, 1.2]           # sampled designs
    values: [0.8, 1.0, 1.2]     # grid and one-at-a-time (oat) designs
    base: 1.0                   # the oat centre
  cn_export_limit:              # set max_export_share of China's markets
    table: limits
    where: {market: [CN-ETS, CN-PILOT]}
    set: max_export_share
    range: [0.0, 0.1]
  credit_rule:                  # a scenario key (dots reach into mappings)
    scenario: credit_rule
    values: [host, equal]
  ccs_kr_cost:                  # an entry of a mapping: a project's cost scale
    scenario: project_cost_scale.ccs-kr
    range: [0.7, 1.3]
```

A parameter the base scenario would ignore or refuse is an error naming it (`check_targets`):
a `where` that matches no row, a project the scenario does not open, a value it cannot take.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from abatelink.errors import InputError
from abatelink.extras import need
from abatelink.inputs.dataset import Dataset
from abatelink.inputs.scenario import (
    OVERRIDABLE,
    Change,
    CoFinance,
    Scenario,
    load_scenario,
    open_projects,
    scenario_dataset,
    scenario_inputs,
)
from abatelink.inputs.yamlfile import parse, read_yaml
from abatelink.outputs import plain_name

OUTPUTS = ("prices", "costs", "gains", "trades", "builds", "credits", "ndc_prices")
# What the kept outputs write (`studies/outputs.py`): costs adds cost_pv; every solve, objective.
WRITTEN = (*OUTPUTS, "cost_pv", "objective")
DESIGNS = ("grid", "oat", "lhs", "morris", "sobol")
# Scenario keys a study may vary: those that feed the model's levers (a built model re-sets
# them in place). Others (dataset, periods, solver, ...) would change the model itself.
VARIABLE_KEYS = tuple(
    key
    for key, field in Scenario.model_fields.items()
    if isinstance(field.json_schema_extra, dict) and "feeds" in field.json_schema_extra
)
Value = float | int | str | bool
AUTO = "auto"
_WHOLE = TypeAdapter(Annotated[int, Field(ge=1)])


class Parameter(BaseModel):
    """One varied input: a table override (`table`, `where`, `scale`/`set`) or a scenario key."""

    model_config = ConfigDict(extra="forbid")

    table: str | None = None
    where: dict[str, Any] = Field(default_factory=dict)
    scale: str | None = None
    set: str | None = None
    scenario: str | None = None
    values: list[Value] | None = None
    range: tuple[float, float] | None = None
    base: Value | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Parameter:
        if (self.table is None) == (self.scenario is None):
            raise ValueError("give either 'table' (with 'scale' or 'set') or 'scenario'")
        if self.table is not None and (self.scale is None) == (self.set is None):
            raise ValueError("a table parameter needs exactly one of 'scale' or 'set'")
        if self.scenario is not None and (self.where or self.scale or self.set):
            raise ValueError(
                "a scenario key takes its value as it is: 'where', 'scale' and 'set' belong "
                "to a table parameter (table: ..., where: ..., scale: or set: COLUMN)"
            )
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("range must be [low, high] with low ≤ high")
        return self

    @property
    def column(self) -> str:
        return self.scale or self.set or ""

    @property
    def changes(self) -> str:
        """What the parameter feeds: a table name, or the scenario part it changes."""
        if self.table is not None:
            return self.table
        return "links" if self.scenario == "links" else "projects"


class Headline(BaseModel):
    """Outputs to draw: one output, optionally one item and one period of it."""

    model_config = ConfigDict(extra="forbid")

    output: Literal[WRITTEN]  # type: ignore[valid-type]
    item: str | None = None
    period: int | None = None

    def matches(self, key: tuple) -> bool:
        """Whether an (output, item, period) key is one of these outputs."""
        output, item, period = key
        return (
            output == self.output
            and self.item in (None, item)
            and (self.period is None or (not pd.isna(period) and period == self.period))
        )


class Study(BaseModel):
    """A study file, validated."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str | None = None
    design: Literal[DESIGNS] = "grid"  # type: ignore[valid-type]
    samples: int = Field(default=64, ge=1)
    seed: int = 0
    batch_size: int | Literal["auto"] = AUTO
    outputs: list[Literal[OUTPUTS]] = Field(default_factory=lambda: ["prices", "costs"])  # type: ignore[valid-type]
    headlines: list[Headline] = Field(default_factory=lambda: [Headline(output="cost_pv")])
    parameters: dict[str, Parameter] = Field(min_length=1)
    folder: Path = Field(default=Path("."), exclude=True)
    file: Path | None = Field(default=None, exclude=True)

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        """The name makes the results folder: results/<name>/ beside the study."""
        problem = plain_name(name)
        if problem is not None:
            raise ValueError(problem)
        return name

    @field_validator("batch_size", mode="before")
    @classmethod
    def _batch_size(cls, size: Any) -> Any:
        """A whole number ≥ 1 (as an int field reads it), or auto."""
        if size == AUTO:
            return size
        if not isinstance(size, bool):
            with contextlib.suppress(ValidationError):
                return _WHOLE.validate_python(size)
        raise ValueError(
            "the scenarios per batch: a whole number ≥ 1, or auto (chosen from the time a "
            "scenario takes)"
        )

    @model_validator(mode="after")
    def _needs_a_scenario(self) -> Study:
        if self.scenario is None:
            raise ValueError("give scenario: the base scenario file the study varies")
        return self

    @property
    def scenario_path(self) -> Path:
        return (self.folder / (self.scenario or "")).resolve()

    def digest(self) -> str:
        """Hash of the study as written (what a results folder belongs to); the headlines
        only choose figures, so they may change without a new sweep."""
        text = json.dumps(self.model_dump(mode="json", exclude={"headlines"}), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def load_study(path: str | Path) -> Study:
    path = Path(path)
    study = parse(Study, read_yaml(path), path)
    study = study.model_copy(update={"folder": path.parent.resolve(), "file": path})
    _check_parameters(study)
    return study


def _check_parameters(study: Study) -> None:
    source = study.file or study.folder
    sampled = study.design in ("lhs", "morris", "sobol")
    for name, p in study.parameters.items():
        if p.scenario is not None and not _variable_key(p.scenario):
            raise InputError(
                source,
                f"scenario key {p.scenario!r} cannot be varied; a study varies "
                + ", ".join(VARIABLE_KEYS)
                + " (an entry of a mapping as key.entry)",
                key=f"parameters.{name}.scenario",
            )
        if p.table is not None and (
            p.table not in OVERRIDABLE or p.column not in OVERRIDABLE[p.table]
        ):
            raise InputError(
                source,
                f"{p.table}.{p.column} cannot be varied; overridable: "
                + ", ".join(f"{t}.{c}" for t, cs in OVERRIDABLE.items() for c in cs),
                key=f"parameters.{name}",
            )
        if sampled and p.range is None:
            raise InputError(
                source,
                f"design {study.design} samples a range: give range: [low, high]",
                key=f"parameters.{name}",
            )
        if not sampled and not p.values:
            raise InputError(
                source, f"design {study.design} needs values: [...]", key=f"parameters.{name}"
            )
        if study.design == "oat" and p.base is None:
            raise InputError(
                source,
                "a one-at-a-time design needs base: (the centre value)",
                key=f"parameters.{name}",
            )


def _variable_key(path: str) -> bool:
    """A key a study may vary: one of VARIABLE_KEYS, or key.entry of one that may be a
    mapping."""
    key, dot, entry = path.partition(".")
    if key not in VARIABLE_KEYS:
        return False
    return not dot or (bool(entry) and _may_be_mapping(key))


def _may_be_mapping(key: str) -> bool:
    annotation = Scenario.model_fields[key].annotation
    return any(get_origin(a) is dict for a in (annotation, *get_args(annotation)))


def salib_problem(study: Study) -> dict[str, Any]:
    """The SALib problem of a sampled design: names and bounds of the parameters."""
    names = list(study.parameters)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(study.parameters[n].range) for n in names],
    }


def design(study: Study) -> pd.DataFrame:
    """Every scenario of the study: scenario_id and one column per parameter."""
    names = list(study.parameters)
    if study.design == "grid":
        rows = list(itertools.product(*(study.parameters[n].values for n in names)))
    elif study.design == "oat":
        rows = _one_at_a_time(study, names)
    else:
        rows = _sampled(study)
    frame = pd.DataFrame(rows, columns=names)
    frame.insert(0, "scenario_id", np.arange(len(frame)))
    return frame


def _one_at_a_time(study: Study, names: list[str]) -> list[tuple]:
    base = tuple(study.parameters[n].base for n in names)
    rows = [base]
    for i, name in enumerate(names):
        for value in study.parameters[name].values:
            if value != base[i]:
                rows.append((*base[:i], value, *base[i + 1 :]))
    return rows


def _sampled(study: Study) -> np.ndarray:
    need("SALib", f"a study of design {study.design}")
    from SALib.sample import latin, morris, sobol

    problem = salib_problem(study)
    if study.design == "lhs":
        return latin.sample(problem, study.samples, seed=study.seed)
    if study.design == "morris":
        return morris.sample(problem, study.samples, num_levels=4, seed=study.seed)
    return sobol.sample(problem, study.samples, calc_second_order=False, seed=study.seed)


def scenario_for(base: Scenario, study: Study, row: dict[str, Any]) -> Scenario:
    """The base scenario with one design row's parameter values applied."""
    overrides = {t: list(c) for t, c in base.overrides.items()}
    update: dict[str, Any] = {}
    for name, p in study.parameters.items():
        _apply(overrides, update, base, p, _plain(row[name]))
    return base.model_copy(update={**update, "overrides": overrides})


def _apply(
    overrides: dict[str, list[Change]],
    update: dict[str, Any],
    base: Scenario,
    p: Parameter,
    value: Any,
) -> None:
    """Add one parameter's value to the overrides or to the scenario keys to update."""
    if p.table is not None:
        action = {"scale": {p.column: value}} if p.scale else {"set": {p.column: value}}
        overrides.setdefault(p.table, []).append(Change(where=p.where, **action))
    else:
        _set_key(update, base, p.scenario or "", value)


def _set_key(update: dict[str, Any], base: Scenario, path: str, value: Any) -> None:
    """Set a scenario key; `a.b` sets entry b of mapping a (e.g. project_cost_scale.ccs-cn);
    a co-finance entry is varied by its share."""
    key, _, entry = path.partition(".")
    if not entry:
        update[key] = value
        return
    mapping = dict(update.get(key, getattr(base, key)))
    old = mapping.get(entry)
    is_share = isinstance(old, CoFinance)
    mapping[entry] = old.model_copy(update={"share": value}) if is_share else value
    update[key] = mapping


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def base_scenario(study: Study) -> Scenario:
    return load_scenario(study.scenario_path)


def check_against_base(study: Study) -> None:
    """`check_targets` on the study's base scenario and its data set."""
    base = base_scenario(study)
    check_targets(study, base, scenario_dataset(base))


def check_targets(study: Study, base: Scenario, dataset: Dataset) -> None:
    """Refuse a parameter the base scenario would ignore or refuse, naming the study file and
    the parameter: each of its values (its range's ends) is applied alone and must pass the
    scenario's own checks (a `where` that matches rows, known projects, values in range)."""
    source = study.file or study.folder
    for name, p in study.parameters.items():
        problem = _ignored(study, p, base, dataset)
        if problem is not None:
            raise InputError(source, problem, key=f"parameters.{name}")
        alone = study.model_copy(update={"parameters": {name: p}})
        for value in _candidates(p):
            try:
                _read(scenario_for(base, alone, {name: value}), dataset)
            except InputError as err:
                hint = _rows_hint(p, dataset) if (err.key or "").endswith("where") else ""
                raise InputError(
                    source, f"at {value!r}: {err.problem}{hint}", key=f"parameters.{name}"
                ) from None


def _candidates(p: Parameter) -> list[Value]:
    """The values a design may give the parameter, or the ends of its range."""
    given = [*(p.values or ()), *(p.range or ()), *(() if p.base is None else (p.base,))]
    return list(dict.fromkeys(given))


def _read(scenario: Scenario, dataset: Dataset) -> None:
    """Check a scenario as if read from its file: validated, then applied to the data set."""
    data = scenario.model_dump(mode="json", warnings=False)
    checked = parse(Scenario, data, scenario.source)
    scenario_inputs(checked.model_copy(update={"folder": scenario.folder}), dataset)


def _rows_hint(p: Parameter, dataset: Dataset) -> str:
    """What the columns a table parameter's `where` names hold in the data set."""
    if p.table is None or not p.where:
        return ""
    frame = dataset.table(p.table)
    held = [
        f"{column}: {', '.join(map(str, sorted(set(frame[column]), key=str)))}"
        for column in p.where
        if column in frame.columns
    ]
    return f" ({p.table} holds {'; '.join(held)})" if held else ""


def _ignored(study: Study, p: Parameter, base: Scenario, dataset: Dataset) -> str | None:
    """Why the base scenario would ignore a scenario-key parameter, or None."""
    if p.scenario is None:
        return None
    key, _, entry = p.scenario.partition(".")
    where = base.source.name
    if entry and not isinstance(getattr(base, key), dict):
        return (
            f"{key} is one value in {where}, not one per entry: vary it whole "
            f"(scenario: {key}) or give it per entry in {where}"
        )
    if p.changes != "projects" or any(q.scenario == "projects" for q in study.parameters.values()):
        return None
    opened = open_projects(base, dataset)
    known = set(dataset.projects["project"])
    if opened and (entry not in known or entry in opened):
        return None
    what = f"project {entry}" if entry in known else "the joint projects"
    why = f"{where} does not open (projects: {base.projects})" if known else "the data set lacks"
    return (
        f"{p.scenario} changes {what}, which {why}, so it would change nothing; vary a "
        "scenario that builds projects, e.g. runs/ccs-cofinance.yaml"
    )
