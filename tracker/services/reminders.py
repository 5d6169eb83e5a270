"""Writes for scheduled mail and the calendar: a person's mail preferences, the secret of
their calendar feed, unsubscribing, and the hourly job that records and enqueues each
weekly digest, quiet-spell reminder and mentors' list of waiting reviews.

The job (``scheduled_mails_send``, run by ``tracker.tasks.scheduled_mails``) records each
mail as a :class:`ScheduledMail` unique per person, kind and period, in the same
transaction as the mail itself (the outbox): a rerun, a second scheduler or a retry finds
the record and sends nothing again. It works in batches whose cost in queries is fixed,
whatever the number of people in them.
"""

import dataclasses
import datetime
import logging
from collections import Counter

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tracker.models import (
    MailKind,
    MailPreferences,
    ScheduledMail,
    calendar_token_new,
    display_name,
)
from tracker.rules import digest as rules
from tracker.selectors import reminders as selectors
from tracker.services import notifications
from tracker.signed_links import unsubscribe_headers, unsubscribe_url

logger = logging.getLogger(__name__)

# Notification rows are the widest insert of a batch: 90 of them fit in one statement
# even where the database takes only 999 parameters a query (older SQLite).
BATCH_SIZE = 90

TEMPLATES = {
    MailKind.WEEKLY_DIGEST: "weekly_digest",
    MailKind.INACTIVITY: "inactivity_reminder",
    MailKind.MENTOR_REVIEWS: "mentor_reviews",
}


def mail_preferences_get_or_create(*, user: AbstractBaseUser) -> MailPreferences:
    """The person's mail preferences, made (every mail off) on first use."""
    try:
        return user.mail_preferences
    except MailPreferences.DoesNotExist:
        pass
    preferences, _ = MailPreferences.objects.get_or_create(user=user)
    user.mail_preferences = preferences
    return preferences


@transaction.atomic
def mail_preferences_update(  # noqa: PLR0913 (each preference by name: keyword-only)
    *,
    user: AbstractBaseUser,
    weekly_digest: bool,
    weekday: int,
    hour: int,
    inactivity_days: int | None,
    mentor_reviews: bool,
) -> MailPreferences:
    """Save what the person chose; the digest counts as chosen explicitly from now on."""
    mail_preferences_get_or_create(user=user)
    preferences = MailPreferences.objects.select_for_update().get(user=user)
    preferences.weekly_digest = weekly_digest
    preferences.digest_chosen_at = timezone.now()
    preferences.weekday = weekday
    preferences.hour = hour
    preferences.inactivity_days = inactivity_days
    preferences.mentor_reviews = mentor_reviews
    preferences.full_clean()
    preferences.save()
    user.mail_preferences = preferences
    return preferences


@transaction.atomic
def weekly_digest_choose(*, user: AbstractBaseUser, wanted: bool) -> MailPreferences:
    """The explicit yes or no to the weekly digest (asked during onboarding)."""
    mail_preferences_get_or_create(user=user)
    preferences = MailPreferences.objects.select_for_update().get(user=user)
    preferences.weekly_digest = wanted
    preferences.digest_chosen_at = timezone.now()
    preferences.save(update_fields=["weekly_digest", "digest_chosen_at"])
    user.mail_preferences = preferences
    return preferences


@transaction.atomic
def calendar_token_reset(*, user: AbstractBaseUser) -> MailPreferences:
    """A new secret for the calendar feed: the old address answers 404 from now on."""
    mail_preferences_get_or_create(user=user)
    preferences = MailPreferences.objects.select_for_update().get(user=user)
    preferences.calendar_token = calendar_token_new()
    preferences.save(update_fields=["calendar_token"])
    user.mail_preferences = preferences
    return preferences


@transaction.atomic
def mail_kind_turn_off(*, user_id: int, kind: MailKind) -> bool:
    """Stop one kind of scheduled mail for this person (the unsubscribe link); False when
    the person no longer exists."""
    preferences = MailPreferences.objects.select_for_update().filter(user_id=user_id).first()
    if preferences is None:
        return False
    if kind == MailKind.WEEKLY_DIGEST:
        preferences.weekly_digest = False
        preferences.digest_chosen_at = timezone.now()
    elif kind == MailKind.INACTIVITY:
        preferences.inactivity_days = None
    else:
        preferences.mentor_reviews = False
    preferences.save()
    return True


@dataclasses.dataclass(frozen=True)
class Due:
    """One scheduled mail that is due now, for one person."""

    preferences: MailPreferences
    kind: MailKind
    period: str

    @property
    def user_id(self) -> int:
        return self.preferences.user_id


def mails_due(preferences: MailPreferences, now: datetime.datetime) -> list[Due]:
    profile = preferences.user.profile
    local_now = timezone.localtime(now, profile.zone)
    week = rules.iso_week(local_now.date())
    weekly = rules.weekly_mail_due(
        local_now=local_now, weekday=preferences.weekday, hour=preferences.hour
    )
    due = []
    if preferences.weekly_digest and weekly:
        due.append(Due(preferences, MailKind.WEEKLY_DIGEST, week))
    if preferences.mentor_reviews and weekly:
        due.append(Due(preferences, MailKind.MENTOR_REVIEWS, week))
    spell = rules.quiet_spell_start(
        last_active=profile.last_active_at, joined=preferences.user.date_joined
    )
    if rules.reminder_due(
        now=now,
        local_now=local_now,
        spell_start=spell,
        days=preferences.inactivity_days,
        hour=preferences.hour,
    ):
        period = "quiet-since-" + spell.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        due.append(Due(preferences, MailKind.INACTIVITY, period))
    return due


def scheduled_mails_send(
    *, now: datetime.datetime | None = None, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """Record and enqueue every scheduled mail that is due now and not yet recorded for its
    period; how many of each kind were recorded."""
    now = now or timezone.now()
    due = [
        item
        for preferences in selectors.mail_candidates_get()
        for item in mails_due(preferences, now)
    ]
    choose_guide = selectors.GuideChooser()
    recorded: Counter = Counter()
    for start in range(0, len(due), batch_size):
        batch = due[start : start + batch_size]
        try:
            recorded.update(_batch_send(batch, now=now, choose_guide=choose_guide))
        except IntegrityError:
            # Another run recorded some of these meanwhile: this batch sent nothing, and
            # the next run finds what is still due.
            logger.warning("Scheduled mail: a batch of %d met another run; skipped.", len(batch))
    return {kind.value: recorded[kind] for kind in MailKind}


@transaction.atomic
def _batch_send(batch: list[Due], *, now: datetime.datetime, choose_guide) -> Counter:
    already = selectors.scheduled_mails_recorded(
        user_ids={item.user_id for item in batch}, periods={item.period for item in batch}
    )
    batch = [item for item in batch if (item.user_id, item.kind, item.period) not in already]
    learners = [
        item.preferences.user.profile for item in batch if item.kind != MailKind.MENTOR_REVIEWS
    ]
    weeks = selectors.learner_weeks_get(
        profiles=list({p.user_id: p for p in learners}.values()), now=now, choose_guide=choose_guide
    )
    mentor_ids = [item.user_id for item in batch if item.kind == MailKind.MENTOR_REVIEWS]
    reviews = selectors.waiting_reviews_by_mentor(mentor_ids=mentor_ids) if mentor_ids else {}
    records, mails = [], []
    for item in batch:
        built = _mail_for(item, weeks=weeks, reviews=reviews)
        if built is None:
            continue
        record, context = built
        user = item.preferences.user
        records.append(record)
        mails.append(
            notifications.Mail(
                key=f"{item.kind}:{user.pk}:{item.period}",
                recipient=user.email,
                template=TEMPLATES[item.kind],
                context={
                    "name": display_name(user),
                    "unsubscribe_url": unsubscribe_url(user_id=user.pk, kind=item.kind),
                    "dashboard_path": reverse("tracker:dashboard"),
                    "settings_path": reverse("tracker:settings"),
                    **context,
                },
                headers=unsubscribe_headers(user_id=user.pk, kind=item.kind),
            )
        )
    ScheduledMail.objects.bulk_create(records)
    notifications.notifications_record_many(mails=mails)
    return Counter(record.kind for record in records)


def _mail_for(item: Due, *, weeks, reviews) -> tuple[ScheduledMail, dict] | None:
    """The record and the mail's context, or None when there is nothing to tell."""
    record = ScheduledMail(user_id=item.user_id, kind=item.kind, period=item.period)
    if item.kind == MailKind.MENTOR_REVIEWS:
        waiting = reviews.get(item.user_id)
        if not waiting:
            return None
        return record, {"reviews": waiting, "count": len(waiting)}
    week = weeks.get(item.user_id)
    if week is None:
        return None  # no published guide to speak of
    projection = week.projection
    stage_date, projected = rules.next_stage_date(projection)
    context = {
        "guide": week.guide.title,
        "next_up": rules.this_weeks_next(projection),
        "stage": stage_date.stage.name if stage_date else "",
        "stage_on": projected,
        "remaining_hours": stage_date.remaining_hours if stage_date else 0,
        "everything_done": projection.everything_done,
        "pace": projection.declared_pace,
        "kept_pace": projection.kept_pace,
    }
    if item.kind == MailKind.INACTIVITY:
        context["days"] = item.preferences.inactivity_days
        return record, context
    record.next_stage_id = stage_date.stage.id if stage_date else None
    record.next_stage_on = projected
    move = rules.date_move(
        stage_id=record.next_stage_id,
        projected=projected,
        previous_stage_id=item.preferences.last_stage_id,
        previous=item.preferences.last_stage_on,
        everything_done=projection.everything_done,
    )
    context.update(
        finished=week.finished_last_week,
        finished_hours=sum(m.estimated_hours for m in week.finished_last_week),
        move=move,
    )
    return record, context
