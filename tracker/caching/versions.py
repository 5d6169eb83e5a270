"""Where every version goes up: the one half of the cache rule (``keys`` is the other).

- ``Guide.content_version``: any change to a guide or its stages, pillars, milestones,
  prerequisites, resources, salary bands, advice or impact areas; a milestone's change
  and a prerequisite's also bump the guides at the other end of its prerequisites.
- ``Profile.progress_version``: any change to the learner's progress, reviews, profile or
  account (a display name, a username), so their own pages are rendered afresh.
- ``Profile.history_version``: with ``progress_version``, when the learner's history
  changes: a done row saved (a completion), a progress row deleted, a review request
  saved or closed, a reviewing mentor's account, the content of a guide they have review
  requests on. A status change to anything but done keeps it.
- ``Mentorship.data_version``: with the mentee's ``progress_version``, and with either
  person's profile or account, so both sides' mentoring pages are rendered afresh.
- ``Profile.attention_version``: a message in a thread the person takes part in, their
  reading one, a change to a mentorship of theirs as mentor (``attention_changed``). It
  also keys what the learner's threads add up to (the dashboard's "needs work").

Receivers below catch every ``save()`` and ``delete()``. ``QuerySet.update()`` sends no
signal: code that writes these rows in bulk (the services, ``guide_load``) calls
``content_changed`` or ``learner_data_changed`` itself. ``loaddata`` saves rows raw, with
the versions they had when they were dumped: after it commits, every version goes up and
the cache is emptied, since a restored version may equal one already cached for other
content.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save

from tracker.caching import content, fragments
from tracker.models import (
    OPEN_MENTORSHIP,
    Advice,
    CareerStage,
    Guide,
    ImpactArea,
    Mentorship,
    MentorshipStatus,
    Milestone,
    MilestonePrerequisite,
    Pillar,
    Profile,
    Progress,
    ProgressStatus,
    Resource,
    ReviewRequest,
    SalaryBand,
)

User = get_user_model()

LOGIN_ONLY = frozenset({"last_login"})  # what logging in saves: shown nowhere


def content_changed(*, guide_ids=None, milestone_ids=None, linked_to=None) -> None:
    """Bump the ``content_version`` of these guides (all of them without arguments), and
    with ``linked_to`` (a milestone's id) that of every guide with a milestone it requires
    or that requires it: a milestone's page lists the titles of both. The versions of
    learners with review requests on them go up too: a dashboard lists reviews of
    milestones of any guide, not only of the one it shows."""
    guides = Guide.objects.all()
    if guide_ids is not None:
        guides = guides.filter(pk__in=guide_ids)
    if milestone_ids is not None:
        guides = guides.filter(milestones__in=milestone_ids)
    if linked_to is not None:
        links = MilestonePrerequisite.objects.filter(
            Q(milestone_id=linked_to) | Q(prerequisite_id=linked_to)
        )
        guides = Guide.objects.filter(
            Q(pk__in=guides.values("pk"))
            | Q(milestones__in=links.values("milestone_id"))
            | Q(milestones__in=links.values("prerequisite_id"))
        )
    changed = Guide.objects.filter(pk__in=guides.values("pk"))
    changed.update(content_version=F("content_version") + 1)
    reviewed = ReviewRequest.objects.filter(progress__milestone__guide__in=changed.values("pk"))
    learner_data_changed(learner_ids=reviewed.values("progress__learner_id"), history=True)


def learner_data_changed(
    *, learner_ids=None, progress_ids=None, as_mentor=False, history=False
) -> None:
    """Bump the learners' ``progress_version`` (and ``history_version`` with ``history``)
    and that of their open mentorships as mentee (as mentor too with ``as_mentor``: a name
    shown on their mentees' pages)."""
    if progress_ids is not None:
        learner_ids = Progress.objects.filter(pk__in=progress_ids).values("learner_id")
    elif isinstance(learner_ids, list) and not as_mentor:
        _learners_bumped(learner_ids, history=history)
        return
    bumps = {"progress_version": F("progress_version") + 1}
    if history:
        bumps["history_version"] = F("history_version") + 1
    Profile.objects.filter(user_id__in=learner_ids).update(**bumps)
    people = Q(mentee_id__in=learner_ids)
    if as_mentor:
        people |= Q(mentor_id__in=learner_ids)
    Mentorship.objects.filter(OPEN_MENTORSHIP, people).update(data_version=F("data_version") + 1)


def _learners_bumped(learner_ids: list[int], *, history: bool) -> None:
    """``learner_data_changed`` for a list of learners, as after each of their writes:
    the same two updates in plain SQL, which costs a fraction of compiling them."""
    if not learner_ids:
        return
    ids = ", ".join(["%s"] * len(learner_ids))
    history_bump = ", history_version = history_version + 1" if history else ""
    profiles = (
        f"UPDATE {Profile._meta.db_table} SET progress_version = progress_version + 1"
        f"{history_bump} WHERE user_id IN ({ids})"
    )
    mentorships = (
        f"UPDATE {Mentorship._meta.db_table} SET data_version = data_version + 1"
        f" WHERE status IN (%s, %s) AND mentee_id IN ({ids})"
    )
    mentorship_params = [MentorshipStatus.PENDING, MentorshipStatus.ACTIVE, *learner_ids]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip to the server instead of two.
            cursor.execute(
                f"WITH profiles AS ({profiles}) {mentorships}", [*learner_ids, *mentorship_params]
            )
        else:
            cursor.execute(profiles, learner_ids)
            cursor.execute(mentorships, mentorship_params)


def attention_changed(*, person_ids) -> None:
    """Bump ``Profile.attention_version`` of these people: what waits for them (the count
    in every page's header, ``keys.attention_key``) may have changed."""
    Profile.objects.filter(user_id__in=person_ids).update(
        attention_version=F("attention_version") + 1
    )


def everything_changed() -> None:
    """Every version up and every cached page gone: after rows were written raw."""
    Guide.objects.update(content_version=F("content_version") + 1)
    Profile.objects.update(progress_version=F("progress_version") + 1)
    Mentorship.objects.update(data_version=F("data_version") + 1)
    Profile.objects.update(attention_version=F("attention_version") + 1)
    Profile.objects.update(history_version=F("history_version") + 1)
    content.clear()
    fragments.clear()
    cache.clear()


def _on_raw_save() -> None:
    """Once per transaction of raw saves (a ``loaddata``), when it commits."""
    pending = transaction.get_connection().run_on_commit
    if not any(callback is everything_changed for _, callback, _ in pending):
        transaction.on_commit(everything_changed)


def _on_person(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    if raw:
        _on_raw_save()
        return
    if created or update_fields == LOGIN_ONLY:
        return
    person_id = instance.pk if sender is User else instance.user_id
    learner_data_changed(learner_ids=[person_id], as_mentor=True)
    if sender is User:
        # A username shows beside every review its owner gave, on their mentees' pages.
        mentees = Mentorship.objects.filter(mentor_id=person_id).values("mentee_id")
        learner_data_changed(learner_ids=mentees, history=True)


def _on_progress(sender, instance, raw=False, signal=None, **kwargs):
    if raw:
        _on_raw_save()
        return
    # A done row saved may be a new completion (the activity chart); a row deleted takes
    # its reviews with it. Review requests closed in bulk are the service's to tell.
    history = signal is post_delete or instance.status == ProgressStatus.DONE
    learner_data_changed(learner_ids=[instance.learner_id], history=history)


def _on_review(sender, instance, raw=False, **kwargs):
    if raw:
        _on_raw_save()
        return
    learner_data_changed(progress_ids=[instance.progress_id], history=True)


def _on_guide(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        _on_raw_save()
        return
    if not created:
        content_changed(guide_ids=[instance.pk])


def _on_guide_part(sender, instance, raw=False, **kwargs):
    if raw:
        _on_raw_save()
        return
    content_changed(guide_ids=[instance.guide_id])


def _on_milestone(sender, instance, raw=False, **kwargs):
    if raw:
        _on_raw_save()
        return
    content_changed(guide_ids=[instance.guide_id], linked_to=instance.pk)


def _on_milestone_part(sender, instance, raw=False, **kwargs):
    if raw:
        _on_raw_save()
        return
    content_changed(milestone_ids=[instance.milestone_id])


def _on_prerequisite(sender, instance, raw=False, **kwargs):
    if raw:
        _on_raw_save()
        return
    # Both ends: the prerequisite's page lists what it opens the way to.
    content_changed(milestone_ids=[instance.milestone_id, instance.prerequisite_id])


def _on_mentorship(sender, instance, raw=False, **kwargs):
    if raw:
        _on_raw_save()
        return
    # Whose threads wait for the mentor changes with the mentorship's status.
    attention_changed(person_ids=[instance.mentor_id])


def connect() -> None:
    """Called once, from the app's ``ready()``."""
    receivers = [
        (_on_guide, [Guide]),
        (_on_guide_part, [CareerStage, Pillar, SalaryBand, Advice, ImpactArea]),
        (_on_milestone, [Milestone]),
        (_on_milestone_part, [Resource]),
        (_on_prerequisite, [MilestonePrerequisite]),
        (_on_progress, [Progress]),
        (_on_review, [ReviewRequest]),
        (_on_mentorship, [Mentorship]),
    ]
    for receiver, models in receivers:
        for model in models:
            uid = f"versions-{receiver.__name__}-{model.__name__}"
            post_save.connect(receiver, sender=model, dispatch_uid=uid)
            post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")
    for model in (Profile, User):
        post_save.connect(_on_person, sender=model, dispatch_uid=f"versions-person-{model}")
