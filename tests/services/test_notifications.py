"""Mail is recorded once per event, from templates, with links to this site."""

import pytest
from django.core import mail
from django.urls import reverse

from tracker.models import Notification
from tracker.services.mentoring import mentorship_invite
from tracker.services.notifications import notification_record

pytestmark = pytest.mark.django_db


def test_an_invitation_mail_links_to_the_site(learner, mentor, settings):
    learner.profile.display_name = "Ada Lovelace"
    learner.profile.save()

    mentorship_invite(mentee=learner, identifier="mentor")

    [email] = mail.outbox
    assert email.to == [mentor.email]
    assert email.subject == "Ada Lovelace asks you to be their mentor on CareerPath"
    assert f"{settings.SITE_URL}{reverse('tracker:mentoring')}" in email.body
    assert Notification.objects.get().sent_at is not None


def test_an_event_is_mailed_once_whatever_asks_twice(mentor):
    context = {"mentee_name": "Ada", "mentoring_path": "/mentoring/"}
    first = notification_record(
        key="invitation:1", recipient=mentor.email, template="invitation", context=context
    )
    again = notification_record(
        key="invitation:1", recipient=mentor.email, template="invitation", context=context
    )

    assert first is not None
    assert again is None
    assert len(mail.outbox) == 1


def test_nobody_without_an_address_is_mailed(mentor):
    recorded = notification_record(
        key="invitation:2", recipient="", template="invitation", context={"mentee_name": "A"}
    )
    assert recorded is None
    assert not Notification.objects.exists()
