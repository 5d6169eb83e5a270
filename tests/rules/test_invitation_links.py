"""The signed invitation link, without a database."""

import time

import pytest
from django.core import signing

from tracker.rules.invitation_links import (
    SALT,
    LinkExpired,
    LinkInvalid,
    address_digest,
    make_token,
    read_token,
)


def test_a_link_names_its_invitation_and_the_address_whatever_its_case():
    token = make_token(mentorship_id=42, address=" Ada@Example.com ")
    link = read_token(token)

    assert link.mentorship_id == 42
    assert link.address_digest == address_digest("ada@example.com")
    assert link.address_digest != address_digest("bob@example.com")
    assert "ada" not in signing.b64_decode(token.split(":")[0].encode()).decode().lower()


@pytest.mark.parametrize(
    "tampered",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(token.split(":")[0], signing.dumps({"m": 43}, salt=SALT)),
        lambda token: token[: len(token) // 2],
        lambda token: "",
        lambda token: "x" * 300,
        lambda token: "%00",
    ],
)
def test_a_changed_or_cut_link_is_invalid(tampered):
    token = make_token(mentorship_id=42, address="ada@example.com")

    with pytest.raises(LinkInvalid):
        read_token(tampered(token))


def test_a_link_signed_for_another_purpose_is_invalid():
    token = signing.dumps({"m": 42, "a": "ada@example.com"}, salt="another-purpose")

    with pytest.raises(LinkInvalid):
        read_token(token)


def test_a_signed_value_that_names_no_invitation_is_invalid():
    with pytest.raises(LinkInvalid):
        read_token(signing.dumps(["m", 42], salt=SALT))


def test_a_link_expires_after_the_set_number_of_days(settings, monkeypatch):
    settings.INVITATION_MAX_AGE_DAYS = 14
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 14 * 86400 + 60)
    fresh_enough = make_token(mentorship_id=1, address="a@example.com")
    monkeypatch.setattr(time, "time", lambda: now - 14 * 86400 - 60)
    too_old = make_token(mentorship_id=1, address="a@example.com")
    monkeypatch.undo()

    assert read_token(fresh_enough).mentorship_id == 1
    with pytest.raises(LinkExpired):
        read_token(too_old)
