"""The signed link an invitation mail carries: it names one invitation and the address it
was sent to (by a digest: signed values are readable, and links end up in logs), and works
for ``INVITATION_MAX_AGE_DAYS`` days. The signature is the whole
credential (whoever holds the mail may answer); that the invitation is still open is
checked against the database by the view that reads it."""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "tracker.invitation-link"


class LinkInvalid(Exception):
    """Not a link CareerPath made: mistyped, cut short or changed."""


class LinkExpired(Exception):
    """A genuine link, older than ``INVITATION_MAX_AGE_DAYS``."""


@dataclass(frozen=True)
class InvitationLink:
    mentorship_id: int
    address_digest: str


def address_digest(address: str) -> str:
    """The address as typed, without case or surrounding spaces, as a short digest."""
    return hashlib.blake2b(address.strip().lower().encode(), digest_size=9).hexdigest()


def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def make_token(*, mentorship_id: int, address: str) -> str:
    return signing.dumps({"m": mentorship_id, "a": address_digest(address)}, salt=SALT)


def read_token(token: str) -> InvitationLink:
    """What ``token`` names; LinkExpired or LinkInvalid when it cannot be used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise LinkInvalid from error
    if not (isinstance(data, dict) and isinstance(data.get("m"), int)):
        raise LinkInvalid
    return InvitationLink(mentorship_id=data["m"], address_digest=str(data.get("a", "")))
