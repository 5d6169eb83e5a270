"""The versions that key the cached pages (tracker.caching.versions) only ever go up, and
only for a change that a page shows."""

import pytest

from tests.conftest import PASSWORD
from tracker.models import Guide, Profile

pytestmark = pytest.mark.django_db


def test_saving_a_stale_copy_never_lowers_a_version(learner, milestones, complete):
    """A form or the admin saves a profile, guide or mentorship loaded before a write."""
    stale_profile = Profile.objects.get(user=learner)
    guide = milestones[0].guide
    stale_guide = Guide.objects.get(pk=guide.pk)
    complete(learner, milestones[:1])
    milestones[0].save()  # a content edit
    fresh_profile = Profile.objects.get(user=learner)
    fresh_guide = Guide.objects.get(pk=guide.pk)

    stale_profile.display_name = "Ada"
    stale_profile.save()
    stale_guide.title = "Renamed"
    stale_guide.save()

    saved_profile = Profile.objects.get(user=learner)
    assert saved_profile.display_name == "Ada"
    assert saved_profile.progress_version > fresh_profile.progress_version
    assert saved_profile.last_active_at == fresh_profile.last_active_at
    saved_guide = Guide.objects.get(pk=guide.pk)
    assert saved_guide.title == "Renamed"
    # Saving the guide itself bumps its version (it no longer keys pages by updated_at).
    assert saved_guide.content_version > fresh_guide.content_version


def test_logging_in_keeps_the_cached_pages(client, learner):
    """A login saves only last_login, which no page shows."""
    before = Profile.objects.get(user=learner).progress_version

    assert client.login(username="learner", password=PASSWORD)

    assert Profile.objects.get(user=learner).progress_version == before
