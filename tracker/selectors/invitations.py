"""The invitation a signed link names (tracker.rules.invitation_links), in one query."""

from tracker.models import Mentorship
from tracker.rules.invitation_links import address_digest


def invitation_get(*, mentorship_id: int, digest: str) -> Mentorship | None:
    """The invitation, with its learner; None when there is none or the link was made
    for another address than the one it records."""
    mentorship = (
        Mentorship.objects.select_related("mentee__profile").filter(pk=mentorship_id).first()
    )
    if mentorship is None or address_digest(mentorship.invited_as) != digest:
        return None
    return mentorship
