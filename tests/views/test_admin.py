"""The Django admin, where editors maintain the guide and staff look after learners."""

import json
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tracker.models import (
    Level,
    MailKind,
    MailPreferences,
    Mentorship,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Progress,
    ProgressEvent,
    ProgressStatus,
    Resource,
    ReviewRequest,
    ScheduledMail,
)
from tracker.services.mentoring import mentorship_invite
from tracker.tasks import run_once

TRACKER_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "tracker"
    ),
    key=lambda pair: pair[0]._meta.model_name,
)
MODEL_IDS = [model._meta.model_name for model, _ in TRACKER_ADMINS]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:tracker_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def learner_data(ml_guide, make_user, make_mentorship, complete):
    """Progress, history, a mentorship, a review, a mail and a job's run, so every admin
    has a row to show."""
    learner, mentor = make_user("ada"), make_user("grace")
    milestones = list(Milestone.objects.filter(guide=ml_guide).order_by("pk")[:3])
    complete(learner, milestones)
    mentorship = make_mentorship(mentor, learner)
    ReviewRequest.objects.create(
        progress=Progress.objects.get(learner=learner, milestone=milestones[0]),
        mentorship=mentorship,
        message="Please have a look.",
    )
    mentorship_invite(mentee=mentor, identifier="ada")
    mentorship_invite(mentee=learner, identifier="not-yet-here@example.com")  # no mentor yet
    with run_once("daily-cleanup", "2026-12-01"):
        pass
    MailPreferences.objects.create(user=learner, weekly_digest=True)
    ScheduledMail.objects.create(user=learner, kind=MailKind.WEEKLY_DIGEST, period="2026-W49")


def test_every_tracker_model_is_in_the_admin():
    registered = {model._meta.model_name for model, _ in TRACKER_ADMINS}
    assert {
        "guide",
        "careerstage",
        "pillar",
        "milestone",
        "resource",
        "salaryband",
        "advice",
        "impactarea",
        "profile",
        "progress",
        "progressevent",
        "mentorship",
        "reviewrequest",
        "notification",
        "jobrun",
        "mailpreferences",
        "scheduledmail",
    } <= registered


@pytest.mark.parametrize(("model", "model_admin"), TRACKER_ADMINS, ids=MODEL_IDS)
def test_changelist_add_and_change_pages_open(
    admin_client, admin_user, learner_data, model, model_admin
):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == HTTPStatus.OK
    assert response.context["cl"].result_count > 0

    # Search and filters are part of the changelist too.
    if model_admin.search_fields:
        response = admin_client.get(admin_url(model, "changelist"), {"q": "a"})
        assert response.status_code == HTTPStatus.OK

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    response = admin_client.get(admin_url(model, "add"))
    if model_admin.has_add_permission(request):
        assert response.status_code == HTTPStatus.OK
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN

    obj = model.objects.order_by("pk").first()
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == HTTPStatus.OK


def test_learner_history_cannot_be_added_or_rewritten_in_the_admin(admin_client, learner_data):
    event = ProgressEvent.objects.first()
    assert admin_client.get(admin_url(ProgressEvent, "add")).status_code == HTTPStatus.FORBIDDEN
    assert admin_client.get(admin_url(Progress, "add")).status_code == HTTPStatus.FORBIDDEN
    response = admin_client.post(
        admin_url(ProgressEvent, "change", event.pk), {"new_status": "not_started"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    response = admin_client.post(admin_url(ProgressEvent, "delete", event.pk), {"post": "yes"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert ProgressEvent.objects.filter(pk=event.pk).exists()


# --- query counts ------------------------------------------------------------------------


def changelist_queries(client) -> dict[str, int]:
    counts = {}
    for model, _ in TRACKER_ADMINS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(admin_url(model, "changelist"))
        assert response.status_code == HTTPStatus.OK
        counts[model._meta.model_name] = len(queries)
    return counts


def test_changelists_cost_the_same_whatever_the_amount_of_data(
    admin_client, make_guide, make_user, make_mentorship
):
    def add_guide_and_learners(slug: str, milestones: int, learners: int) -> None:
        guide = make_guide(slug=slug, milestones=milestones)
        everything = list(guide.milestones.all())
        now = timezone.now()
        for _ in range(learners):
            learner = make_user()
            # Rows as the progress service leaves them, written in bulk to keep the test fast.
            Progress.objects.bulk_create(
                Progress(
                    learner=learner,
                    milestone=milestone,
                    status=ProgressStatus.DONE,
                    started_at=now,
                    completed_at=now,
                )
                for milestone in everything
            )
            ProgressEvent.objects.bulk_create(
                ProgressEvent(
                    learner=learner,
                    milestone=milestone,
                    actor=learner,
                    old_status=ProgressStatus.NOT_STARTED,
                    new_status=ProgressStatus.DONE,
                )
                for milestone in everything
            )
            mentorship = make_mentorship(make_user(), learner)
            ReviewRequest.objects.create(
                progress=Progress.objects.get(learner=learner, milestone=everything[-1]),
                mentorship=mentorship,
            )

    add_guide_and_learners("small", milestones=5, learners=1)
    small = changelist_queries(admin_client)

    add_guide_and_learners("large", milestones=60, learners=4)
    assert Progress.objects.count() == 5 + 4 * 60
    large = changelist_queries(admin_client)

    assert large == small


# --- milestones --------------------------------------------------------------------------


def test_milestone_change_page_edits_prerequisites_with_autocomplete(admin_client, ml_guide):
    link = MilestonePrerequisite.objects.filter(milestone__guide=ml_guide).first()
    milestone, required = link.milestone, link.prerequisite

    response = admin_client.get(admin_url(Milestone, "change", milestone.pk))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    formsets = {f.formset.model: f.formset for f in response.context["inline_admin_formsets"]}
    prerequisites = formsets[MilestonePrerequisite]
    assert {form.instance for form in prerequisites.initial_forms} == set(
        MilestonePrerequisite.objects.filter(milestone=milestone)
    )
    assert "admin-autocomplete" in html
    assert f'name="{prerequisites.prefix}-0-prerequisite"' in html
    assert f'<option value="{required.pk}" selected>{required.title}</option>' in html

    # The widget's search finds milestones by title.
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "tracker",
            "model_name": "milestoneprerequisite",
            "field_name": "prerequisite",
            "term": required.title[:8],
        },
    )
    assert response.status_code == HTTPStatus.OK
    results = json.loads(response.content)["results"]
    assert {"id": str(required.pk), "text": required.title} in results


def test_saving_a_milestone_in_the_admin_keeps_its_prerequisites(admin_client, make_guide):
    guide = make_guide(milestones=6, pillars=3)
    milestone = guide.milestones.get(slug="milestone-3")
    required = guide.milestones.get(slug="milestone-0")
    link = MilestonePrerequisite.objects.get(milestone=milestone)
    page = admin_client.get(admin_url(Milestone, "change", milestone.pk))
    prefix = {f.formset.model: f.formset.prefix for f in page.context["inline_admin_formsets"]}
    prerequisites, resources = prefix[MilestonePrerequisite], prefix[Resource]
    response = admin_client.post(
        admin_url(Milestone, "change", milestone.pk),
        {
            "pillar": milestone.pillar_id,
            "title": "Renamed in the admin",
            "slug": milestone.slug,
            "description": milestone.description,
            "level": milestone.level,
            "estimated_hours": 7,
            "order": milestone.order,
            f"{prerequisites}-TOTAL_FORMS": 1,
            f"{prerequisites}-INITIAL_FORMS": 1,
            f"{prerequisites}-0-id": link.pk,
            f"{prerequisites}-0-milestone": milestone.pk,
            f"{prerequisites}-0-prerequisite": required.pk,
            f"{resources}-TOTAL_FORMS": 1,
            f"{resources}-INITIAL_FORMS": 1,
            f"{resources}-0-id": milestone.resources.get().pk,
            f"{resources}-0-milestone": milestone.pk,
            f"{resources}-0-order": 0,
            f"{resources}-0-title": "Docs 3",
            f"{resources}-0-url": "https://example.com/3",
            f"{resources}-0-kind": "docs",
        },
    )
    errors = response.context["errors"] if response.status_code == HTTPStatus.OK else None
    assert response.status_code == HTTPStatus.FOUND, errors
    milestone.refresh_from_db()
    assert (milestone.title, milestone.estimated_hours) == ("Renamed in the admin", 7)
    assert list(milestone.prerequisites.all()) == [required]


def test_deleting_a_milestone_with_progress_archives_it(admin_client, make_guide, learner):
    guide = make_guide(milestones=3)
    milestone = guide.milestones.get(slug="milestone-0")
    progress = Progress.objects.create(learner=learner, milestone=milestone)

    response = admin_client.post(admin_url(Milestone, "delete", milestone.pk), {"post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    milestone.refresh_from_db()
    assert milestone.archived is True
    assert Progress.objects.filter(pk=progress.pk).exists()


def test_deleting_a_milestone_with_history_archives_it(admin_client, make_guide, learner, complete):
    guide = make_guide(milestones=3)
    milestone = guide.milestones.get(slug="milestone-0")
    complete(learner, [milestone])
    Progress.objects.filter(milestone=milestone).delete()  # e.g. a row removed for abuse
    assert ProgressEvent.objects.filter(milestone=milestone).exists()

    response = admin_client.post(admin_url(Milestone, "delete", milestone.pk), {"post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    milestone.refresh_from_db()
    assert milestone.archived is True


def test_deleting_a_milestone_without_progress_deletes_it(admin_client, make_guide, learner):
    guide = make_guide(milestones=3)
    milestone = guide.milestones.get(slug="milestone-0")
    Progress.objects.create(learner=learner, milestone=guide.milestones.get(slug="milestone-1"))

    response = admin_client.post(admin_url(Milestone, "delete", milestone.pk), {"post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_bulk_delete_archives_milestones_with_progress_and_deletes_the_rest(
    admin_client, make_guide, learner
):
    guide = make_guide(milestones=4)
    used, unused = (
        guide.milestones.get(slug="milestone-0"),
        guide.milestones.get(slug="milestone-1"),
    )
    Progress.objects.create(learner=learner, milestone=used)

    response = admin_client.post(
        admin_url(Milestone, "changelist"),
        {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert not Milestone.objects.filter(pk=unused.pk).exists()
    used.refresh_from_db()
    assert used.archived is True
    assert Progress.objects.filter(milestone=used).count() == 1


def test_archive_and_restore_actions(admin_client, make_guide):
    guide = make_guide(milestones=3)
    pks = list(guide.milestones.values_list("pk", flat=True)[:2])
    url = admin_url(Milestone, "changelist")

    admin_client.post(url, {"action": "archive", "_selected_action": pks})
    assert set(Milestone.objects.filter(archived=True).values_list("pk", flat=True)) == set(pks)

    admin_client.post(url, {"action": "unarchive", "_selected_action": pks})
    assert not Milestone.objects.filter(archived=True).exists()


# --- the content editors group --------------------------------------------------------------


def test_content_editors_may_edit_content_but_not_people(db):
    group = Group.objects.get(name="Content editors")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))

    for model in ("guide", "pillar", "milestone", "resource", "salaryband", "advice"):
        assert ("tracker", f"change_{model}") in codenames
    assert ("tracker", "add_milestone") in codenames
    assert ("tracker", "delete_milestone") in codenames
    assert not group.permissions.filter(content_type__app_label="auth").exists()
    for model in ("progress", "progressevent", "mentorship", "reviewrequest", "profile"):
        assert not group.permissions.filter(content_type__model=model).exists(), model
    assert not Permission.objects.filter(group=group, codename__endswith="_user").exists()


def test_a_content_editor_can_open_content_but_not_users_or_progress(client, make_user, ml_guide):
    editor = make_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(editor)

    assert client.get(admin_url(Milestone, "changelist")).status_code == HTTPStatus.OK
    milestone = Milestone.objects.filter(guide=ml_guide).first()
    assert client.get(admin_url(Milestone, "change", milestone.pk)).status_code == HTTPStatus.OK
    assert client.get(reverse("admin:auth_user_changelist")).status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("admin:auth_user_add")).status_code == HTTPStatus.FORBIDDEN
    assert client.get(admin_url(Progress, "changelist")).status_code == HTTPStatus.FORBIDDEN


def test_a_user_who_is_not_staff_is_sent_to_the_admin_login(client, learner):
    client.force_login(learner)
    response = client.get(admin_url(Milestone, "changelist"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))


# --- prerequisites that a learner could never satisfy --------------------------------------


def change_form_data(client, obj) -> tuple[dict, dict]:
    """What the change page of ``obj`` would post as it stands, and each inline's prefix by
    model: the main form, then every inline's management form and rows."""
    model = type(obj)
    page = client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == HTTPStatus.OK
    forms = [page.context["adminform"].form]
    prefixes = {}
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        prefixes[formset.model] = formset.prefix
        forms += [formset.management_form, *formset.initial_forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value is not None and value is not False:  # 0 is a value to post
                data[form.add_prefix(name)] = value
    return data, prefixes


def add_row(data: dict, prefix: str, **fields) -> None:
    """One more inline row, as the admin's "Add another" link adds it."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value


def row_index(data: dict, prefix: str, pk: int) -> int:
    return next(
        int(key.split("-")[-2])
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == pk
    )


def edges(guide) -> set[tuple[str, str]]:
    return set(
        MilestonePrerequisite.objects.filter(milestone__guide=guide).values_list(
            "milestone__slug", "prerequisite__slug"
        )
    )


def refused(response, message: str) -> None:
    """The change form came back (no redirect) with ``message`` for the editor to read."""
    assert response.status_code == HTTPStatus.OK
    assert message in error_messages(response)
    assert message in response.content.decode()


def error_messages(response) -> list[str]:
    """The messages the admin lists at the top of a refused form: a field's errors come as
    a list, an inline's own (non-form) errors one by one."""
    messages = []
    for item in response.context["errors"]:
        messages += [item] if isinstance(item, str) else list(item)
    return messages


def saved_errors(response) -> list:
    """The form's errors, when a save that should have worked came back with them."""
    return error_messages(response) if response.status_code == HTTPStatus.OK else []


LEVEL_RULE = "a milestone can only require milestones of its own level or an earlier one."


@pytest.fixture
def chain(make_guide):
    """One pillar of nine milestones, each requiring the one before: 0-2 foundation, 3-5
    intermediate, 6-8 advanced."""
    guide = make_guide(slug="chain", milestones=9, pillars=1)
    milestones = {milestone.slug: milestone for milestone in guide.milestones.all()}
    return [milestones[f"milestone-{n}"] for n in range(9)]


def test_admin_refuses_two_milestones_that_would_require_each_other(admin_client, chain):
    first = chain[0]
    before = edges(first.guide)
    data, prefix = change_form_data(admin_client, first)
    data["title"] = "Renamed too"
    add_row(data, prefix[MilestonePrerequisite], milestone=first.pk, prerequisite=chain[1].pk)

    response = admin_client.post(admin_url(Milestone, "change", first.pk), data)

    refused(
        response,
        "“Renamed too” and “Milestone 1” would require each other: "
        "milestone-0 → milestone-1 → milestone-0. Remove one of these two prerequisites.",
    )
    assert edges(first.guide) == before
    first.refresh_from_db()
    assert first.title == "Milestone 0"


def test_admin_refuses_a_circle_through_the_milestones_that_require_it(admin_client, chain):
    # milestone-2 requires milestone-1, which requires milestone-0: requiring milestone-2
    # from milestone-0 closes a circle of three.
    first = chain[0]
    before = edges(first.guide)
    data, prefix = change_form_data(admin_client, first)
    add_row(data, prefix[MilestonePrerequisite], milestone=first.pk, prerequisite=chain[2].pk)

    response = admin_client.post(admin_url(Milestone, "change", first.pk), data)

    refused(
        response,
        "“Milestone 0”, “Milestone 2” and “Milestone 1” would require one another in a "
        "circle: milestone-0 → milestone-2 → milestone-1 → milestone-0 (each one requires "
        "the next). Remove one of these prerequisites.",
    )
    assert edges(first.guide) == before


def test_admin_refuses_a_changed_row_that_closes_a_circle(admin_client, chain):
    second = chain[1]
    link = MilestonePrerequisite.objects.get(milestone=second)
    before = edges(second.guide)
    data, prefix = change_form_data(admin_client, second)
    index = row_index(data, prefix[MilestonePrerequisite], link.pk)
    data[f"{prefix[MilestonePrerequisite]}-{index}-prerequisite"] = chain[2].pk

    response = admin_client.post(admin_url(Milestone, "change", second.pk), data)

    refused(
        response,
        "“Milestone 1” and “Milestone 2” would require each other: "
        "milestone-1 → milestone-2 → milestone-1. Remove one of these two prerequisites.",
    )
    assert edges(second.guide) == before


def test_admin_saves_the_removal_of_a_circle_saved_before_the_check(admin_client, chain):
    first = chain[0]
    old = MilestonePrerequisite.objects.create(milestone=first, prerequisite=chain[1])
    data, prefix = change_form_data(admin_client, first)
    rows = prefix[MilestonePrerequisite]
    data[f"{rows}-{row_index(data, rows, old.pk)}-DELETE"] = "on"

    response = admin_client.post(admin_url(Milestone, "change", first.pk), data)

    assert response.status_code == HTTPStatus.FOUND, saved_errors(response)
    assert not MilestonePrerequisite.objects.filter(pk=old.pk).exists()


def test_admin_refuses_a_prerequisite_of_a_later_level(admin_client, m):
    # milestone-2 is intermediate and nothing links it to milestone-0, a foundation.
    before = edges(m[0].guide)
    data, prefix = change_form_data(admin_client, m[0])
    add_row(data, prefix[MilestonePrerequisite], milestone=m[0].pk, prerequisite=m[2].pk)

    response = admin_client.post(admin_url(Milestone, "change", m[0].pk), data)

    refused(
        response,
        f"“Milestone 0” (foundation) cannot require “Milestone 2” (intermediate): {LEVEL_RULE}",
    )
    assert edges(m[0].guide) == before


def test_admin_refuses_raising_a_level_above_a_milestone_that_requires_it(admin_client, m):
    # milestone-3 (intermediate) requires milestone-0.
    data, _ = change_form_data(admin_client, m[0])
    data["level"] = Level.ADVANCED

    response = admin_client.post(admin_url(Milestone, "change", m[0].pk), data)

    refused(
        response,
        f"“Milestone 3” (intermediate) cannot require “Milestone 0” (advanced): {LEVEL_RULE}",
    )
    m[0].refresh_from_db()
    assert m[0].level == Level.FOUNDATION


def test_admin_refuses_lowering_a_level_below_a_prerequisite(admin_client, m):
    # milestone-5 (advanced) requires milestone-2 (intermediate).
    data, _ = change_form_data(admin_client, m[5])
    data["level"] = Level.FOUNDATION

    response = admin_client.post(admin_url(Milestone, "change", m[5].pk), data)

    refused(
        response,
        f"“Milestone 5” (foundation) cannot require “Milestone 2” (intermediate): {LEVEL_RULE}",
    )
    m[5].refresh_from_db()
    assert m[5].level == Level.ADVANCED


def test_admin_saves_a_lower_level_with_the_prerequisite_removed_in_the_same_submit(
    admin_client, m
):
    link = MilestonePrerequisite.objects.get(milestone=m[5])
    data, prefix = change_form_data(admin_client, m[5])
    data["level"] = Level.FOUNDATION
    rows = prefix[MilestonePrerequisite]
    data[f"{rows}-{row_index(data, rows, link.pk)}-DELETE"] = "on"

    response = admin_client.post(admin_url(Milestone, "change", m[5].pk), data)

    assert response.status_code == HTTPStatus.FOUND, saved_errors(response)
    m[5].refresh_from_db()
    assert m[5].level == Level.FOUNDATION
    assert not m[5].prerequisites.exists()


def test_admin_saves_a_sound_new_prerequisite(admin_client, m):
    # milestone-4 (advanced) may require milestone-2 (intermediate): no circle either.
    data, prefix = change_form_data(admin_client, m[4])
    add_row(data, prefix[MilestonePrerequisite], milestone=m[4].pk, prerequisite=m[2].pk)

    response = admin_client.post(admin_url(Milestone, "change", m[4].pk), data)

    assert response.status_code == HTTPStatus.FOUND, saved_errors(response)
    assert set(m[4].prerequisites.all()) == {m[1], m[2]}


def test_admin_refuses_a_new_milestone_that_requires_a_later_level(admin_client, m):
    count = Milestone.objects.count()
    page = admin_client.get(admin_url(Milestone, "add"))
    prefix = {f.formset.model: f.formset.prefix for f in page.context["inline_admin_formsets"]}
    prerequisites, resources = prefix[MilestonePrerequisite], prefix[Resource]
    response = admin_client.post(
        admin_url(Milestone, "add"),
        {
            "pillar": m[0].pillar_id,
            "title": "Brand new",
            "slug": "brand-new",
            "description": "",
            "level": Level.FOUNDATION,
            "estimated_hours": 3,
            "order": 9,
            f"{prerequisites}-TOTAL_FORMS": 1,
            f"{prerequisites}-INITIAL_FORMS": 0,
            f"{prerequisites}-0-prerequisite": m[2].pk,
            f"{resources}-TOTAL_FORMS": 0,
            f"{resources}-INITIAL_FORMS": 0,
        },
    )

    refused(
        response,
        f"“Brand new” (foundation) cannot require “Milestone 2” (intermediate): {LEVEL_RULE}",
    )
    assert Milestone.objects.count() == count


def test_admin_refuses_a_level_change_from_the_pillar_page(admin_client, m):
    # The pillar's page lists its milestones with their levels: milestone-3 (intermediate)
    # requires milestone-0, which must not become advanced there either.
    pillar = m[0].pillar
    data, prefix = change_form_data(admin_client, pillar)
    index = row_index(data, prefix[Milestone], m[0].pk)
    data[f"{prefix[Milestone]}-{index}-level"] = Level.ADVANCED

    response = admin_client.post(admin_url(Pillar, "change", pillar.pk), data)

    refused(
        response,
        f"“Milestone 3” (intermediate) cannot require “Milestone 0” (advanced): {LEVEL_RULE}",
    )
    m[0].refresh_from_db()
    assert m[0].level == Level.FOUNDATION


def test_an_invitation_to_an_address_without_an_account_shows_in_the_admin(
    admin_client, learner_data
):
    response = admin_client.get(admin_url(Mentorship, "changelist"), {"q": "not-yet-here"})

    assert response.status_code == HTTPStatus.OK
    assert "not-yet-here@example.com" in response.content.decode()
    assert "0 results" not in response.content.decode()
