"""The guide file and its two commands: ``load_guide`` (idempotent, keyed on slugs, keeps
learners' progress) and ``export_guide`` (writes the database back to the same format)."""

import datetime
import io
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.backends.base.operations import BaseDatabaseOperations

from tracker.guidefile import (
    DEFAULT_GUIDE_FILE,
    GuideFileError,
    parse_guide,
    read_guide_file,
    render_guide,
)
from tracker.models import (
    Advice,
    CareerStage,
    Guide,
    ImpactArea,
    Level,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Progress,
    ProgressEvent,
    ProgressStatus,
    Resource,
    ResourceKind,
    SalaryBand,
)
from tracker.selectors.content import guide_file_data_get
from tracker.services.content import guide_load
from tracker.services.progress import progress_set_status

# A guide small enough to read: two pillars, four milestones, one prerequisite chain.
TINY = """\
format = 1

[guide]
slug = "tiny"
title = "Tiny guide"
summary = "A guide small enough to read in a test."

[guide.source]
author = "Test Author"
published_on = 2024-02-15

[[stages]]
slug = "start"
name = "Getting started"
order = 0

[[stages]]
slug = "entry"
name = "Entry-level ready"
order = 1
completes_level = "foundation"

[[salary_bands]]
stage = "entry"
region = "Anywhere"
low = 50000
high = 60000
currency = "USD"
source = "The tiny guide"
as_of = 2024-02-15

[[advice]]
slug = "keep-going"
title = "Keep going"
body = "Small steps add up."
rule = "always"

[[impact_areas]]
slug = "climate"
name = "Climate"

[[pillars]]
slug = "basics"
name = "Basics"
order = 1

[[pillars.milestones]]
slug = "first"
title = "First steps"
level = "foundation"
hours = 5
order = 1
resources = [
  { title = "Docs", url = "https://example.com/docs", kind = "docs" },
]

[[pillars.milestones]]
slug = "second"
title = "Second steps"
level = "intermediate"
hours = 8
order = 2
prerequisites = ["first"]

[[pillars]]
slug = "practice"
name = "Practice"
order = 2

[[pillars.milestones]]
slug = "project"
title = "A project"
level = "advanced"
hours = 20
order = 1
is_project = true
prerequisites = ["second", "first"]

[[pillars.milestones]]
slug = "polish"
title = "Polish"
level = "advanced"
hours = 3
order = 2
"""

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


def edit(text: str, old: str, new: str) -> str:
    """Replace one exact passage, failing loudly if the base file no longer contains it."""
    assert text.count(old) == 1, f"{old!r} should occur exactly once"
    return text.replace(old, new)


def write(tmp_path: Path, text: str, name: str = "tiny.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> str:
    out = io.StringIO()
    call_command("load_guide", str(path), stdout=out)
    return out.getvalue().strip()


def snapshot() -> dict:
    """Everything the loader may touch, as comparable plain values."""
    return {
        model.__name__: sorted(
            tuple(str(v) for v in row)
            for row in model.objects.values_list(
                *[f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
            )
        )
        for model in CONTENT_MODELS
    }


def milestone(slug: str) -> Milestone:
    return Milestone.objects.get(guide__slug="tiny", slug=slug)


def normalised(data: dict) -> dict:
    """Parsed guide data with each milestone's prerequisites in a canonical order."""
    for pillar in data["pillars"]:
        for entry in pillar["milestones"]:
            entry["prerequisites"] = sorted(entry["prerequisites"])
    return data


# --- loading and reloading -------------------------------------------------------------


def test_first_load_creates_the_whole_guide(db, tmp_path):
    output = load(write(tmp_path, TINY))

    assert output == "Tiny guide: 16 created, 0 updated"
    guide = Guide.objects.get(slug="tiny")
    assert guide.published is True
    assert guide.source_author == "Test Author"
    assert guide.source_published_on == datetime.date(2024, 2, 15)
    assert list(guide.pillars.values_list("slug", flat=True)) == ["basics", "practice"]
    assert milestone("first").pillar.slug == "basics"
    assert milestone("second").level == Level.INTERMEDIATE
    assert milestone("second").estimated_hours == 8
    assert milestone("project").is_project is True
    assert {p.slug for p in milestone("project").prerequisites.all()} == {"first", "second"}
    assert list(milestone("first").resources.values_list("url", "kind")) == [
        ("https://example.com/docs", "docs")
    ]
    band = SalaryBand.objects.get(guide=guide)
    assert (band.stage.slug, band.low, band.high) == ("entry", 50000, 60000)


def test_loading_the_same_file_again_changes_nothing(db, tmp_path):
    path = write(tmp_path, TINY)
    load(path)
    before = snapshot()

    assert load(path) == "Tiny guide: 0 created, 0 updated"
    assert snapshot() == before


def test_the_shipped_guide_loads_idempotently_with_the_default_path(db):
    first = io.StringIO()
    call_command("load_guide", stdout=first)
    assert "0 updated" in first.getvalue()
    before = snapshot()

    second = io.StringIO()
    call_command("load_guide", stdout=second)

    assert second.getvalue().strip().endswith(": 0 created, 0 updated")
    assert snapshot() == before


@pytest.fixture
def loaded_with_progress(db, tmp_path, make_user):
    """The tiny guide loaded, and two learners with progress on every milestone."""
    load(write(tmp_path, TINY))
    learners = [make_user(), make_user()]
    for learner in learners:
        progress_set_status(learner=learner, milestone=milestone("first"), status="done")
        progress_set_status(learner=learner, milestone=milestone("second"), status="in_progress")
        progress_set_status(learner=learner, milestone=milestone("polish"), status="done")
    return progress_rows()


def progress_rows() -> dict:
    """Every progress row: its id, status and completion time, by learner and milestone."""
    return {
        (row.learner_id, row.milestone.slug): (row.pk, row.status, row.completed_at)
        for row in Progress.objects.select_related("milestone")
    }


@pytest.mark.parametrize(
    ("old", "new", "check"),
    [
        pytest.param(
            'title = "Second steps"',
            'title = "Second steps, revised"',
            lambda: milestone("second").title == "Second steps, revised",
            id="title",
        ),
        pytest.param(
            "hours = 8",
            "hours = 12",
            lambda: milestone("second").estimated_hours == 12,
            id="hours",
        ),
        pytest.param(
            'level = "intermediate"',
            'level = "advanced"',
            lambda: milestone("second").level == Level.ADVANCED,
            id="level",
        ),
        pytest.param(
            'prerequisites = ["second", "first"]',
            'prerequisites = ["second"]',
            lambda: [p.slug for p in milestone("project").prerequisites.all()] == ["second"],
            id="prerequisite-removed",
        ),
        pytest.param(
            "hours = 3\norder = 2\n",
            'hours = 3\norder = 2\nprerequisites = ["project"]\n',
            lambda: [p.slug for p in milestone("polish").prerequisites.all()] == ["project"],
            id="prerequisite-added",
        ),
        pytest.param(
            '{ title = "Docs", url = "https://example.com/docs", kind = "docs" },',
            '{ title = "The docs", url = "https://example.com/docs", kind = "book" },\n'
            '  { title = "Video", url = "https://example.com/video", kind = "video" },',
            lambda: (
                list(milestone("first").resources.values_list("title", "kind", "order"))
                == [("The docs", "book", 1), ("Video", "video", 2)]
            ),
            id="resources",
        ),
        pytest.param(
            'resources = [\n  { title = "Docs", url = "https://example.com/docs", '
            'kind = "docs" },\n]',
            "",
            lambda: not milestone("first").resources.exists(),
            id="resources-removed",
        ),
    ],
)
def test_an_edited_file_updates_in_place_and_keeps_progress(
    tmp_path, loaded_with_progress, old, new, check
):
    ids = {slug: milestone(slug).pk for slug in ("first", "second", "project", "polish")}

    output = load(write(tmp_path, edit(TINY, old, new)))

    assert not output.endswith("0 created, 0 updated"), output
    assert check()
    assert {slug: milestone(slug).pk for slug in ids} == ids
    assert progress_rows() == loaded_with_progress


def test_a_milestone_moved_to_another_pillar_keeps_its_row_and_progress(
    tmp_path, loaded_with_progress
):
    before = milestone("polish").pk
    moved = edit(
        TINY,
        '[[pillars.milestones]]\nslug = "polish"\ntitle = "Polish"\n'
        'level = "advanced"\nhours = 3\norder = 2\n',
        "",
    )
    moved = edit(
        moved,
        '[[pillars]]\nslug = "practice"',
        '[[pillars.milestones]]\nslug = "polish"\ntitle = "Polish"\n'
        'level = "advanced"\nhours = 3\norder = 3\n\n[[pillars]]\nslug = "practice"',
    )

    assert load(write(tmp_path, moved)) == "Tiny guide: 0 created, 1 updated"

    polish = milestone("polish")
    assert (polish.pk, polish.pillar.slug, polish.order) == (before, "basics", 3)
    assert progress_rows() == loaded_with_progress


POLISH = (
    '\n[[pillars.milestones]]\nslug = "polish"\ntitle = "Polish"\n'
    'level = "advanced"\nhours = 3\norder = 2\n'
)


def test_a_milestone_removed_from_the_file_is_archived_with_its_progress(
    tmp_path, loaded_with_progress
):
    pk = milestone("polish").pk

    assert load(write(tmp_path, edit(TINY, POLISH, ""))) == (
        "Tiny guide: 0 created, 0 updated, 1 archived"
    )

    polish = Milestone.objects.get(pk=pk)
    assert polish.archived is True
    assert not Milestone.objects.filter(archived=True).exclude(pk=pk).exists()
    assert progress_rows() == loaded_with_progress
    assert ProgressEvent.objects.filter(milestone=polish).count() == 2

    # Loading the same shortened file again archives nothing more.
    assert load(tmp_path / "tiny.toml") == "Tiny guide: 0 created, 0 updated"


def test_a_milestone_back_in_the_file_is_restored(tmp_path, loaded_with_progress):
    pk = milestone("polish").pk
    load(write(tmp_path, edit(TINY, POLISH, ""), name="short.toml"))

    assert load(write(tmp_path, TINY)) == "Tiny guide: 0 created, 1 updated"

    polish = Milestone.objects.get(pk=pk)
    assert polish.archived is False
    assert progress_rows() == loaded_with_progress


def test_an_archived_milestone_keeps_its_resources_for_when_it_comes_back(db, tmp_path):
    load(write(tmp_path, TINY))
    without_first = edit(
        TINY,
        '[[pillars.milestones]]\nslug = "first"\ntitle = "First steps"\nlevel = "foundation"\n'
        'hours = 5\norder = 1\nresources = [\n  { title = "Docs", url = "https://example.com/docs",'
        ' kind = "docs" },\n]\n\n',
        "",
    )
    without_first = edit(without_first, 'prerequisites = ["first"]\n', "")
    without_first = edit(without_first, '["second", "first"]', '["second"]')
    load(write(tmp_path, without_first, name="short.toml"))
    assert milestone("first").archived is True

    load(write(tmp_path, TINY))

    first = milestone("first")
    assert first.archived is False
    assert list(first.resources.values_list("url", flat=True)) == ["https://example.com/docs"]
    assert [p.slug for p in milestone("second").prerequisites.all()] == ["first"]


def test_load_works_without_the_command_too(db, tmp_path):
    data = read_guide_file(write(tmp_path, TINY))
    guide, report = guide_load(data=data)
    assert guide.slug == "tiny"
    assert str(report) == "16 created, 0 updated"
    _, again = guide_load(data=read_guide_file(tmp_path / "tiny.toml"))
    assert str(again) == "0 created, 0 updated"


# --- salary figures: for a career stage, or for a place alone ---------------------------

# A figure about a place, not a seniority (as the ML guide's tech-hub average): no stage.
PLACE_FIGURE = """
[[salary_bands]]
label = "City average"
region = "Big cities"
low = 70000
high = 80000
currency = "USD"
source = "The tiny guide"
as_of = 2024-02-15
order = 2
"""


def with_place_figure(text: str = TINY) -> str:
    return edit(text, "\n[[advice]]", PLACE_FIGURE + "\n[[advice]]")


def test_a_figure_tied_to_no_stage_loads_reloads_and_exports(db, tmp_path):
    path = write(tmp_path, with_place_figure())

    assert load(path) == "Tiny guide: 17 created, 0 updated"
    place = SalaryBand.objects.get(guide__slug="tiny", stage=None)
    assert (place.label, place.region, place.low, place.high, place.order) == (
        "City average",
        "Big cities",
        70_000,
        80_000,
        2,
    )
    before = snapshot()
    assert load(path) == "Tiny guide: 0 created, 0 updated"
    assert snapshot() == before

    exported = tmp_path / "exported.toml"
    call_command("export_guide", "tiny", output=exported, stderr=io.StringIO())

    text = exported.read_text("utf-8")
    written = tomllib.loads(text)["salary_bands"]
    assert [band.get("stage") for band in written] == ["entry", None], "no stage, no key"
    assert normalised(parse_guide(text, exported)) == normalised(
        parse_guide(path.read_text("utf-8"), path)
    )
    assert load(exported) == "Tiny guide: 0 created, 0 updated"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("old", "new", "output"),
    [
        pytest.param(
            'stage = "entry"\nregion = "Anywhere"',
            'stage = "entry"\nlabel = "Entry"\nregion = "Anywhere"',
            "Tiny guide: 0 created, 1 updated",
            id="a-stages-figure-relabelled-is-the-same-figure",
        ),
        pytest.param(
            'label = "City average"',
            'label = "Big-city average"',
            "Tiny guide: 1 created, 0 updated, 1 deleted",
            id="a-place-figure-is-named-by-its-label",
        ),
        pytest.param(
            'label = "City average"',
            'stage = "start"\nlabel = "City average"',
            "Tiny guide: 1 created, 0 updated, 1 deleted",
            id="a-place-figure-given-a-stage",
        ),
    ],
)
def test_what_identifies_a_figure_is_its_stage_or_else_its_label_and_its_region(
    db, tmp_path, old, new, output
):
    load(write(tmp_path, with_place_figure()))

    assert load(write(tmp_path, edit(with_place_figure(), old, new))) == output
    assert SalaryBand.objects.filter(guide__slug="tiny").count() == 2


# --- bad files are refused as a whole --------------------------------------------------

# Each bad file also renames the guide, so that we can see nothing at all was applied.
RENAMED = ('title = "Tiny guide"', 'title = "Renamed guide"')


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            'slug = "second"\ntitle = "Second steps"',
            'slug = "second"\ntitle = "Second steps',
            [
                "tiny.toml",
                "not valid TOML",
                f"line {TINY.splitlines().index('title = "Second steps"') + 1}",
            ],
            id="invalid-toml",
        ),
        pytest.param("format = 1\n", "", ["tiny.toml", "top level", "'format'"], id="no-format"),
        pytest.param(
            "format = 1\n", "format = 2\n", ["tiny.toml", "top level", "'format'"], id="format-2"
        ),
        pytest.param(
            'title = "Second steps"\n',
            "",
            ["tiny.toml", "pillars[0].milestones[1]", "'title'", "is required"],
            id="missing-field",
        ),
        pytest.param(
            "hours = 8",
            'hours = "8"',
            ["tiny.toml", "pillars[0].milestones[1]", "'hours'", "expected int, got str"],
            id="wrong-type",
        ),
        pytest.param(
            "hours = 8",
            "hours = true",
            ["tiny.toml", "pillars[0].milestones[1]", "'hours'", "expected int, got bool"],
            id="bool-for-int",
        ),
        pytest.param(
            "hours = 8",
            "hours = 8\ncolour = 'blue'",
            ["tiny.toml", "pillars[0].milestones[1]", "'colour'", "unknown field"],
            id="unknown-field",
        ),
        pytest.param(
            'level = "intermediate"',
            'level = "expert"',
            ["tiny.toml", "pillars[0].milestones[1]", "'level'", "must be one of"],
            id="bad-level",
        ),
        pytest.param(
            "hours = 8",
            "hours = -8",
            ["tiny.toml", "pillars[0].milestones[1]", "'hours'", "at least 0"],
            id="negative-hours",
        ),
        pytest.param(
            'slug = "second"',
            'slug = "second steps"',
            ["tiny.toml", "pillars[0].milestones[1]", "'slug'", "not a slug"],
            id="bad-slug",
        ),
        pytest.param(
            'slug = "polish"',
            'slug = "first"',
            ["tiny.toml", "pillars[1].milestones[1]", "'slug'", "used by another milestone"],
            id="duplicate-milestone-slug",
        ),
        pytest.param(
            'prerequisites = ["first"]',
            'prerequisites = ["zeroth"]',
            ["tiny.toml", "pillars[0].milestones[1]", "'prerequisites'", "zeroth"],
            id="unknown-prerequisite",
        ),
        pytest.param(
            'prerequisites = ["first"]',
            'prerequisites = ["second"]',
            ["tiny.toml", "pillars[0].milestones[1]", "'prerequisites'", "cannot require itself"],
            id="self-prerequisite",
        ),
        pytest.param(
            'url = "https://example.com/docs"',
            'url = "ftp://example.com/docs"',
            ["tiny.toml", "pillars[0].milestones[0]", ".resources[0]", "'url'", "http(s) URL"],
            id="non-http-resource",
        ),
        pytest.param(
            'url = "https://example.com/docs"',
            'url = "javascript:alert(1)"',
            ["tiny.toml", "pillars[0].milestones[0]", ".resources[0]", "'url'", "http(s) URL"],
            id="javascript-resource",
        ),
        pytest.param(
            'kind = "docs"',
            'kind = "podcast"',
            ["tiny.toml", "pillars[0].milestones[0]", ".resources[0]", "'kind'", "must be one of"],
            id="bad-resource-kind",
        ),
        pytest.param(
            "low = 50000\nhigh = 60000",
            "low = 70000\nhigh = 60000",
            ["tiny.toml", "salary_bands[0]", "'high'", "below 'low'"],
            id="salary-low-above-high",
        ),
        pytest.param(
            "low = 50000\nhigh = 60000\n",
            "",
            ["tiny.toml", "salary_bands[0]", "'low'", "needs a low or a high"],
            id="salary-without-bounds",
        ),
        pytest.param(
            'stage = "entry"',
            'stage = "wizard"',
            ["tiny.toml", "salary_bands[0]", "'stage'", "wizard"],
            id="salary-unknown-stage",
        ),
        pytest.param(
            'stage = "entry"\nregion = "Anywhere"',
            'region = "Anywhere"',
            ["tiny.toml", "salary_bands[0]", "'label'", "tied to no career stage needs a label"],
            id="salary-without-stage-or-label",
        ),
        pytest.param(
            "\n[[advice]]",
            '\n[[salary_bands]]\nstage = "entry"\nlabel = "Junior"\nregion = "Anywhere"\n'
            'low = 1\ncurrency = "USD"\nsource = "Another"\nas_of = 2024-02-15\n\n[[advice]]',
            ["tiny.toml", "salary_bands[1]", "'region'", "stage 'entry' in 'Anywhere'"],
            id="salary-stage-quoted-twice-in-a-region",
        ),
        pytest.param(
            "\n[[advice]]",
            PLACE_FIGURE + PLACE_FIGURE + "\n[[advice]]",
            ["tiny.toml", "salary_bands[2]", "'region'", "'City average' in 'Big cities'"],
            id="salary-place-figure-twice",
        ),
        pytest.param(
            "as_of = 2024-02-15",
            'as_of = "last year"',
            ["tiny.toml", "salary_bands[0]", "'as_of'", "expected date"],
            id="salary-date-as-text",
        ),
        pytest.param(
            'rule = "always"',
            'rule = "sometimes"',
            ["tiny.toml", "advice[0]", "'rule'", "must be one of"],
            id="bad-advice-rule",
        ),
        pytest.param(
            'slug = "start"\nname = "Getting started"',
            'slug = "entry"\nname = "Getting started"',
            ["tiny.toml", "stages[1]", "'slug'", "duplicate"],
            id="duplicate-stage",
        ),
        pytest.param(
            'slug = "practice"',
            'slug = "basics"',
            ["tiny.toml", "pillars[1]", "'slug'", "duplicate"],
            id="duplicate-pillar",
        ),
        pytest.param(
            'summary = "A guide small enough to read in a test."',
            'summary = "  "',
            ["tiny.toml", "[guide]", "'summary'", "must not be empty"],
            id="blank-summary",
        ),
        pytest.param(
            'author = "Test Author"',
            'author = "Test Author"\nurl = "not a url"',
            ["tiny.toml", "[guide.source]", "'url'", "http(s) URL"],
            id="bad-source-url",
        ),
    ],
)
def test_a_bad_file_is_refused_as_a_whole(db, tmp_path, old, new, expected):
    load(write(tmp_path, TINY))
    before = snapshot()
    bad = write(tmp_path, edit(edit(TINY, *RENAMED), old, new))

    with pytest.raises(CommandError) as error:
        call_command("load_guide", str(bad), stdout=io.StringIO())

    message = str(error.value)
    for fragment in expected:
        assert fragment in message, message
    assert snapshot() == before
    assert Guide.objects.get(slug="tiny").title == "Tiny guide"

    # The same message comes from the reader itself, for code that loads without the command.
    with pytest.raises(GuideFileError, match=r"tiny\.toml"):
        read_guide_file(bad)


def test_a_bad_file_on_an_empty_database_creates_nothing(db, tmp_path):
    bad = write(tmp_path, edit(TINY, "hours = 8", "hours = -1"))
    with pytest.raises(CommandError, match=r"pillars\[0\]\.milestones\[1\]"):
        call_command("load_guide", str(bad), stdout=io.StringIO())
    assert all(not model.objects.exists() for model in CONTENT_MODELS)


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.toml.*cannot be read"):
        call_command("load_guide", str(tmp_path / "nowhere.toml"), stdout=io.StringIO())


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        pytest.param("hours = 8", "hours = 40000", "'hours'", id="hours-too-large"),
        pytest.param(
            'title = "Second steps"', f'title = "{"x" * 201}"', "'title'", id="title-too-long"
        ),
        pytest.param('currency = "USD"', 'currency = "DOLLARS"', "'currency'", id="currency"),
        pytest.param('slug = "polish"', f'slug = "{"s" * 81}"', "'slug'", id="slug-too-long"),
    ],
)
def test_a_value_the_database_cannot_hold_is_refused_with_a_clear_message(
    db, tmp_path, old, new, field
):
    """Too long or too large for its column: refused like any bad value, never a crash."""
    load(write(tmp_path, TINY))
    before = snapshot()
    bad = write(tmp_path, edit(edit(TINY, *RENAMED), old, new))

    with pytest.raises(CommandError) as error:
        call_command("load_guide", str(bad), stdout=io.StringIO())

    assert "tiny.toml" in str(error.value)
    assert field in str(error.value)
    assert snapshot() == before


# --- export -----------------------------------------------------------------------------


def test_export_then_load_round_trips_the_shipped_guide(db, tmp_path):
    load(DEFAULT_GUIDE_FILE)
    before = snapshot()
    exported = tmp_path / "exported.toml"
    call_command("export_guide", "ml-engineer", output=exported, stderr=io.StringIO())

    assert load(exported).endswith(": 0 created, 0 updated")
    assert snapshot() == before

    original = normalised(parse_guide(DEFAULT_GUIDE_FILE.read_text("utf-8"), DEFAULT_GUIDE_FILE))
    assert normalised(parse_guide(exported.read_text("utf-8"), exported)) == original


def test_export_writes_to_standard_output_by_default(db, tmp_path):
    load(write(tmp_path, TINY))
    out = io.StringIO()
    call_command("export_guide", "tiny", stdout=out)

    text = out.getvalue()
    assert "David Jenkins" in text  # the header's attribution
    assert tomllib.loads(text)["guide"]["slug"] == "tiny"
    assert normalised(parse_guide(text, Path("stdout.toml"))) == normalised(
        parse_guide(TINY, Path("tiny.toml"))
    )


def test_an_edit_made_in_the_database_appears_in_the_export(db, tmp_path):
    load(write(tmp_path, TINY))
    Milestone.objects.filter(slug="second").update(title="Edited in the admin", estimated_hours=9)
    exported = tmp_path / "exported.toml"

    call_command("export_guide", "tiny", output=exported, stderr=io.StringIO())

    data = read_guide_file(exported)
    second = data["pillars"][0]["milestones"][1]
    assert (second["slug"], second["title"], second["hours"]) == (
        "second",
        "Edited in the admin",
        9,
    )


def test_text_typed_into_the_admin_survives_export_and_reload(db, tmp_path):
    """A browser sends a textarea's line breaks as CRLF: the export must keep them."""
    load(write(tmp_path, TINY))
    Milestone.objects.filter(slug="second").update(description="Read this.\r\nThen that.")
    exported = tmp_path / "exported.toml"
    call_command("export_guide", "tiny", output=exported, stderr=io.StringIO())

    assert load(exported) == "Tiny guide: 0 created, 0 updated"
    assert milestone("second").description == "Read this.\r\nThen that."


def test_export_leaves_archived_milestones_out(db, tmp_path):
    load(write(tmp_path, TINY))
    Milestone.objects.filter(slug="polish").update(archived=True)

    data = guide_file_data_get(guide=Guide.objects.get(slug="tiny"))

    slugs = [m["slug"] for pillar in data["pillars"] for m in pillar["milestones"]]
    assert slugs == ["first", "second", "project"]
    assert "polish" not in render_guide(data)


def test_export_of_an_unknown_guide_fails_clearly(db):
    with pytest.raises(CommandError, match="No guide with slug 'nope'"):
        call_command("export_guide", "nope", stdout=io.StringIO())


# --- the shipped file -------------------------------------------------------------------


def test_the_shipped_file_has_a_full_plan_and_the_guides_figures():
    data = read_guide_file(DEFAULT_GUIDE_FILE)

    milestones = [m for pillar in data["pillars"] for m in pillar["milestones"]]
    assert len(milestones) >= 30
    assert {m["level"] for m in milestones} == set(Level.values)
    names = {pillar["name"] for pillar in data["pillars"]}
    assert {
        "Core Programming Proficiency",
        "Mathematics and Statistics",
        "MLOps and Infrastructure",
    } <= names
    assert all(m["resources"] for m in milestones), "every milestone lists a resource"

    source = data["guide"]["source"]
    assert source["author"] == "David Jenkins"
    assert source["published_on"] == datetime.date(2024, 2, 15)

    # The guide's three figures, as it states them: the tech-hub average is about a place,
    # so it belongs to no career stage.
    bands = data["salary_bands"]
    assert [(b["label"], b["stage"], b["low"], b["high"]) for b in bands] == [
        ("Entry level", "entry-level", 75_000, None),
        ("Tech-hub average", None, 182_000, 194_000),
        ("Experienced", "experienced", 195_000, None),
    ]
    assert [b["order"] for b in bands] == sorted(b["order"] for b in bands)
    assert all(b["currency"] == "USD" for b in bands)
    assert all(b["as_of"] == datetime.date(2024, 2, 15) for b in bands)
    assert "San Francisco" in bands[1]["region"]


def test_the_shipped_guide_loads_into_what_the_pages_need(ml_guide):
    active = Milestone.objects.filter(guide=ml_guide, archived=False)
    assert active.count() >= 30
    assert set(active.values_list("level", flat=True)) == set(Level.values)
    assert ml_guide.published
    assert ml_guide.source_published_on == datetime.date(2024, 2, 15)
    assert ml_guide.stages.count() == 4
    figures = set(ml_guide.salary_bands.values_list("low", "high"))
    assert figures == {(75_000, None), (182_000, 194_000), (195_000, None)}


def test_progress_on_the_shipped_guide_survives_a_reload(ml_guide, learner):
    first = Milestone.objects.filter(guide=ml_guide).order_by("pk").first()
    row = progress_set_status(learner=learner, milestone=first, status=ProgressStatus.DONE)

    call_command("load_guide", stdout=io.StringIO())

    row.refresh_from_db()
    assert row.status == ProgressStatus.DONE
    assert row.milestone_id == first.pk


# --- writing and the limits, without the database -------------------------------------


def test_render_then_parse_gives_back_the_shipped_guide_exactly():
    data = read_guide_file(DEFAULT_GUIDE_FILE)

    text = render_guide(data)

    assert parse_guide(text, Path("rendered.toml")) == data
    assert text.startswith("# CareerPath guide file")
    assert "\nformat = 1\n" in text
    assert "\n[[pillars]]\n" in text
    assert "\n[[pillars.milestones]]\n" in text


def test_render_leaves_out_open_ends_and_keeps_awkward_text_as_it_was():
    data = parse_guide(TINY, Path("tiny.toml"))
    band = data["salary_bands"][0]
    band["high"] = None
    data["guide"]["source"]["published_on"] = None
    awkward = 'Line one,\r\nline "two" with a \\ and a tab\t.\n\nÜnïcödé — done.\n'
    data["pillars"][0]["milestones"][0]["description"] = awkward

    text = render_guide(data)

    parsed = tomllib.loads(text)
    assert "high" not in parsed["salary_bands"][0]
    assert "published_on" not in parsed["guide"]["source"]
    assert parse_guide(text, Path("rendered.toml")) == data
    assert (
        parse_guide(text, Path("rendered.toml"))["pillars"][0]["milestones"][0]["description"]
        == awkward
    )


def refusal(old: str, new: str) -> str:
    with pytest.raises(GuideFileError) as error:
        parse_guide(edit(TINY, old, new), Path("tiny.toml"))
    return str(error.value)


def test_a_length_limit_is_the_model_fields_own():
    limit = Milestone._meta.get_field("title").max_length
    at_limit = edit(TINY, 'title = "Second steps"', f'title = "{"x" * limit}"')
    assert parse_guide(at_limit, Path("tiny.toml"))["pillars"][0]["milestones"][1]["title"]

    message = refusal('title = "Second steps"', f'title = "{"x" * (limit + 1)}"')

    assert message == (
        "tiny.toml: pillars[0].milestones[1], field 'title': "
        f"must be at most {limit} characters long"
    )


@pytest.mark.parametrize(
    ("key", "model", "column", "where"),
    [
        pytest.param("hours", Milestone, "estimated_hours", "milestones[1]", id="small-integer"),
        pytest.param("high", SalaryBand, "high", "salary_bands[0]", id="integer"),
    ],
)
def test_a_number_limit_is_the_largest_value_of_the_model_fields_type(key, model, column, where):
    field = model._meta.get_field(column)
    largest = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()][1]
    old = {"hours": "hours = 8", "high": "high = 60000"}[key]
    parse_guide(edit(TINY, old, f"{key} = {largest}"), Path("tiny.toml"))

    message = refusal(old, f"{key} = {largest + 1}")

    assert where in message
    assert message.endswith(f"field '{key}': must be at most {largest}")


def test_choices_are_the_model_fields_own():
    stage_levels = ", ".join(['""', *Level.values])

    message = refusal('completes_level = "foundation"', 'completes_level = "expert"')

    assert message == (
        f"tiny.toml: stages[1], field 'completes_level': must be one of {stage_levels}"
    )
    assert refusal('kind = "docs"', 'kind = "podcast"').endswith(
        f"field 'kind': must be one of {', '.join(ResourceKind.values)}"
    )
