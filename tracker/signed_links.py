"""Signed links that act without logging in: today, the unsubscribe link of each scheduled
mail. The signature carries the person and the mail kind, salted for this one purpose, so
a link made for anything else (or edited by hand) is refused."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from tracker.models import MailKind

UNSUBSCRIBE_SALT = "tracker.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: MailKind


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user_id, "k": str(kind)})


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    """The whole address, for mail (``SITE_URL``)."""
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("tracker:unsubscribe", kwargs={"token": token})


def unsubscribe_read(token: str) -> Unsubscribe | None:
    """What a link asks for, or None when its signature or content is not ours."""
    try:
        payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    if not isinstance(payload, dict):
        return None
    user_id, kind = payload.get("u"), payload.get("k")
    if not isinstance(user_id, int) or kind not in MailKind.values:
        return None
    return Unsubscribe(user_id=user_id, kind=MailKind(kind))


def unsubscribe_headers(*, user_id: int, kind: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST ``List-Unsubscribe=One-Click``."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user_id=user_id, kind=kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
