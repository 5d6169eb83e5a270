"""What a guide file may hold: each section's fields, with the limits of the columns that
store them. Types, lengths, number ranges and choices are taken from the model fields, so a
change to a model changes what the file accepts; only what the file itself decides (which
keys are required, the defaults of keys left out) is written here."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from tracker.models import (
    Advice,
    CareerStage,
    Guide,
    ImpactArea,
    Milestone,
    Pillar,
    Resource,
    SalaryBand,
)

FORMAT_VERSION = 1

# The sections after [guide], in the order the file lists them.
SECTIONS = ("stages", "salary_bands", "advice", "impact_areas", "pillars")


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


# The Python type a model field's values have in the file, most specific class first.
_KINDS: tuple[tuple[type[models.Field], type], ...] = (
    (models.BooleanField, bool),
    (models.IntegerField, int),
    (models.DateField, datetime.date),
    (models.CharField, str),
    (models.TextField, str),
)


def _kind(field: models.Field) -> type:
    for field_class, kind in _KINDS:
        if isinstance(field, field_class):
            return kind
    raise TypeError(f"no guide file type for {type(field).__name__}")


def _choices(field: models.Field) -> tuple[str, ...] | None:
    if not field.choices:
        return None
    values = tuple(value for value, _label in field.choices)
    return ("", *values) if field.blank else values


def _range(field: models.Field) -> tuple[int | None, int | None]:
    # The range every database backend can store, not only the one in use (SQLite takes
    # any 64-bit number): a file that loads here must load in production too.
    if not isinstance(field, models.IntegerField):
        return None, None
    return BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]


def column(model: type[models.Model], name: str, **file_rules: Any) -> Field:
    """The spec of a file key stored in ``model.name``; ``file_rules`` (``required``, a
    stricter ``minimum``) are what the file adds to what the column allows."""
    field = model._meta.get_field(name)
    minimum, maximum = _range(field)
    spec = {
        "kind": _kind(field),
        "choices": _choices(field),
        "slug": isinstance(field, models.SlugField),
        "url": isinstance(field, models.URLField),
        "minimum": minimum,
        "maximum": maximum,
        "max_length": field.max_length,
    }
    return Field(**{**spec, **file_rules})


def _optional(model: type[models.Model], name: str, **file_rules: Any) -> Field:
    return column(model, name, required=False, **file_rules)


GUIDE_FIELDS = {
    "slug": column(Guide, "slug"),
    "title": column(Guide, "title"),
    "summary": column(Guide, "summary"),
    "promise": _optional(Guide, "promise"),
    "published": _optional(Guide, "published"),
}
SOURCE_FIELDS = {
    "author": _optional(Guide, "source_author"),
    "title": _optional(Guide, "source_title"),
    "published_on": _optional(Guide, "source_published_on"),
    "url": _optional(Guide, "source_url"),
}
STAGE_FIELDS = {
    "slug": column(CareerStage, "slug"),
    "name": column(CareerStage, "name"),
    "order": column(CareerStage, "order"),
    "completes_level": _optional(CareerStage, "completes_level"),
    "description": _optional(CareerStage, "description"),
}
# A figure is tied to a career stage, or (leaving ``stage`` out) to none: the tech-hub
# average describes a place, not a seniority. ``label`` is how the guide names it.
SALARY_FIELDS = {
    "stage": _optional(CareerStage, "slug"),
    "label": _optional(SalaryBand, "label"),
    "region": column(SalaryBand, "region"),
    "low": _optional(SalaryBand, "low"),
    "high": _optional(SalaryBand, "high"),
    "currency": column(SalaryBand, "currency"),
    "note": _optional(SalaryBand, "note"),
    "source": column(SalaryBand, "source"),
    "as_of": column(SalaryBand, "as_of"),
    "order": _optional(SalaryBand, "order"),
}
ADVICE_FIELDS = {
    "slug": column(Advice, "slug"),
    "title": column(Advice, "title"),
    "body": column(Advice, "body"),
    "general": _optional(Advice, "general"),
    "rule": column(Advice, "rule"),
    "inactive_days": _optional(Advice, "inactive_days", minimum=1),
    "order": _optional(Advice, "order"),
}
IMPACT_FIELDS = {
    "slug": column(ImpactArea, "slug"),
    "name": column(ImpactArea, "name"),
    "description": _optional(ImpactArea, "description"),
    "order": _optional(ImpactArea, "order"),
}
PILLAR_FIELDS = {
    "slug": column(Pillar, "slug"),
    "name": column(Pillar, "name"),
    "description": _optional(Pillar, "description"),
    "order": column(Pillar, "order"),
    "milestones": Field(list),
}
MILESTONE_FIELDS = {
    "slug": column(Milestone, "slug"),
    "title": column(Milestone, "title"),
    "level": column(Milestone, "level"),
    "hours": column(Milestone, "estimated_hours"),
    "order": column(Milestone, "order"),
    "description": _optional(Milestone, "description"),
    "prerequisites": Field(list, required=False),
    "is_project": _optional(Milestone, "is_project"),
    "resources": Field(list, required=False),
}
RESOURCE_FIELDS = {
    "title": column(Resource, "title"),
    "url": column(Resource, "url"),
    "kind": column(Resource, "kind"),
}

# The value of a key left out of the file, by key name (the same in every section).
DEFAULTS: dict[str, Any] = {
    "promise": "",
    "published": True,
    "author": "",
    "published_on": None,
    "url": "",
    "title": "",
    "completes_level": "",
    "description": "",
    "general": "",
    "stage": None,
    "label": "",
    "low": None,
    "high": None,
    "note": "",
    "inactive_days": 14,
    "order": 0,
    "prerequisites": [],
    "is_project": False,
    "resources": [],
}
