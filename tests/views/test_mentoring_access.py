"""Who may do what on every mentoring URL, and what bad input gets back.

One world holds every relation a person can have to a mentee: the mentee, a mentor they
invited who has not answered, their active mentor, a former mentor, a mentor of someone
else, another learner, a staff member and a visitor. Each role tries each action; what is
not theirs answers exactly like something that does not exist, and writes nothing.
"""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from tracker.models import (
    Mentorship,
    MentorshipStatus,
    Progress,
    ProgressEvent,
    ReviewRequest,
    ReviewStatus,
)
from tracker.services.mentoring import review_request

ROLES = [
    "mentee",
    "invited",
    "mentor",
    "former",
    "other_mentor",
    "other_learner",
    "staff",
    "anonymous",
]
MISSING_ID = 987_654


@pytest.fixture
def world(make_guide, make_user, make_mentorship, complete):
    guide = make_guide(milestones=3)
    m0, m1, m2 = guide.milestones.order_by("order")
    mentee = make_user("learner")
    people = {
        "mentee": mentee,
        "invited": make_user("invited"),
        "mentor": make_user("mentor"),
        "former": make_user("former"),
        "other_mentor": make_user("othermentor"),
        "other_learner": make_user("otherlearner"),
        "staff": make_user("staff", is_staff=True, is_superuser=True),
        "anonymous": None,
    }
    make_user("newcomer")  # whom every role may invite
    complete(mentee, [m0, m1])
    active = make_mentorship(people["mentor"], mentee)
    pending = make_mentorship(people["invited"], mentee, MentorshipStatus.PENDING)
    ended = make_mentorship(people["former"], mentee, MentorshipStatus.ENDED)
    other_mentee = make_user("othermentee")
    complete(other_mentee, [m0])
    others = make_mentorship(people["other_mentor"], other_mentee)
    return {
        "guide": guide,
        "milestones": (m0, m1, m2),
        "people": people,
        "active": active,
        "pending": pending,
        "ended": ended,
        "others": others,
        "review": review_request(mentee=mentee, milestone=m0, mentorship=active, message=""),
        "others_review": review_request(
            mentee=other_mentee, milestone=m0, mentorship=others, message=""
        ),
    }


def snapshot() -> tuple:
    """Every row a mentoring action could write."""
    return (
        list(
            Mentorship.objects.order_by("pk").values_list(
                "pk", "mentor_id", "mentee_id", "status", "responded_at", "ended_at"
            )
        ),
        list(
            ReviewRequest.objects.order_by("pk").values_list(
                "pk", "status", "comment", "decided_at", "closed_reason"
            )
        ),
        list(
            Progress.objects.order_by("pk").values_list(
                "pk", "status", "verified_at", "verified_by_id", "note", "evidence_url"
            )
        ),
        ProgressEvent.objects.count(),
    )


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


# Each action: how to make the request, who may do it, and what it does when allowed.


def mentoring_page(client, w):
    return client.get(reverse("tracker:mentoring"))


def invite(client, w):
    return client.post(reverse("tracker:invite"), {"identifier": "newcomer"})


def respond(client, w, pk=None):
    pk = pk or w["pending"].pk
    return client.post(reverse("tracker:respond", args=[pk]), {"answer": "accept"})


def end(client, w, pk=None):
    return client.post(reverse("tracker:end_mentorship", args=[pk or w["active"].pk]))


def mentee_page(client, w, username="learner"):
    return client.get(reverse("tracker:mentee", args=[username]))


def request_review(client, w, pk=None):
    guide, (_, m1, _) = w["guide"], w["milestones"]
    return client.post(
        reverse("tracker:request_review", args=[guide.slug, m1.slug]),
        {"mentorship": pk or w["active"].pk, "message": "Please"},
    )


def decide_review(client, w, pk=None):
    return client.post(
        reverse("tracker:decide_review", args=[pk or w["review"].pk]),
        {"verdict": ReviewStatus.APPROVED, "comment": "Good"},
    )


LOGGED_IN = set(ROLES) - {"anonymous"}
ALLOWED = {
    mentoring_page: LOGGED_IN,
    invite: LOGGED_IN,
    respond: {"invited"},
    end: {"mentee", "mentor"},
    mentee_page: {"mentor"},
    request_review: {"mentee"},
    decide_review: {"mentor"},
}


def check_allowed(action, response, w, user) -> None:
    """The action did what it is for, and only that."""
    if action in (mentoring_page, mentee_page):
        assert response.status_code == HTTPStatus.OK
        if action is mentee_page:
            assert "learner's progress" in response.content.decode()
        return
    assert response.status_code == HTTPStatus.FOUND
    if action is invite:
        assert Mentorship.objects.filter(
            mentor__username="newcomer", mentee=user, status=MentorshipStatus.PENDING
        ).exists()
    elif action is respond:
        w["pending"].refresh_from_db()
        assert w["pending"].status == MentorshipStatus.ACTIVE
    elif action is end:
        w["active"].refresh_from_db()
        assert w["active"].status == MentorshipStatus.ENDED
        w["review"].refresh_from_db()
        assert w["review"].status == ReviewStatus.CLOSED
    elif action is request_review:
        _, m1, _ = w["milestones"]
        assert ReviewRequest.objects.filter(
            progress__milestone=m1, mentorship=w["active"], status=ReviewStatus.WAITING
        ).exists()
    elif action is decide_review:
        w["review"].refresh_from_db()
        assert w["review"].status == ReviewStatus.APPROVED
        assert Progress.objects.get(pk=w["review"].progress_id).verified_by == user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ALLOWED), ids=lambda action: action.__name__)
def test_access_matrix(world, role, action):
    user = world["people"][role]
    client = client_for(user)
    before = snapshot()

    response = action(client, world)

    if role == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("login") + "?next=/")
        assert snapshot() == before
    elif role in ALLOWED[action]:
        check_allowed(action, response, world, user)
    else:
        if action is request_review:
            # The mentorship is a choice on the learner's form: someone else's answers
            # exactly like one that does not exist.
            missing = request_review(client, world, pk=MISSING_ID)
            assert response.status_code == missing.status_code == HTTPStatus.FOUND
            assert response["Location"] == missing["Location"]
        else:
            assert response.status_code == HTTPStatus.NOT_FOUND
        assert snapshot() == before


@pytest.mark.parametrize(
    ("action", "role", "target"),
    [
        (respond, "invited", MISSING_ID),
        (end, "mentor", MISSING_ID),
        (mentee_page, "mentor", "nobody"),
        (decide_review, "mentor", MISSING_ID),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_a_missing_object_is_a_404_too(world, action, role, target):
    client = client_for(world["people"][role])
    before = snapshot()

    response = action(client, world, target)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert snapshot() == before


def test_a_request_for_a_former_mentor_stays_closed(world):
    """Once ended, a mentorship takes no more requests and its mentor no more verdicts."""
    client = client_for(world["people"]["mentee"])
    assert end(client, world).status_code == HTTPStatus.FOUND
    before = snapshot()

    assert request_review(client, world).status_code == HTTPStatus.FOUND
    mentor = client_for(world["people"]["mentor"])
    assert decide_review(mentor, world).status_code == HTTPStatus.NOT_FOUND
    assert mentee_page(mentor, world).status_code == HTTPStatus.NOT_FOUND
    assert end(mentor, world).status_code == HTTPStatus.NOT_FOUND
    assert snapshot() == before


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"comment": "No verdict"},
        {"verdict": "", "comment": "Empty verdict"},
        {"verdict": "maybe"},
        {"verdict": ReviewStatus.WAITING},
        {"verdict": ReviewStatus.CLOSED},
        {"verdict": ReviewStatus.APPROVED, "comment": "x" * 2001},
        {"verdict": ReviewStatus.CHANGES_REQUESTED},
        {"verdict": ReviewStatus.CHANGES_REQUESTED, "comment": "x" * 2001},
    ],
    ids=[
        "nothing",
        "no-verdict",
        "empty-verdict",
        "unknown-verdict",
        "waiting",
        "closed",
        "long-comment",
        "changes-without-comment",
        "changes-long-comment",
    ],
)
def test_bad_verdicts_write_nothing(world, data):
    client = client_for(world["people"]["mentor"])
    before = snapshot()

    response = client.post(reverse("tracker:decide_review", args=[world["review"].pk]), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("tracker:mentoring")
    assert snapshot() == before


@pytest.mark.parametrize("back", ["https://evil.example.com/", "//evil.example.com", ""])
def test_back_only_chooses_between_two_pages_of_the_site(world, back):
    client = client_for(world["people"]["mentor"])

    response = client.post(
        reverse("tracker:decide_review", args=[world["review"].pk]),
        {"verdict": ReviewStatus.APPROVED, "back": back},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("tracker:mentoring")
    world["review"].refresh_from_db()
    assert world["review"].status == ReviewStatus.APPROVED


def test_deciding_twice_writes_nothing_the_second_time(world):
    client = client_for(world["people"]["mentor"])
    decide_review(client, world)
    before = snapshot()

    response = client.post(
        reverse("tracker:decide_review", args=[world["review"].pk]),
        {"verdict": ReviewStatus.CHANGES_REQUESTED, "comment": "On second thought"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert snapshot() == before


@pytest.mark.parametrize(
    "mentorship",
    [None, "", "abc", "-1", str(MISSING_ID), "pending", "ended", "others"],
)
def test_bad_review_requests_write_nothing(world, mentorship):
    client = client_for(world["people"]["mentee"])
    guide, (_, m1, _) = world["guide"], world["milestones"]
    data = {"message": "Please"}
    if mentorship is not None:
        data["mentorship"] = world[mentorship].pk if mentorship in world else mentorship
    before = snapshot()

    response = client.post(reverse("tracker:request_review", args=[guide.slug, m1.slug]), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == m1.get_absolute_url()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("index", "data"),
    [(1, {"message": "x" * 1001}), (2, {})],
    ids=["too-long-message", "unfinished-milestone"],
)
def test_a_too_long_message_or_an_unfinished_milestone_writes_nothing(world, index, data):
    client = client_for(world["people"]["mentee"])
    guide, milestone = world["guide"], world["milestones"][index]
    before = snapshot()

    response = client.post(
        reverse("tracker:request_review", args=[guide.slug, milestone.slug]),
        {"mentorship": world["active"].pk, **data},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert snapshot() == before


@pytest.mark.parametrize(("guide_slug", "milestone_slug"), [("nope", None), (None, "nope")])
def test_a_review_of_a_missing_milestone_is_a_404(world, guide_slug, milestone_slug):
    client = client_for(world["people"]["mentee"])
    guide, (m0, _, _) = world["guide"], world["milestones"]
    before = snapshot()

    response = client.post(
        reverse(
            "tracker:request_review", args=[guide_slug or guide.slug, milestone_slug or m0.slug]
        ),
        {"mentorship": world["active"].pk},
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert snapshot() == before


@pytest.mark.parametrize("data", [{}, {"answer": ""}, {"answer": "maybe"}, {"answer": "ACCEPT"}])
def test_bad_answers_to_an_invitation_write_nothing(world, data):
    client = client_for(world["people"]["invited"])
    before = snapshot()

    response = client.post(reverse("tracker:respond", args=[world["pending"].pk]), data)

    assert response.status_code == HTTPStatus.FOUND
    assert snapshot() == before


def test_answering_twice_is_a_404_the_second_time(world):
    client = client_for(world["people"]["invited"])
    assert respond(client, world).status_code == HTTPStatus.FOUND
    before = snapshot()

    response = client.post(
        reverse("tracker:respond", args=[world["pending"].pk]), {"answer": "decline"}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert snapshot() == before


@pytest.mark.parametrize(
    "identifier", ["", "   ", "x" * 255, "nobody", "learner", "mentor", "invited", None]
)
def test_bad_invitations_write_nothing(world, identifier):
    """None: an invitation without the field at all."""
    client = client_for(world["people"]["mentee"])
    data = {} if identifier is None else {"identifier": identifier}
    before = snapshot()

    response = client.post(reverse("tracker:invite"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert snapshot() == before


POST_ONLY = [invite, respond, end, request_review, decide_review]


class AsGet:
    """Makes an action's request as a GET, with the same data in the query string."""

    def __init__(self, client: Client):
        self.client = client

    def post(self, path, data=None):
        return self.client.get(path, data)


@pytest.mark.parametrize("action", POST_ONLY, ids=lambda action: action.__name__)
def test_post_only_urls_refuse_get(world, action):
    client = AsGet(client_for(world["people"]["mentor"]))
    before = snapshot()

    response = action(client, world)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "args"), [("tracker:mentoring", []), ("tracker:mentee", ["learner"])]
)
def test_pages_refuse_post(world, name, args):
    client = client_for(world["people"]["mentor"])
    before = snapshot()

    response = client.post(reverse(name, args=args), {"answer": "accept"})

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert snapshot() == before


@pytest.mark.parametrize("action", POST_ONLY, ids=lambda action: action.__name__)
def test_posts_without_csrf_token_are_refused(world, action):
    allowed = {
        invite: "mentee",
        respond: "invited",
        end: "mentee",
        request_review: "mentee",
        decide_review: "mentor",
    }[action]
    client = client_for(world["people"][allowed], enforce_csrf_checks=True)
    before = snapshot()

    response = action(client, world)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "answer", "status"),
    [
        ("mentee", HTTPStatus.FOUND, MentorshipStatus.ENDED),
        ("invited", HTTPStatus.NOT_FOUND, MentorshipStatus.PENDING),
    ],
    ids=["the-mentee-may-withdraw-it", "the-invited-mentor-declines-rather-than-ends-it"],
)
def test_ending_a_pending_invitation(client, world, role, answer, status):
    client.force_login(world["people"][role])
    response = end(client, world, pk=world["pending"].pk)
    assert response.status_code == answer
    world["pending"].refresh_from_db()
    assert world["pending"].status == status
