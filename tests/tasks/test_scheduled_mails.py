"""The hourly job sends each weekly digest, quiet-spell reminder and mentors' list once, at
the person's own local day and hour, in a fixed number of queries per batch."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tracker.models import (
    MailKind,
    MailPreferences,
    Notification,
    Profile,
    Progress,
    ReviewRequest,
    ScheduledMail,
)
from tracker.services.reminders import mail_kind_turn_off, scheduled_mails_send
from tracker.tasks import scheduled_mails

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Monday 7 December 2026, 08:30 in Paris (07:30 UTC): ISO week 2026-W50.
MONDAY_MORNING = datetime.datetime(2026, 12, 7, 8, 30, tzinfo=PARIS)


def opt_in(user, *, digest=True, weekday=1, hour=8, zone="Europe/Paris", **extra):
    Profile.objects.filter(user=user).update(time_zone=zone, hours_per_week=10)
    return MailPreferences.objects.update_or_create(
        user=user,
        defaults={"weekly_digest": digest, "weekday": weekday, "hour": hour, **extra},
    )[0]


def finish(user, milestone, on: datetime.datetime):
    Progress.objects.update_or_create(
        learner=user,
        milestone=milestone,
        defaults={"status": "done", "started_at": on, "completed_at": on},
    )


def test_the_digest_goes_at_the_local_hour_once_per_week(guide, m, learner):
    opt_in(learner)
    finish(learner, m[0], MONDAY_MORNING - datetime.timedelta(days=3))  # last Friday

    early = scheduled_mails_send(now=MONDAY_MORNING - datetime.timedelta(hours=1))
    assert early[MailKind.WEEKLY_DIGEST] == 0
    sent = scheduled_mails_send(now=MONDAY_MORNING)
    again = scheduled_mails_send(now=MONDAY_MORNING + datetime.timedelta(hours=2))

    assert sent[MailKind.WEEKLY_DIGEST] == 1
    assert again[MailKind.WEEKLY_DIGEST] == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["learner@example.com"]
    assert "Milestone 0 (~10 h)" in message.body
    assert "You finished 1 milestone, about 10 hours" in message.body
    assert "Next up:" in message.body or "next up:" in message.body
    assert "first digest" in message.body
    record = ScheduledMail.objects.get()
    assert (record.kind, record.period) == (MailKind.WEEKLY_DIGEST, "2026-W50")
    assert record.next_stage_on is not None


def test_a_learner_in_another_time_zone_gets_it_at_their_own_hour(guide, learner):
    opt_in(learner, zone="America/New_York")  # 08:00 in New York is 14:00 in Paris

    assert scheduled_mails_send(now=MONDAY_MORNING)[MailKind.WEEKLY_DIGEST] == 0
    later = MONDAY_MORNING + datetime.timedelta(hours=6)
    assert scheduled_mails_send(now=later)[MailKind.WEEKLY_DIGEST] == 1


def test_a_missed_day_is_not_caught_up_later_in_the_week(guide, learner):
    opt_in(learner)
    tuesday = MONDAY_MORNING + datetime.timedelta(days=1)
    assert scheduled_mails_send(now=tuesday)[MailKind.WEEKLY_DIGEST] == 0
    assert not mail.outbox


def test_the_next_digest_says_how_the_projected_date_moved(guide, m, learner):
    opt_in(learner)
    scheduled_mails_send(now=MONDAY_MORNING)
    first = ScheduledMail.objects.get()
    # Over the week, the learner finishes a foundation milestone: the stage comes sooner.
    finish(learner, m[1], MONDAY_MORNING + datetime.timedelta(days=2))

    scheduled_mails_send(now=MONDAY_MORNING + datetime.timedelta(weeks=1))

    second = ScheduledMail.objects.exclude(pk=first.pk).get()
    assert second.period == "2026-W51"
    assert second.next_stage_id == first.next_stage_id
    moved = (first.next_stage_on - second.next_stage_on).days
    assert moved > 0
    body = mail.outbox[-1].body
    assert f"That is {moved} day{'s' if moved > 1 else ''} earlier than last week" in body
    assert "Milestone 1" in body


def test_every_mail_carries_one_click_unsubscribe_headers(guide, learner):
    opt_in(learner)
    scheduled_mails_send(now=MONDAY_MORNING)

    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"]
    assert link.startswith("<http://testserver/unsubscribe/")
    assert link.endswith("/>")
    assert link[1:-1] in mail.outbox[0].body


def test_nobody_gets_a_digest_without_opting_in(guide, learner, make_user):
    MailPreferences.objects.create(user=learner)  # the defaults: everything off
    make_user("no-preferences")
    assert sum(scheduled_mails_send(now=MONDAY_MORNING).values()) == 0
    assert not mail.outbox


def test_an_unsubscribed_learner_gets_nothing_more(guide, learner):
    opt_in(learner)
    mail_kind_turn_off(user_id=learner.pk, kind=MailKind.WEEKLY_DIGEST)
    assert scheduled_mails_send(now=MONDAY_MORNING)[MailKind.WEEKLY_DIGEST] == 0


def test_the_inactivity_reminder_comes_once_per_quiet_spell(guide, m, learner):
    opt_in(learner, digest=False, inactivity_days=7)
    quiet_since = MONDAY_MORNING - datetime.timedelta(days=8)
    Profile.objects.filter(user=learner).update(last_active_at=quiet_since)

    assert scheduled_mails_send(now=MONDAY_MORNING)[MailKind.INACTIVITY] == 1
    tomorrow = MONDAY_MORNING + datetime.timedelta(days=1)
    assert scheduled_mails_send(now=tomorrow)[MailKind.INACTIVITY] == 0
    assert "Milestone 0" in mail.outbox[0].subject
    assert "7 days or more" in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in mail.outbox[0].extra_headers["List-Unsubscribe"]

    # Active again, then quiet again for a week: a new spell, one new reminder.
    Profile.objects.filter(user=learner).update(last_active_at=tomorrow)
    assert scheduled_mails_send(now=tomorrow + datetime.timedelta(days=3))[MailKind.INACTIVITY] == 0
    assert scheduled_mails_send(now=tomorrow + datetime.timedelta(days=8))[MailKind.INACTIVITY] == 1
    assert len(mail.outbox) == 2


def test_mentors_get_their_waiting_reviews_only_when_there_are_some(
    guide, m, learner, mentor, make_mentorship, complete
):
    opt_in(mentor, digest=False, mentor_reviews=True)
    assert scheduled_mails_send(now=MONDAY_MORNING)[MailKind.MENTOR_REVIEWS] == 0

    mentorship = make_mentorship(mentor, learner)
    complete(learner, [m[0]])
    ReviewRequest.objects.create(
        progress=Progress.objects.get(milestone=m[0]), mentorship=mentorship
    )
    next_week = MONDAY_MORNING + datetime.timedelta(weeks=1)
    assert scheduled_mails_send(now=next_week)[MailKind.MENTOR_REVIEWS] == 1

    message = mail.outbox[0]
    assert message.subject == "1 review waiting for you on CareerPath"
    assert "“Milestone 0”" in message.body
    assert "http://testserver/mentoring/mentees/learner/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_mentors_list_leaves_out_ended_mentorships(
    guide, m, learner, mentor, make_mentorship, complete
):
    opt_in(mentor, digest=False, mentor_reviews=True)
    mentorship = make_mentorship(mentor, learner)
    complete(learner, [m[0]])
    ReviewRequest.objects.create(
        progress=Progress.objects.get(milestone=m[0]), mentorship=mentorship
    )
    mentorship.status = "ended"
    mentorship.ended_at = timezone.now()
    mentorship.save()

    assert scheduled_mails_send(now=MONDAY_MORNING)[MailKind.MENTOR_REVIEWS] == 0
    assert not mail.outbox


def test_a_second_scheduler_in_the_same_hour_sends_nothing(guide, learner):
    opt_in(learner, hour=0, weekday=timezone.localtime(timezone.now(), PARIS).isoweekday())
    first = scheduled_mails.enqueue()
    second = scheduled_mails.enqueue()
    assert "'weekly_digest': 1" in first.return_value
    assert "has already run" in second.return_value
    assert Notification.objects.count() == 1


@pytest.mark.parametrize("learners", [1, 12])
def test_the_job_costs_the_same_for_one_learner_or_many(
    guide, m, make_user, settings, learners, mentor, make_mentorship
):
    """Queries per batch are fixed: one or twelve learners, digests, reminders and a
    mentor's list cost the same."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    for n in range(learners):
        user = make_user(f"learner-{n}")
        opt_in(user, inactivity_days=3)
        finish(user, m[n % 3], MONDAY_MORNING - datetime.timedelta(days=2))
        Profile.objects.filter(user=user).update(
            last_active_at=MONDAY_MORNING - datetime.timedelta(days=5)
        )
        mentorship = make_mentorship(mentor, user)
        ReviewRequest.objects.create(
            progress=Progress.objects.get(learner=user, milestone=m[n % 3]), mentorship=mentorship
        )
    opt_in(mentor, digest=False, mentor_reviews=True)
    scheduled_mails_send(now=MONDAY_MORNING - datetime.timedelta(days=7))  # warm the caches
    before = Notification.objects.count()

    with CaptureQueriesContext(connection) as queries:
        sent = scheduled_mails_send(now=MONDAY_MORNING)

    assert sent == {
        MailKind.WEEKLY_DIGEST: learners,
        MailKind.INACTIVITY: learners,
        MailKind.MENTOR_REVIEWS: 1,
    }
    assert Notification.objects.count() - before == 2 * learners + 1
    assert len(queries) <= 9, "\n".join(q["sql"] for q in queries.captured_queries)


def test_the_scheduler_enqueues_the_job_every_hour():
    from crontask import scheduler  # noqa: PLC0415

    jobs = {job.name: job for job in scheduler.get_jobs()}
    trigger = jobs["scheduled_mails"].trigger
    fields = {field.name: str(field) for field in trigger.fields}
    assert (fields["minute"], fields["hour"], fields["day_of_week"]) == ("5", "*", "*")
