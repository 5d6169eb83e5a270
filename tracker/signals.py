"""Versions that key the caches of every web process, so that no cached part is stale.

Any change to a guide's content bumps its ``content_version`` (see
selectors.guide_content); any change to a learner's progress or reviews bumps their
profile's ``progress_version`` (see tracker.fragments), and so does any change to their
profile or account (a display name, a username). ``QuerySet.update()`` sends no
signal: code that changes these rows in bulk calls the function itself.
"""

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save

from tracker.models import (
    OPEN_MENTORSHIP,
    Advice,
    CareerStage,
    Guide,
    ImpactArea,
    Mentorship,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Profile,
    Progress,
    Resource,
    ReviewRequest,
    SalaryBand,
)

User = get_user_model()


def content_changed(*, guide_ids=None, milestone_ids=None) -> None:
    guides = Guide.objects.all()
    if guide_ids is not None:
        guides = guides.filter(pk__in=guide_ids)
    if milestone_ids is not None:
        guides = guides.filter(milestones__in=milestone_ids)
    Guide.objects.filter(pk__in=guides.values("pk")).update(
        content_version=F("content_version") + 1
    )


def learner_data_changed(*, learner_ids=None, progress_ids=None, as_mentor=False) -> None:
    """Bump the learners' ``progress_version`` and that of their open mentorships as
    mentee (as mentor too with ``as_mentor``: a name shown on their mentees' pages)."""
    if progress_ids is not None:
        learner_ids = Progress.objects.filter(pk__in=progress_ids).values("learner_id")
    Profile.objects.filter(user_id__in=learner_ids).update(
        progress_version=F("progress_version") + 1
    )
    people = Q(mentee_id__in=learner_ids)
    if as_mentor:
        people |= Q(mentor_id__in=learner_ids)
    Mentorship.objects.filter(OPEN_MENTORSHIP, people).update(data_version=F("data_version") + 1)


def _on_person(sender, instance, created=False, update_fields=None, **kwargs):
    if created or update_fields == LOGIN_ONLY:
        return
    person_id = instance.pk if sender is User else instance.user_id
    learner_data_changed(learner_ids=[person_id], as_mentor=True)
    if sender is User:
        # A username shows beside every review its owner gave, on their mentees' pages.
        mentees = Mentorship.objects.filter(mentor_id=person_id).values("mentee_id")
        learner_data_changed(learner_ids=mentees)


LOGIN_ONLY = frozenset({"last_login"})  # what logging in saves: shown nowhere


def _on_progress(sender, instance, **kwargs):
    learner_data_changed(learner_ids=[instance.learner_id])


def _on_review(sender, instance, **kwargs):
    learner_data_changed(progress_ids=[instance.progress_id])


def _on_guide_part(sender, instance, **kwargs):
    content_changed(guide_ids=[instance.guide_id])


def _on_milestone_part(sender, instance, **kwargs):
    content_changed(milestone_ids=[instance.milestone_id])


def connect() -> None:
    for model in (CareerStage, Pillar, Milestone, SalaryBand, Advice, ImpactArea):
        post_save.connect(_on_guide_part, sender=model, dispatch_uid=f"content-{model.__name__}")
        post_delete.connect(
            _on_guide_part, sender=model, dispatch_uid=f"content-del-{model.__name__}"
        )
    for model in (Resource, MilestonePrerequisite):
        post_save.connect(
            _on_milestone_part, sender=model, dispatch_uid=f"content-{model.__name__}"
        )
        post_delete.connect(
            _on_milestone_part, sender=model, dispatch_uid=f"content-del-{model.__name__}"
        )
    post_save.connect(_on_progress, sender=Progress, dispatch_uid="learner-progress")
    post_delete.connect(_on_progress, sender=Progress, dispatch_uid="learner-del-progress")
    post_save.connect(_on_review, sender=ReviewRequest, dispatch_uid="learner-review")
    post_delete.connect(_on_review, sender=ReviewRequest, dispatch_uid="learner-del-review")
    post_save.connect(_on_person, sender=Profile, dispatch_uid="learner-profile")
    post_save.connect(_on_person, sender=User, dispatch_uid="learner-account")
