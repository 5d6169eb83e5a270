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
    Milestone,
    MilestonePrerequisite,
    Progress,
    ProgressEvent,
    ProgressStatus,
    Resource,
    ReviewRequest,
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
    with run_once("daily-cleanup", "2026-12-01"):
        pass


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
