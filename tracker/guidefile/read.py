"""The guide as a versioned TOML file: reading it strictly, and writing it back.

Reading checks the whole file before anything touches the database, so that a bad file is
refused as a whole with a message naming the file, the entry and the field. Writing
produces the same format, so an admin's edits can be exported, reviewed and committed.
"""

import datetime
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug

from tracker.models import AdviceRule, Level, ResourceKind

FORMAT_VERSION = 1
DEFAULT_GUIDE_FILE = Path(__file__).resolve().parent.parent / "content" / "ml-engineer.toml"

HEADER = """\
# CareerPath guide file: the content of one guide, as data.
# Loaded (idempotently, keyed on slugs) by `python manage.py load_guide`;
# written back from the database by `python manage.py export_guide`.
# The guide's facts come from "So You Want to Become a Machine Learning Engineer?"
# by David Jenkins (2024-02-15), re-worded; the learning plan is CareerPath's own.
"""


class GuideFileError(Exception):
    """The file cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    required: bool = True
    choices: tuple[str, ...] | None = None
    slug: bool = False
    url: bool = False
    minimum: int | None = None
    # What the database column can hold: longer or larger values are refused here, with
    # the file's name and entry, instead of failing (or being cut) in the database.
    maximum: int | None = None
    max_length: int | None = None


_http_url = URLValidator(schemes=["http", "https"])
SMALL = 32_767  # the largest PositiveSmallIntegerField
LARGE = 2_147_483_647  # the largest PositiveIntegerField

GUIDE_FIELDS = {
    "slug": Field(str, slug=True, max_length=80),
    "title": Field(str, max_length=200),
    "summary": Field(str),
    "promise": Field(str, required=False, max_length=240),
    "published": Field(bool, required=False),
}
SOURCE_FIELDS = {
    "author": Field(str, required=False, max_length=120),
    "title": Field(str, required=False, max_length=300),
    "published_on": Field(datetime.date, required=False),
    "url": Field(str, required=False, url=True, max_length=200),
}
STAGE_FIELDS = {
    "slug": Field(str, slug=True, max_length=80),
    "name": Field(str, max_length=80),
    "order": Field(int, minimum=0, maximum=SMALL),
    "completes_level": Field(str, required=False, choices=("", *Level.values)),
    "description": Field(str, required=False, max_length=300),
}
SALARY_FIELDS = {
    "stage": Field(str, slug=True, max_length=80),
    "region": Field(str, max_length=120),
    "low": Field(int, required=False, minimum=0, maximum=LARGE),
    "high": Field(int, required=False, minimum=0, maximum=LARGE),
    "currency": Field(str, max_length=3),
    "note": Field(str, required=False, max_length=200),
    "source": Field(str, max_length=300),
    "as_of": Field(datetime.date),
}
ADVICE_FIELDS = {
    "slug": Field(str, slug=True, max_length=80),
    "title": Field(str, max_length=200),
    "body": Field(str),
    "rule": Field(str, choices=tuple(AdviceRule.values)),
    "inactive_days": Field(int, required=False, minimum=1, maximum=SMALL),
    "order": Field(int, required=False, minimum=0, maximum=SMALL),
}
IMPACT_FIELDS = {
    "slug": Field(str, slug=True, max_length=80),
    "name": Field(str, max_length=120),
    "description": Field(str, required=False),
    "order": Field(int, required=False, minimum=0, maximum=SMALL),
}
PILLAR_FIELDS = {
    "slug": Field(str, slug=True, max_length=80),
    "name": Field(str, max_length=120),
    "description": Field(str, required=False),
    "order": Field(int, minimum=0, maximum=SMALL),
    "milestones": Field(list),
}
MILESTONE_FIELDS = {
    "slug": Field(str, slug=True, max_length=80),
    "title": Field(str, max_length=200),
    "level": Field(str, choices=tuple(Level.values)),
    "hours": Field(int, minimum=0, maximum=SMALL),
    "order": Field(int, minimum=0, maximum=SMALL),
    "description": Field(str, required=False),
    "prerequisites": Field(list, required=False),
    "is_project": Field(bool, required=False),
    "resources": Field(list, required=False),
}
RESOURCE_FIELDS = {
    "title": Field(str, max_length=200),
    "url": Field(str, url=True, max_length=500),
    "kind": Field(str, choices=tuple(ResourceKind.values)),
}

DEFAULTS: dict[str, Any] = {
    "promise": "",
    "published": True,
    "author": "",
    "published_on": None,
    "url": "",
    "title": "",
    "completes_level": "",
    "description": "",
    "low": None,
    "high": None,
    "note": "",
    "inactive_days": 14,
    "order": 0,
    "prerequisites": [],
    "is_project": False,
    "resources": [],
}


class _Checker:
    def __init__(self, path: Path):
        self.name = path.name

    def fail(self, where: str, field: str | None, problem: str) -> None:
        at = f"{where}, field '{field}'" if field else where
        raise GuideFileError(f"{self.name}: {at}: {problem}")

    def table(self, value: Any, where: str, fields: dict[str, Field]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, None, "expected a table")
        unknown = sorted(set(value) - set(fields))
        if unknown:
            self.fail(where, unknown[0], "unknown field")
        clean: dict[str, Any] = {}
        for name, spec in fields.items():
            if name not in value:
                if spec.required:
                    self.fail(where, name, "is required")
                clean[name] = (
                    list(DEFAULTS[name])
                    if name in {"prerequisites", "resources"}
                    else (DEFAULTS.get(name))
                )
                continue
            clean[name] = self.value(value[name], where, name, spec)
        return clean

    def value(self, value: Any, where: str, name: str, spec: Field) -> Any:
        # bool is an int in Python: refuse it where a number is expected.
        if not isinstance(value, spec.kind) or (spec.kind is int and isinstance(value, bool)):
            expected = getattr(spec.kind, "__name__", str(spec.kind))
            self.fail(where, name, f"expected {expected}, got {type(value).__name__}")
        if isinstance(value, datetime.datetime):
            self.fail(where, name, "expected a date without a time")
        if isinstance(value, str) and spec.required and not value.strip():
            self.fail(where, name, "must not be empty")
        if spec.choices is not None and value not in spec.choices:
            self.fail(where, name, f"must be one of {', '.join(c or '""' for c in spec.choices)}")
        if spec.minimum is not None and value < spec.minimum:
            self.fail(where, name, f"must be at least {spec.minimum}")
        if spec.maximum is not None and value > spec.maximum:
            self.fail(where, name, f"must be at most {spec.maximum}")
        if spec.max_length is not None and len(value) > spec.max_length:
            self.fail(where, name, f"must be at most {spec.max_length} characters long")
        if spec.slug:
            try:
                validate_slug(value)
            except ValidationError:
                self.fail(where, name, f"'{value}' is not a slug (letters, digits, - and _)")
        if spec.url and value:
            try:
                _http_url(value)
            except ValidationError:
                self.fail(where, name, f"'{value}' is not an http(s) URL")
        return value


def parse_guide(text: str, path: Path) -> dict[str, Any]:
    """Validate a guide file's text and return it as plain, normalised data."""
    check = _Checker(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise GuideFileError(f"{path.name}: not valid TOML: {error}") from error

    if raw.get("format") != FORMAT_VERSION:
        check.fail("top level", "format", f"must be {FORMAT_VERSION}")
    known = {"format", "guide", "stages", "salary_bands", "advice", "impact_areas", "pillars"}
    unknown = sorted(set(raw) - known)
    if unknown:
        check.fail("top level", unknown[0], "unknown section")

    guide_raw = raw.get("guide")
    if not isinstance(guide_raw, dict):
        check.fail("top level", "guide", "a [guide] table is required")
    source = check.table(guide_raw.pop("source", {}), "[guide.source]", SOURCE_FIELDS)
    guide = check.table(guide_raw, "[guide]", GUIDE_FIELDS)
    guide["source"] = source

    def entries(section: str, fields: dict[str, Field], key: str = "slug") -> list[dict]:
        items = raw.get(section, [])
        if not isinstance(items, list):
            check.fail("top level", section, "expected an array of tables")
        seen: set = set()
        cleaned = []
        for index, item in enumerate(items):
            where = f"{section}[{index}]"
            entry = check.table(item, where, fields)
            identity = tuple(entry[k] for k in key.split("+"))
            if identity in seen:
                check.fail(where, key.split("+")[-1], f"duplicate {key} {identity}")
            seen.add(identity)
            cleaned.append(entry)
        return cleaned

    stages = entries("stages", STAGE_FIELDS)
    salary_bands = entries("salary_bands", SALARY_FIELDS, key="stage+region")
    advice = entries("advice", ADVICE_FIELDS)
    impact_areas = entries("impact_areas", IMPACT_FIELDS)
    pillars = entries("pillars", PILLAR_FIELDS)
    if not pillars:
        check.fail("top level", "pillars", "at least one pillar is required")

    stage_slugs = {stage["slug"] for stage in stages}
    for index, band in enumerate(salary_bands):
        where = f"salary_bands[{index}]"
        if band["stage"] not in stage_slugs:
            check.fail(where, "stage", f"no stage with slug '{band['stage']}'")
        if band["low"] is None and band["high"] is None:
            check.fail(where, "low", "a band needs a low or a high figure")
        if band["low"] is not None and band["high"] is not None and band["low"] > band["high"]:
            check.fail(where, "high", "must not be below 'low'")

    milestone_slugs: set[str] = set()
    for p_index, pillar in enumerate(pillars):
        milestones = []
        for m_index, item in enumerate(pillar["milestones"]):
            where = f"pillars[{p_index}].milestones[{m_index}]"
            milestone = check.table(item, where, MILESTONE_FIELDS)
            where = f"{where} ('{milestone['slug']}')"
            if milestone["slug"] in milestone_slugs:
                check.fail(where, "slug", "is used by another milestone of this guide")
            milestone_slugs.add(milestone["slug"])
            for r_index, resource in enumerate(milestone["resources"]):
                milestone["resources"][r_index] = check.table(
                    resource, f"{where}.resources[{r_index}]", RESOURCE_FIELDS
                )
            urls = [resource["url"] for resource in milestone["resources"]]
            if len(urls) != len(set(urls)):
                check.fail(where, "resources", "the same URL is listed twice")
            if not all(isinstance(slug, str) for slug in milestone["prerequisites"]):
                check.fail(where, "prerequisites", "expected a list of milestone slugs")
            milestones.append(milestone)
        pillar["milestones"] = milestones

    for p_index, pillar in enumerate(pillars):
        for m_index, milestone in enumerate(pillar["milestones"]):
            where = f"pillars[{p_index}].milestones[{m_index}] ('{milestone['slug']}')"
            for slug in milestone["prerequisites"]:
                if slug == milestone["slug"]:
                    check.fail(where, "prerequisites", "a milestone cannot require itself")
                if slug not in milestone_slugs:
                    check.fail(where, "prerequisites", f"no milestone with slug '{slug}'")

    return {
        "guide": guide,
        "stages": stages,
        "salary_bands": salary_bands,
        "advice": advice,
        "impact_areas": impact_areas,
        "pillars": pillars,
    }


def read_guide_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GuideFileError(f"{path}: cannot be read: {error}") from error
    return parse_guide(text, path)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | datetime.date):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_table(header: str, values: dict[str, Any]) -> str:
    lines = [header]
    for key, value in values.items():
        if value is None:
            continue  # an open end: TOML has no null, the key is left out
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key} = [")
            lines.extend(f"  {_toml_value(item)}," for item in value)
            lines.append("]")
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines)


def render_guide(data: dict[str, Any]) -> str:
    """Write normalised guide data (as ``parse_guide`` returns it) as a guide file."""
    guide = dict(data["guide"])
    source = guide.pop("source")
    blocks = [HEADER + f"\nformat = {FORMAT_VERSION}"]
    blocks.append(_toml_table("[guide]", guide))
    blocks.append(_toml_table("[guide.source]", source))
    for section in ("stages", "salary_bands", "advice", "impact_areas"):
        blocks.extend(_toml_table(f"[[{section}]]", entry) for entry in data[section])
    for pillar in data["pillars"]:
        fields = {key: value for key, value in pillar.items() if key != "milestones"}
        blocks.append(_toml_table("[[pillars]]", fields))
        blocks.extend(
            _toml_table("[[pillars.milestones]]", milestone) for milestone in pillar["milestones"]
        )
    return "\n\n".join(blocks) + "\n"
