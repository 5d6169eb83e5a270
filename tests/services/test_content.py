"""Loading a guide (tracker.services.content.guide_load and the load_guide command) and
checking an editor's prerequisites (prerequisites_check): prerequisites that go in a circle,
or that require a later level, are refused, and nothing of the refused write is kept."""

import copy
import io
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from tracker.guidefile import DEFAULT_GUIDE_FILE, GuideFileError, parse_guide, read_guide_file
from tracker.models import (
    Advice,
    CareerStage,
    Guide,
    ImpactArea,
    Level,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Resource,
    SalaryBand,
)
from tracker.rules.prerequisites import prerequisite_problems
from tracker.services.content import (
    GuideContentError,
    PrerequisiteEdit,
    guide_load,
    prerequisites_check,
)

CONTENT_MODELS = [
    Guide,
    CareerStage,
    SalaryBand,
    Advice,
    ImpactArea,
    Pillar,
    Milestone,
    MilestonePrerequisite,
    Resource,
]

# In the shipped guide, NumPy essentials requires Python fundamentals, and pandas requires
# NumPy; all three are foundation milestones. Eigenvalues, SVD and PCA is intermediate and
# needs linear algebra only.
CIRCLE_OF_TWO = (
    "“Python fundamentals” and “NumPy essentials” would require each other: "
    "python-fundamentals → numpy-essentials → python-fundamentals. "
    "Remove one of these two prerequisites."
)
CIRCLE_OF_THREE = (
    "“Python fundamentals”, “Data wrangling with pandas” and “NumPy essentials” would "
    "require one another in a circle: python-fundamentals → pandas-data-wrangling → "
    "numpy-essentials → python-fundamentals (each one requires the next). "
    "Remove one of these prerequisites."
)
LATER_LEVEL = (
    "“Python fundamentals” (foundation) cannot require “Eigenvalues, SVD and PCA” "
    "(intermediate): a milestone can only require milestones of its own level or an "
    "earlier one."
)


def snapshot() -> dict:
    """Every content row, as comparable plain values."""
    return {
        model.__name__: sorted(
            tuple(str(v) for v in row)
            for row in model.objects.values_list(
                *[f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
            )
        )
        for model in CONTENT_MODELS
    }


def shipped_with(slug: str, *required: str) -> dict:
    """The shipped guide's data, with ``slug`` also requiring ``required`` (as if the file
    had been edited, but without the file reader's own check)."""
    data = copy.deepcopy(read_guide_file(DEFAULT_GUIDE_FILE))
    for pillar in data["pillars"]:
        for entry in pillar["milestones"]:
            if entry["slug"] == slug:
                entry["prerequisites"] = [*entry["prerequisites"], *required]
                return data
    raise AssertionError(f"no milestone {slug!r} in the shipped guide")


def shipped_text_with(slug: str, required: str) -> str:
    """The shipped guide file's text, with ``slug`` also requiring ``required``."""
    text = DEFAULT_GUIDE_FILE.read_text(encoding="utf-8")
    start = text.index("prerequisites = [", text.index(f'slug = "{slug}"'))
    end = text.index("]", start)
    listed = text[start + len("prerequisites = [") : end].strip()
    return (
        f'{text[:start]}prerequisites = [{listed + ", " if listed else ""}"{required}"{text[end:]}'
    )


def graph_problems(guide: Guide) -> list:
    milestones = list(Milestone.objects.filter(guide=guide))
    edges = MilestonePrerequisite.objects.filter(milestone__guide=guide).values_list(
        "milestone_id", "prerequisite_id"
    )
    return prerequisite_problems(milestones, edges)


# --- guide_load ----------------------------------------------------------------------------


def test_the_shipped_guide_loads_with_sound_prerequisites(ml_guide):
    assert MilestonePrerequisite.objects.filter(milestone__guide=ml_guide).count() > 50
    assert graph_problems(ml_guide) == []
    # Loading it again is fine too: the check does not trip over the rows already there.
    guide_load(data=read_guide_file(DEFAULT_GUIDE_FILE))


@pytest.mark.parametrize(
    ("slug", "required", "message"),
    [
        pytest.param("python-fundamentals", ["numpy-essentials"], CIRCLE_OF_TWO, id="circle"),
        pytest.param(
            "python-fundamentals", ["pandas-data-wrangling"], CIRCLE_OF_THREE, id="circle-of-3"
        ),
        pytest.param("python-fundamentals", ["matrix-decompositions"], LATER_LEVEL, id="level"),
    ],
)
def test_an_edited_guide_with_unusable_prerequisites_is_refused_whole(
    ml_guide, slug, required, message
):
    data = shipped_with(slug, *required)
    data["guide"]["title"] = "An edit that must not be kept either"
    data["pillars"][0]["milestones"][0]["hours"] = 99
    before = snapshot()

    with pytest.raises(GuideContentError) as refused:
        guide_load(data=data)

    assert str(refused.value) == message
    assert snapshot() == before


def test_a_guide_loaded_for_the_first_time_is_refused_without_a_trace(db):
    with pytest.raises(GuideContentError, match="would require each other"):
        guide_load(data=shipped_with("python-fundamentals", "numpy-essentials"))

    assert snapshot() == {model.__name__: [] for model in CONTENT_MODELS}


def test_every_problem_is_named_one_per_line(db):
    data = shipped_with("python-fundamentals", "numpy-essentials", "matrix-decompositions")

    with pytest.raises(GuideContentError) as refused:
        guide_load(data=data)

    assert str(refused.value).splitlines() == [CIRCLE_OF_TWO, LATER_LEVEL]
    assert [problem.message for problem in refused.value.problems] == [CIRCLE_OF_TWO, LATER_LEVEL]


# --- the load_guide command ----------------------------------------------------------------


def load(path: Path) -> str:
    out = io.StringIO()
    call_command("load_guide", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("required", "message"),
    [("numpy-essentials", CIRCLE_OF_TWO), ("matrix-decompositions", LATER_LEVEL)],
    ids=["circle", "level"],
)
def test_load_guide_refuses_an_edited_file_before_touching_the_database(
    ml_guide, tmp_path, required, message
):
    path = tmp_path / "ml-engineer.toml"
    path.write_text(shipped_text_with("python-fundamentals", required), encoding="utf-8")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        load(path)

    assert str(refused.value) == (
        "ml-engineer.toml: pillars[0].milestones[0] ('python-fundamentals'), "
        f"field 'prerequisites': {message}"
    )
    assert snapshot() == before


def test_the_file_reader_names_the_milestone_where_the_circle_starts():
    text = shipped_text_with("numpy-essentials", "pandas-data-wrangling")

    with pytest.raises(GuideFileError) as refused:
        parse_guide(text, DEFAULT_GUIDE_FILE)

    assert str(refused.value) == (
        "ml-engineer.toml: pillars[0].milestones[3] ('numpy-essentials'), field "
        "'prerequisites': “NumPy essentials” and “Data wrangling with pandas” would require "
        "each other: numpy-essentials → pandas-data-wrangling → numpy-essentials. "
        "Remove one of these two prerequisites."
    )


def test_load_guide_reports_what_the_loader_refuses(ml_guide, monkeypatch, tmp_path):
    # Data that passed the file reader but not the loader (a check only the database can
    # make) ends as the command's error, not as a traceback.
    monkeypatch.setattr(
        "tracker.management.commands.load_guide.read_guide_file",
        lambda path: shipped_with("python-fundamentals", "matrix-decompositions"),
    )
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        load(tmp_path / "any.toml")

    assert str(refused.value) == LATER_LEVEL
    assert snapshot() == before


# --- an editor's change (the admin) ----------------------------------------------------------


@pytest.fixture
def pair(make_guide):
    """Two foundation milestones of one guide, neither requiring the other."""
    guide = make_guide(milestones=6, pillars=3)
    return guide.milestones.get(slug="milestone-0"), guide.milestones.get(slug="milestone-1")


def check(milestone, prerequisite_ids=None, replaced_rows=()) -> list[str]:
    """The check as the admin runs it (the test's transaction stands for the admin's)."""
    return prerequisites_check(
        edits=[
            PrerequisiteEdit(
                milestone=milestone, prerequisite_ids=prerequisite_ids, replaced_rows=replaced_rows
            )
        ]
    )


def test_an_edit_that_closes_a_circle_is_named(pair):
    first, second = pair
    MilestonePrerequisite.objects.create(milestone=second, prerequisite=first)

    assert check(first, [second.pk]) == [
        "“Milestone 0” and “Milestone 1” would require each other: "
        "milestone-0 → milestone-1 → milestone-0. Remove one of these two prerequisites."
    ]
    # The same rows, replacing the one that made the circle, pass.
    link = MilestonePrerequisite.objects.get(milestone=second)
    assert check(second, [], replaced_rows=[link.pk]) == []


def test_an_edit_of_the_level_is_checked_against_prerequisites_and_dependents(m):
    # milestone-3 (intermediate) requires milestone-0 (foundation); milestone-5 (advanced)
    # requires milestone-2 (intermediate).
    m[0].level = Level.ADVANCED
    assert check(m[0]) == [
        "“Milestone 3” (intermediate) cannot require “Milestone 0” (advanced): a milestone "
        "can only require milestones of its own level or an earlier one."
    ]
    m[5].level = Level.FOUNDATION
    assert check(m[5]) == [
        "“Milestone 5” (foundation) cannot require “Milestone 2” (intermediate): a milestone "
        "can only require milestones of its own level or an earlier one."
    ]
    m[0].level = Level.INTERMEDIATE  # as high as its dependent: allowed
    m[5].level = Level.INTERMEDIATE  # as high as its prerequisite: allowed
    assert check(m[0]) == []
    assert check(m[5]) == []


def test_an_unsaved_milestone_is_checked_too(guide, m):
    new = Milestone(pillar=m[0].pillar, slug="new", title="A new one", level=Level.FOUNDATION)
    assert check(new, [m[3].pk]) == [
        "“A new one” (foundation) cannot require “Milestone 3” (intermediate): a milestone "
        "can only require milestones of its own level or an earlier one."
    ]
    assert check(new, [m[0].pk]) == []


def test_problems_elsewhere_in_the_guide_do_not_block_an_unrelated_edit(m):
    # A circle saved before the check existed, between milestone-1 and milestone-4.
    MilestonePrerequisite.objects.create(milestone=m[1], prerequisite=m[4])
    m[2].title = "Renamed"
    assert check(m[2]) == []
    assert check(m[1]) != []


def test_the_check_costs_three_queries_whatever_the_guide_size(
    make_guide, django_assert_num_queries
):
    for slug, size in (("small", 6), ("large", 60)):
        guide = make_guide(slug=slug, milestones=size)
        milestone = guide.milestones.get(slug="milestone-3")
        required = guide.milestones.get(slug="milestone-0")
        with django_assert_num_queries(3):
            assert check(milestone, [required.pk]) == []


@pytest.mark.django_db(transaction=True)
def test_two_editors_cannot_each_add_half_of_a_circle(make_guide):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so nothing would race")
    guide = make_guide(milestones=6, pillars=3)
    first, second = (
        guide.milestones.get(slug="milestone-0"),
        guide.milestones.get(slug="milestone-1"),
    )
    checked = threading.Event()
    outcome: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def edit(name, milestone, required, wait_for=None):
        try:
            if wait_for:
                wait_for.wait(timeout=10)
            with transaction.atomic():
                problems = prerequisites_check(
                    edits=[PrerequisiteEdit(milestone=milestone, prerequisite_ids=[required.pk])]
                )
                if name == "first":
                    checked.set()
                    time.sleep(0.5)  # the second editor checks meanwhile
                if not problems:
                    MilestonePrerequisite.objects.create(milestone=milestone, prerequisite=required)
                outcome[name] = problems
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=("first", first, second)),
        threading.Thread(target=edit, args=("second", second, first, checked)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert outcome["first"] == []
    assert outcome["second"] == [
        "“Milestone 1” and “Milestone 0” would require each other: "
        "milestone-1 → milestone-0 → milestone-1. Remove one of these two prerequisites."
    ]
    assert list(
        MilestonePrerequisite.objects.filter(milestone__in=[first, second]).values_list(
            "milestone__slug", "prerequisite__slug"
        )
    ) == [("milestone-0", "milestone-1")]
