"""Reading a guide file strictly.

The whole file is checked before anything touches the database, so that a bad file is
refused as a whole with a message naming the file, the entry and the field. Each section
has its own reader; the checks that span sections (a salary band's stage, a milestone's
prerequisites) run once every section has been read.
"""

import datetime
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug

from tracker.guidefile.schema import (
    ADVICE_FIELDS,
    DEFAULTS,
    FORMAT_VERSION,
    GUIDE_FIELDS,
    IMPACT_FIELDS,
    MILESTONE_FIELDS,
    PILLAR_FIELDS,
    RESOURCE_FIELDS,
    SALARY_FIELDS,
    SECTIONS,
    SOURCE_FIELDS,
    STAGE_FIELDS,
    Field,
)
from tracker.models import SalaryBand
from tracker.rules.prerequisites import Cycle, Node, prerequisite_problems

DEFAULT_GUIDE_FILE = Path(__file__).resolve().parent.parent / "content" / "ml-engineer.toml"

_http_url = URLValidator(schemes=["http", "https"])


class GuideFileError(Exception):
    """The file cannot be loaded; the message says where and why."""


# --- one value ---------------------------------------------------------------------------


def _type_problem(value: Any, spec: Field) -> str | None:
    # bool is an int in Python: refuse it where a number is expected.
    if not isinstance(value, spec.kind) or (spec.kind is int and isinstance(value, bool)):
        expected = getattr(spec.kind, "__name__", str(spec.kind))
        return f"expected {expected}, got {type(value).__name__}"
    if isinstance(value, datetime.datetime):
        return "expected a date without a time"
    if isinstance(value, str) and spec.required and not value.strip():
        return "must not be empty"
    return None


def _limit_problem(value: Any, spec: Field) -> str | None:
    if spec.choices is not None and value not in spec.choices:
        return f"must be one of {', '.join(c or '""' for c in spec.choices)}"
    if spec.minimum is not None and value < spec.minimum:
        return f"must be at least {spec.minimum}"
    if spec.maximum is not None and value > spec.maximum:
        return f"must be at most {spec.maximum}"
    if spec.max_length is not None and len(value) > spec.max_length:
        return f"must be at most {spec.max_length} characters long"
    return None


def _passes(validator: Callable[[str], None], value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def _format_problem(value: Any, spec: Field) -> str | None:
    if spec.slug and not _passes(validate_slug, value):
        return f"'{value}' is not a slug (letters, digits, - and _)"
    if spec.url and value and not _passes(_http_url, value):
        return f"'{value}' is not an http(s) URL"
    return None


def _default(name: str) -> Any:
    default = DEFAULTS.get(name)
    return list(default) if isinstance(default, list) else default


class _Checker:
    """Checks tables against their field specs, failing with the file's name."""

    def __init__(self, path: Path):
        self.name = path.name

    def fail(self, where: str, field: str | None, problem: str) -> NoReturn:
        at = f"{where}, field '{field}'" if field else where
        raise GuideFileError(f"{self.name}: {at}: {problem}")

    def table(self, value: Any, where: str, fields: dict[str, Field]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, None, "expected a table")
        unknown = sorted(set(value) - set(fields))
        if unknown:
            self.fail(where, unknown[0], "unknown field")
        return {name: self.field(value, where, name, spec) for name, spec in fields.items()}

    def field(self, table: dict[str, Any], where: str, name: str, spec: Field) -> Any:
        if name not in table:
            if spec.required:
                self.fail(where, name, "is required")
            return _default(name)
        value = table[name]
        for problem in (_type_problem, _limit_problem, _format_problem):
            message = problem(value, spec)
            if message:
                self.fail(where, name, message)
        return value

    def entries(
        self, raw: dict[str, Any], section: str, fields: dict[str, Field], key: str | None = "slug"
    ) -> list[dict[str, Any]]:
        """An array of tables, each checked, none repeating ``key`` (``a+b`` for a pair;
        None when the section checks its own identities)."""
        items = raw.get(section, [])
        if not isinstance(items, list):
            self.fail("top level", section, "expected an array of tables")
        keys = key.split("+") if key else []
        seen: set[tuple] = set()
        cleaned = []
        for index, item in enumerate(items):
            where = f"{section}[{index}]"
            entry = self.table(item, where, fields)
            identity = tuple(entry[k] for k in keys)
            if keys and identity in seen:
                self.fail(where, keys[-1], f"duplicate {key} {identity}")
            seen.add(identity)
            cleaned.append(entry)
        return cleaned


# --- the sections, in the file's order ---------------------------------------------------


def _toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise GuideFileError(f"{path.name}: not valid TOML: {error}") from error


def _top_level(check: _Checker, raw: dict[str, Any]) -> None:
    if raw.get("format") != FORMAT_VERSION:
        check.fail("top level", "format", f"must be {FORMAT_VERSION}")
    unknown = sorted(set(raw) - {"format", "guide", *SECTIONS})
    if unknown:
        check.fail("top level", unknown[0], "unknown section")


def _guide(check: _Checker, raw: dict[str, Any]) -> dict[str, Any]:
    guide_raw = raw.get("guide")
    if not isinstance(guide_raw, dict):
        check.fail("top level", "guide", "a [guide] table is required")
    guide_raw = dict(guide_raw)
    source = check.table(guide_raw.pop("source", {}), "[guide.source]", SOURCE_FIELDS)
    return {**check.table(guide_raw, "[guide]", GUIDE_FIELDS), "source": source}


def _pillars(check: _Checker, raw: dict[str, Any]) -> list[dict[str, Any]]:
    pillars = check.entries(raw, "pillars", PILLAR_FIELDS)
    if not pillars:
        check.fail("top level", "pillars", "at least one pillar is required")
    return pillars


def _check_salary_bands(
    check: _Checker, salary_bands: list[dict[str, Any]], stages: list[dict[str, Any]]
) -> None:
    stage_slugs = {stage["slug"] for stage in stages}
    seen: set[tuple] = set()
    for index, band in enumerate(salary_bands):
        where = f"salary_bands[{index}]"
        low, high = band["low"], band["high"]
        stage, label, region = band["stage"], band["label"], band["region"]
        if stage is not None and stage not in stage_slugs:
            check.fail(where, "stage", f"no stage with slug '{stage}'")
        if stage is None and not label.strip():
            check.fail(
                where,
                "label",
                "a figure tied to no career stage needs a label (how the guide names it)",
            )
        if low is None and high is None:
            check.fail(where, "low", "a band needs a low or a high figure")
        if low is not None and high is not None and low > high:
            check.fail(where, "high", "must not be below 'low'")
        identity = SalaryBand.identity_of(stage_slug=stage, label=label, region=region)
        if identity in seen:
            named = f"stage '{stage}'" if stage else f"'{label}'"
            problem = f"the guide already quotes a figure for {named} in '{region}'"
            check.fail(where, "region", problem)
        seen.add(identity)


def _milestone_where(p_index: int, m_index: int, slug: str) -> str:
    return f"pillars[{p_index}].milestones[{m_index}] ('{slug}')"


def _resources(check: _Checker, where: str, resources: list[Any]) -> list[dict[str, Any]]:
    checked = [
        check.table(resource, f"{where}.resources[{index}]", RESOURCE_FIELDS)
        for index, resource in enumerate(resources)
    ]
    urls = [resource["url"] for resource in checked]
    if len(urls) != len(set(urls)):
        check.fail(where, "resources", "the same URL is listed twice")
    return checked


def _milestone(
    check: _Checker, item: Any, p_index: int, m_index: int, slugs: set[str]
) -> dict[str, Any]:
    """One milestone, whose slug must not be in ``slugs`` (those read so far): added to it."""
    milestone = check.table(item, f"pillars[{p_index}].milestones[{m_index}]", MILESTONE_FIELDS)
    where = _milestone_where(p_index, m_index, milestone["slug"])
    if milestone["slug"] in slugs:
        check.fail(where, "slug", "is used by another milestone of this guide")
    slugs.add(milestone["slug"])
    milestone["resources"] = _resources(check, where, milestone["resources"])
    if not all(isinstance(slug, str) for slug in milestone["prerequisites"]):
        check.fail(where, "prerequisites", "expected a list of milestone slugs")
    return milestone


def _read_milestones(check: _Checker, pillars: list[dict[str, Any]]) -> set[str]:
    """Check every pillar's milestones, in place; return their slugs (unique in the guide)."""
    slugs: set[str] = set()
    for p_index, pillar in enumerate(pillars):
        pillar["milestones"] = [
            _milestone(check, item, p_index, m_index, slugs)
            for m_index, item in enumerate(pillar["milestones"])
        ]
    return slugs


def _check_prerequisites(
    check: _Checker, pillars: list[dict[str, Any]], milestone_slugs: set[str]
) -> None:
    for p_index, pillar in enumerate(pillars):
        for m_index, milestone in enumerate(pillar["milestones"]):
            where = _milestone_where(p_index, m_index, milestone["slug"])
            for slug in milestone["prerequisites"]:
                if slug == milestone["slug"]:
                    check.fail(where, "prerequisites", "a milestone cannot require itself")
                if slug not in milestone_slugs:
                    check.fail(where, "prerequisites", f"no milestone with slug '{slug}'")
    _check_prerequisite_graph(check, pillars)


def _check_prerequisite_graph(check: _Checker, pillars: list[dict[str, Any]]) -> None:
    """No circles, no milestone requiring a later level (tracker.rules.prerequisites): the
    first problem is reported at the milestone where it starts."""
    where = {}
    nodes = []
    for p_index, pillar in enumerate(pillars):
        for m_index, milestone in enumerate(pillar["milestones"]):
            slug = milestone["slug"]
            where[slug] = _milestone_where(p_index, m_index, slug)
            nodes.append(
                Node(id=slug, slug=slug, title=milestone["title"], level=milestone["level"])
            )
    edges = [
        (milestone["slug"], required)
        for pillar in pillars
        for milestone in pillar["milestones"]
        for required in milestone["prerequisites"]
    ]
    problems = prerequisite_problems(nodes, edges)
    if problems:
        first = problems[0]
        at = first.path[0] if isinstance(first, Cycle) else first.milestone
        check.fail(where[at.slug], "prerequisites", first.message)


def parse_guide(text: str, path: Path) -> dict[str, Any]:
    """Validate a guide file's text and return it as plain, normalised data."""
    check = _Checker(path)
    raw = _toml(text, path)
    _top_level(check, raw)
    guide = _guide(check, raw)
    stages = check.entries(raw, "stages", STAGE_FIELDS)
    # What identifies a band depends on whether it has a stage: checked with the bands.
    salary_bands = check.entries(raw, "salary_bands", SALARY_FIELDS, key=None)
    advice = check.entries(raw, "advice", ADVICE_FIELDS)
    impact_areas = check.entries(raw, "impact_areas", IMPACT_FIELDS)
    pillars = _pillars(check, raw)
    _check_salary_bands(check, salary_bands, stages)
    milestone_slugs = _read_milestones(check, pillars)
    _check_prerequisites(check, pillars, milestone_slugs)
    return {
        "guide": guide,
        "stages": stages,
        "salary_bands": salary_bands,
        "advice": advice,
        "impact_areas": impact_areas,
        "pillars": pillars,
    }


def read_guide_file(path: Path) -> dict[str, Any]:
    """Read and validate the guide file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GuideFileError(f"{path}: cannot be read: {error}") from error
    return parse_guide(text, path)
