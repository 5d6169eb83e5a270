"""A query compiled once (tracker.selectors.prepared) returns what the queryset would,
for every id it is run with."""

import pytest
from django.db import DatabaseError, transaction
from django.db.models import F

from tracker.models import Milestone, Progress
from tracker.selectors.prepared import PreparedQuery, Read, run_together
from tracker.services.progress import progress_set_status

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in instance.get_deferred_fields()
    }


@pytest.fixture
def two_learners(learner, make_user, milestones):
    other = make_user("grace")
    progress_set_status(learner=learner, milestone=milestones[0], status="done")
    progress_set_status(learner=learner, milestone=milestones[1], status="in_progress")
    progress_set_status(learner=other, milestone=milestones[2], status="done")
    return learner, other


def progress_of(learner_id):
    return (
        Progress.objects.filter(learner_id=learner_id)
        .select_related("milestone__guide")
        .defer("note")
        .order_by("milestone_id")
    )


def test_instances_joins_and_deferred_fields_are_the_querysets(
    two_learners, django_assert_num_queries
):
    prepared = PreparedQuery(progress_of, "learner_id")
    for learner in two_learners:
        expected = list(progress_of(learner.pk))

        with django_assert_num_queries(1):
            rows = prepared(learner_id=learner.pk)
            guides = [row.milestone.guide.slug for row in rows]

        assert [fields(row) for row in rows] == [fields(row) for row in expected]
        assert guides == [row.milestone.guide.slug for row in expected]
        assert all(row.get_deferred_fields() == {"note"} for row in rows)
        assert all(not row._state.adding for row in rows)


def test_values_lists_come_back_as_tuples(two_learners, milestones):
    def statuses(learner_id, milestone_id):
        return Progress.objects.filter(learner_id=learner_id, milestone_id=milestone_id)

    prepared = PreparedQuery(
        lambda learner_id, milestone_id: statuses(learner_id, milestone_id).values_list(
            "status", "completed_at"
        ),
        "learner_id",
        "milestone_id",
    )
    learner, _ = two_learners

    [(status, completed_at)] = prepared(learner_id=learner.pk, milestone_id=milestones[0].pk)

    assert (status, completed_at) == statuses(learner.pk, milestones[0].pk).values_list(
        "status", "completed_at"
    ).get()
    assert prepared(learner_id=learner.pk, milestone_id=milestones[2].pk) == []


def test_a_query_it_cannot_prepare_is_refused(guide):
    with pytest.raises(ValueError, match="prefetches nothing"):
        PreparedQuery(
            lambda guide_id: Milestone.objects.filter(guide_id=guide_id).prefetch_related(
                "resources"
            ),
            "guide_id",
        )(guide_id=guide.pk)
    with pytest.raises(ValueError, match="a parameter"):
        PreparedQuery(lambda guide_id: Milestone.objects.all(), "guide_id")(guide_id=guide.pk)


def test_a_list_of_ids_runs_prepared_for_each_length_and_as_a_queryset_when_empty(
    two_learners,
):
    def progress_of_many(learner_ids):
        return Progress.objects.filter(learner_id__in=learner_ids).order_by("milestone_id")

    prepared = PreparedQuery(progress_of_many, "learner_ids", many=("learner_ids",))
    ids = [learner.pk for learner in two_learners]

    for chosen in [ids[:1], ids[1:], ids, []]:
        assert [fields(row) for row in prepared(learner_ids=chosen)] == [
            fields(row) for row in progress_of_many(chosen)
        ]
    assert len(prepared(learner_ids=ids[:1])) == 2


def test_annotations_come_with_the_instances(two_learners):
    def annotated(learner_id):
        return (
            Progress.objects.filter(learner_id=learner_id)
            .annotate(next_milestone=F("milestone_id") + 1)
            .order_by("milestone_id")
        )

    learner, _ = two_learners

    rows = PreparedQuery(annotated, "learner_id")(learner_id=learner.pk)

    assert [row.next_milestone for row in rows] == [
        row.next_milestone for row in annotated(learner.pk)
    ]
    assert [row.next_milestone for row in rows] == [row.milestone_id + 1 for row in rows]


def test_a_text_parameter_is_run_with_each_value(two_learners, django_assert_num_queries):
    by_username = PreparedQuery(
        lambda username: Progress.objects.filter(learner__username=username).order_by("pk"),
        "username",
        texts=("username",),
    )
    learner, other = two_learners

    for user in [learner, other, learner]:
        with django_assert_num_queries(1):
            rows = by_username(username=user.username)
        assert [fields(row) for row in rows] == [
            fields(row) for row in Progress.objects.filter(learner=user).order_by("pk")
        ]
    assert by_username(username="nobody") == []


def test_reads_run_together_return_what_each_returns_alone(
    two_learners, milestones, django_assert_num_queries
):
    """On PostgreSQL the reads share one round trip; each is still a query of its own."""
    learner, other = two_learners
    of_learner = PreparedQuery(
        lambda learner_id: Progress.objects.filter(learner_id=learner_id).order_by("pk"),
        "learner_id",
    )
    on_milestones = PreparedQuery(
        lambda milestone_ids: Progress.objects.filter(milestone_id__in=milestone_ids),
        "milestone_ids",
        many=("milestone_ids",),
    )
    reads = [
        Read(of_learner, {"learner_id": learner.pk}, finish=lambda rows: [r.pk for r in rows]),
        Read(of_learner, {"learner_id": other.pk}),
        Read(on_milestones, {"milestone_ids": [m.pk for m in milestones[:2]]}, finish=len),
        Read(on_milestones, {"milestone_ids": []}, finish=len),  # as a queryset
    ]
    alone = [read.run() for read in reads]

    with django_assert_num_queries(3):
        together = run_together(*reads[:3])
    mixed = run_together(*reads)

    assert together == alone[:3] == mixed[:3]
    assert together[0] == list(
        Progress.objects.filter(learner=learner).order_by("pk").values_list("pk", flat=True)
    )
    assert [fields(row) for row in together[1]] == [
        fields(row) for row in Progress.objects.filter(learner=other)
    ]
    assert (together[2], mixed[3]) == (2, 0)


def test_a_read_that_fails_together_raises_djangos_error_and_leaves_the_connection_usable(
    two_learners,
):
    learner, _ = two_learners
    good = Read(
        PreparedQuery(
            lambda learner_id: Progress.objects.filter(learner_id=learner_id), "learner_id"
        ),
        {"learner_id": learner.pk},
    )
    broken = PreparedQuery(
        lambda learner_id: Progress.objects.filter(learner_id=learner_id).extra(
            where=["no_such_column = 1"]
        ),
        "learner_id",
    )

    with pytest.raises(DatabaseError), transaction.atomic():
        run_together(good, Read(broken, {"learner_id": learner.pk}))

    assert len(good.run()) == 2
