"""Scenario files: which data set, periods and links, what to override, how to solve.

```yaml
name: linked
dataset: ../data/nea2018        # relative to this file
periods: [2020, 2025, 2030]     # default: all of the data set's
links: all                      # none | domestic | all | ["CN-ETS->KR-ETS", "CN-ETS<->JP-TSE", ...]
overrides:                      # table → changes; `where` selects rows by column values
  caps:   [{where: {market: KR-ETS}, scale: {cap_mt: 0.9}}]
  limits: [{where: {market: CN-ETS}, set: {max_export_share: 0.05}}]
solver: {time_limit: 600, mip_rel_gap: 1.0e-4}
```
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from abatelink.errors import InputError
from abatelink.inputs.dataset import SHARE_TOLERANCE, Dataset, load_dataset
from abatelink.inputs.highs_options import check_options
from abatelink.inputs.overrides import OVERRIDABLE as OVERRIDABLE
from abatelink.inputs.overrides import Change, apply_changes
from abatelink.inputs.schema import CREDIT_RULES, LARGEST, TABLES
from abatelink.inputs.yamlfile import invalid, parse, read_yaml

# The solutions of the savings game `run` and `share` can compute (`games/solutions.py`).
GAME_SOLUTIONS = ("shapley", "nucleolus", "least-core")
# What feeds the model's projects group of levers (`model.levers`), on a scenario key.
_FEEDS_PROJECTS = {"feeds": ("projects",)}


Factor = Annotated[float, Field(ge=0, le=LARGEST, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class SolverOptions(BaseModel):
    """HiGHS settings of a scenario or run; `options` passes any other HiGHS option by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_limit: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    mip_rel_gap: float = Field(default=1e-4, ge=0, lt=1, allow_inf_nan=False)
    threads: int = Field(default=1, ge=1, le=1024)
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("options")
    @classmethod
    def _known_to_highs(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Names, types and ranges HiGHS accepts; files it writes stay in the output folder."""
        check_options(options)
        return options


@dataclass(frozen=True)
class Inputs:
    """What one scenario feeds a built model: the (overridden) data, open links and projects,
    the credit rule of each project and any shares the scenario gives."""

    dataset: Dataset
    open_links: frozenset[tuple[str, str]]
    open_projects: frozenset[str] = frozenset()
    credit_rules: dict[str, str] = field(default_factory=dict)
    credit_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    cost_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    pm_damage_usd_per_t: dict[str, float] = field(default_factory=dict)
    project_cost_scale: dict[str, float] = field(default_factory=dict)
    co_finance: dict[str, float] = field(default_factory=dict)
    source: str = "scenario"
    coalition: frozenset[str] | None = None
    """Who acts together: None, everyone as the scenario says; else the members of a
    coalition, every other region acting alone (`games.coalitions`)."""


class CoFinance(BaseModel):
    """A third party (a development bank, a climate fund) paying a share of a project's capital
    and fixed costs; no region pays that share, and it is reported apart."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    share: float = Field(ge=0, lt=1, allow_inf_nan=False)
    by: str = Field(min_length=1)
    source: str = Field(min_length=1)


class Scenario(BaseModel):
    """A scenario as written in its YAML file (paths still relative to `folder`).

    A key with `feeds` in its field's extra schema may be varied by a study; it names the
    groups of model parameters it sets (`model.levers`).
    """

    model_config = ConfigDict(extra="forbid")
    RENAMED: ClassVar[dict[str, str]] = {
        "sharing": "use credit_rule: host | equal | investment | offtake | fixed for how a "
        "project's credits are shared, or game_solution: shapley | nucleolus | least-core "
        "for how the savings of acting together are allocated",
        "project_sharing": "use project_credit_rules: {PROJECT: RULE}",
    }

    name: str = Field(min_length=1)
    description: str = ""
    dataset: str
    periods: list[int] | None = None
    links: Literal["none", "domestic", "all"] | list[str] = Field(
        default="none", json_schema_extra={"feeds": ("links",)}
    )
    overrides: dict[str, list[Change]] = Field(default_factory=dict)
    projects: Literal["none", "all"] | list[str] = Field(
        default="all", json_schema_extra=_FEEDS_PROJECTS
    )
    credit_rule: Literal[CREDIT_RULES] = Field(  # type: ignore[valid-type]
        default="host", json_schema_extra=_FEEDS_PROJECTS
    )
    project_credit_rules: dict[str, Literal[CREDIT_RULES]] = Field(  # type: ignore[valid-type]
        default_factory=dict, json_schema_extra=_FEEDS_PROJECTS
    )
    game_solution: Literal[GAME_SOLUTIONS] | None = None  # type: ignore[valid-type]
    credit_shares: dict[str, dict[str, Share]] = Field(
        default_factory=dict, json_schema_extra=_FEEDS_PROJECTS
    )
    cost_shares: dict[str, dict[str, Share]] = Field(
        default_factory=dict, json_schema_extra=_FEEDS_PROJECTS
    )
    pm_damage_usd_per_t: float | dict[str, float] = Field(
        default=0.0, json_schema_extra=_FEEDS_PROJECTS
    )
    project_cost_scale: dict[str, Factor] = Field(
        default_factory=dict, json_schema_extra=_FEEDS_PROJECTS
    )
    co_finance: dict[str, CoFinance] = Field(
        default_factory=dict, json_schema_extra=_FEEDS_PROJECTS
    )
    sources: dict[str, str] = Field(default_factory=dict)
    solver: SolverOptions = Field(default_factory=SolverOptions)
    folder: Path = Field(default=Path("."), exclude=True)
    file: Path | None = Field(default=None, exclude=True)

    @field_validator("name", "dataset")
    @classmethod
    def _plain_text(cls, text: str, info: ValidationInfo) -> str:
        if not text.isprintable():
            raise ValueError("expected text without control characters (line breaks, NUL, ...)")
        if info.field_name == "name" and (set(text) & set("/\\") or text in (".", "..")):
            raise ValueError("expected a plain file name: no '/' or '\\', not '.' or '..'")
        return text

    @field_validator("pm_damage_usd_per_t")
    @classmethod
    def _damages(cls, given: float | dict[str, float]) -> float | dict[str, float]:
        values = given.values() if isinstance(given, dict) else [given]
        if not all(math.isfinite(v) and 0 <= v <= LARGEST for v in values):
            raise ValueError(
                f"expected US$ per tonne between 0 and {LARGEST:g} (one number, or one per region)"
            )
        return given

    @property
    def dataset_path(self) -> Path:
        return (self.folder / self.dataset).resolve()

    @property
    def source(self) -> Path:
        """The file to name in error messages."""
        return self.file or self.folder / f"{self.name}.yaml"

    def digest(self, dataset: Dataset) -> str:
        """SHA-256 of the resolved scenario and the data set's files: the run's input hash."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True) + dataset.digest
        return hashlib.sha256(text.encode()).hexdigest()


# What each changeable input feeds: a table, or a scenario key, → the groups of model
# parameters (`model.levers`) that must be set again when it changes.
FEEDS: dict[str, tuple[str, ...]] = {
    **{name: t.feeds for name, t in TABLES.items() if t.feeds},
    **{
        key: field.json_schema_extra["feeds"]
        for key, field in Scenario.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and "feeds" in field.json_schema_extra
    },
}


# The scenario keys that feed the model's levers: those a study may vary.
VARIED_KEYS = tuple(key for key in FEEDS if key in Scenario.model_fields)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file safely and validate it. Its data set may be anywhere: an
    absolute path, or relative to the scenario file's folder."""
    path = Path(path)
    scenario = parse(Scenario, read_yaml(path), path)
    return scenario.model_copy(update={"folder": path.parent.resolve(), "file": path})


def scenario_dataset(scenario: Scenario) -> Dataset:
    """Load the scenario's data set (before overrides)."""
    if not (scenario.dataset_path / "dataset.yaml").is_file():
        raise InputError(
            scenario.source,
            f"data set folder {str(scenario.dataset_path)!r} not found (no dataset.yaml there)",
            key="dataset",
        )
    return load_dataset(scenario.dataset_path)


def scenario_periods(scenario: Scenario, dataset: Dataset) -> tuple[int, ...]:
    """The scenario's periods, checked against the data set's."""
    if scenario.periods is None:
        return dataset.periods
    unknown = [t for t in scenario.periods if t not in dataset.periods]
    if unknown:
        raise InputError(
            scenario.source,
            f"period {unknown[0]} is not in the data set (periods {list(dataset.periods)})",
            key="periods",
        )
    return tuple(sorted(set(scenario.periods)))


def scenario_inputs(scenario: Scenario, dataset: Dataset) -> Inputs:
    """The data after the scenario's overrides, the links and projects it opens, the credit
    rules."""
    check_varied_keys(scenario)
    changed = apply_overrides(scenario, dataset)
    return Inputs(
        dataset=changed,
        open_links=open_links(scenario, dataset),
        open_projects=open_projects(scenario, dataset),
        credit_rules=project_rules(scenario, dataset),
        credit_shares=scenario.credit_shares,
        cost_shares=scenario.cost_shares,
        pm_damage_usd_per_t=pm_damage(scenario, dataset),
        project_cost_scale=scenario.project_cost_scale,
        co_finance={p: c.share for p, c in scenario.co_finance.items()},
        source=str(scenario.source),
    )


def check_varied_keys(scenario: Scenario) -> None:
    """Validate again the keys a study may vary (`VARIED_KEYS`): a study sets them on a copy of
    its base scenario (`model_copy`), which validates nothing."""
    copy = scenario.model_copy()
    for key in VARIED_KEYS:
        try:
            Scenario.__pydantic_validator__.validate_assignment(copy, key, getattr(scenario, key))
        except ValidationError as err:
            raise invalid(Scenario, err, scenario.source) from None


def pm_damage(scenario: Scenario, dataset: Dataset) -> dict[str, float]:
    """US$ per tonne of PM landing in each receptor region: one value for all, or per region
    (regions not named value it at 0)."""
    given = scenario.pm_damage_usd_per_t
    regions = list(dataset.regions)
    if not isinstance(given, dict):
        return {r: float(given) for r in regions} if given else {}
    for region in given:
        if region not in regions:
            raise InputError(
                scenario.source,
                f"unknown region {region!r}; regions of the data set: {', '.join(regions)}",
                key=f"pm_damage_usd_per_t.{region}",
            )
    return {r: float(v) for r, v in given.items() if v}


def open_projects(scenario: Scenario, dataset: Dataset) -> frozenset[str]:
    """Projects that may be built: all (default), none, or those named."""
    known = list(dataset.projects["project"])
    if scenario.projects == "none":
        return frozenset()
    if scenario.projects == "all":
        return frozenset(known)
    _require_known(scenario, "projects", scenario.projects, known)
    return frozenset(scenario.projects)


def project_rules(scenario: Scenario, dataset: Dataset) -> dict[str, str]:
    """The credit rule of each project: its per-project choice (`project_credit_rules`), else
    the scenario's `credit_rule` for an open project and "host" for a closed one (nothing of
    it is built, and a rule such as offtake need not fit its kind).

    A game solution (shapley, nucleolus, least-core) does not move credits: it is carried out
    with side payments (see `games/allocation.py`).
    """
    known = list(dataset.projects["project"])
    for key in (
        "project_credit_rules",
        "credit_shares",
        "cost_shares",
        "project_cost_scale",
        "co_finance",
    ):
        _require_known(scenario, key, list(getattr(scenario, key)), known)
    for key in ("credit_shares", "cost_shares"):
        _check_given_shares(scenario, dataset, key)
    opened = open_projects(scenario, dataset)
    default = {p: scenario.credit_rule if p in opened else "host" for p in known}
    return {p: scenario.project_credit_rules.get(p, default[p]) for p in known}


def _check_given_shares(scenario: Scenario, dataset: Dataset, key: str) -> None:
    """Shares a scenario gives a project (`credit_shares`, `cost_shares`; each in [0, 1] as
    declared) go to its participants and add up to 1."""
    for project, shares in getattr(scenario, key).items():
        rows = dataset.participants[dataset.participants["project"] == project]
        members = list(rows["region"])
        outsiders = [r for r in shares if r not in members]
        if outsiders:
            raise InputError(
                scenario.source,
                f"{outsiders[0]} is not a participant of {project} "
                f"(participants: {', '.join(members)})",
                key=f"{key}.{project}",
            )
        total = sum(shares.values())
        if abs(total - 1) > SHARE_TOLERANCE:
            raise InputError(
                scenario.source,
                f"the {key.replace('_', ' ')} of {project} add up to {total:g}; expected 1",
                key=f"{key}.{project}",
            )


def _require_known(scenario: Scenario, key: str, names: list[str], known: list[str]) -> None:
    for i, name in enumerate(names):
        if name not in known:
            raise InputError(
                scenario.source,
                f"unknown project {name!r}; projects of the data set: {', '.join(known) or 'none'}",
                key=f"{key}.{i}",
            )


def link_names(dataset: Dataset) -> list[str]:
    """Names of the data set's links, `FROM->TO`."""
    pairs = dataset.links[["from_market", "to_market"]].drop_duplicates()
    return [f"{a}->{b}" for a, b in pairs.itertuples(index=False)]


def open_links(scenario: Scenario, dataset: Dataset) -> frozenset[tuple[str, str]]:
    """Links the scenario opens: none; domestic, those between two markets of one region (each
    country in autarky, as a coalition's outsiders are); all; or those named (`A->B`, or
    `A<->B` for both ways)."""
    pairs = zip(dataset.links["from_market"].tolist(), dataset.links["to_market"].tolist())
    known = {tuple(f"{a}->{b}".split("->")) for a, b in pairs}  # `link_names`, split back
    if scenario.links == "none":
        return frozenset()
    if scenario.links == "domestic":
        region = dict(zip(dataset.markets["market"], dataset.markets["region"], strict=True))
        return frozenset((a, b) for a, b in known if region[a] == region[b])
    if scenario.links == "all":
        return frozenset(known)
    chosen: set[tuple[str, str]] = set()
    for i, name in enumerate(scenario.links):
        chosen |= _named_links(scenario, i, name, known)
    return frozenset(chosen)


def _named_links(scenario: Scenario, i: int, name: str, known: set) -> set[tuple[str, str]]:
    both = "<->" in name
    parts = [p.strip() for p in name.replace("<->", "->").split("->")]
    wanted = {tuple(parts), tuple(reversed(parts))} if both else {tuple(parts)}
    if len(parts) != 2 or not wanted <= known:
        raise InputError(
            scenario.source,
            f"unknown link {name!r}; links of the data set: "
            + ", ".join(sorted(f"{a}->{b}" for a, b in known)),
            key=f"links.{i}",
        )
    return wanted


def apply_overrides(scenario: Scenario, dataset: Dataset) -> Dataset:
    """The data set with the scenario's overrides applied, re-checked as a whole."""
    return apply_changes(scenario.overrides, dataset, scenario.source)
