"""A salary figure belongs to a career stage, or to no stage at all (a figure about a place,
such as the ML guide's tech-hub average): what the database and the admin's form accept."""

import datetime
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tracker.models import SalaryBand


@contextmanager
def refused(match: str | None = None):
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        yield


@pytest.fixture
def guide(make_guide):
    return make_guide(milestones=2, pillars=1)


@pytest.fixture
def other_guide(make_guide):
    return make_guide(milestones=2, pillars=1, slug="other-guide")


def figure(guide, **values) -> SalaryBand:
    defaults = {
        "region": "Big cities",
        "low": 100_000,
        "source": "Tests",
        "as_of": datetime.date(2024, 2, 15),
    }
    return SalaryBand(guide=guide, **{**defaults, **values})


def test_a_figure_tied_to_no_stage_needs_a_label(guide):
    with refused(match="salary_figure_without_stage_is_named"):
        figure(guide, stage=None, label="").save()

    with pytest.raises(ValidationError, match="needs a label"):
        figure(guide, stage=None, label="").full_clean()

    place = figure(guide, stage=None, label="City average")
    place.full_clean()
    place.save()
    assert str(place) == "City average · Big cities"


def test_a_figure_tied_to_no_stage_is_quoted_once_per_label_and_region(guide, other_guide):
    figure(guide, label="City average").save()

    with pytest.raises(ValidationError, match="already quotes a figure"):
        figure(guide, label="City average").full_clean()
    with refused():
        figure(guide, label="City average").save()

    figure(guide, label="City median").save()
    figure(guide, label="City average", region="Small towns").save()
    figure(other_guide, label="City average").save()


def test_a_stages_figure_is_named_by_its_stage_without_a_label(guide):
    entry = SalaryBand.objects.get(guide=guide, stage__slug="entry-level")

    assert entry.label == ""
    assert entry.display_label == "Entry-level ready"
    assert str(entry) == "Entry-level ready · United States"
