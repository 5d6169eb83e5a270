"""Which advice applies (tracker.rules.advice.advice_for): the pure rules, then the
dashboard's advice card."""

import datetime

from tests.conftest import dashboard, section
from tracker.models import Advice, AdviceRule, Level, Milestone, ProgressStatus
from tracker.rules.advice import advice_for

NOW = datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)


def advice(rule, inactive_days=14):
    return Advice(slug=rule, title=rule, body=rule, rule=rule, inactive_days=inactive_days)


ALWAYS = advice(AdviceRule.ALWAYS)
MIXED = advice(AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED)
NO_PROJECT = advice(AdviceRule.NO_PROJECT_STARTED)
INACTIVE = advice(AdviceRule.INACTIVE, inactive_days=14)
ALL_ADVICE = [ALWAYS, MIXED, NO_PROJECT, INACTIVE]


FOUNDATION = Milestone(pk=1, level=Level.FOUNDATION)
ADVANCED = Milestone(pk=2, level=Level.ADVANCED)
PROJECT = Milestone(pk=3, level=Level.INTERMEDIATE, is_project=True)
MILESTONES = [FOUNDATION, ADVANCED, PROJECT]
S = ProgressStatus


def rules(statuses, last_activity=NOW, milestones=MILESTONES, items=ALL_ADVICE):
    return [item.rule for item in advice_for(items, milestones, statuses, last_activity, NOW)]


def test_always_advice_shows_only_when_nothing_specific_applies():
    assert rules({PROJECT.pk: S.IN_PROGRESS}) == [AdviceRule.ALWAYS]
    assert AdviceRule.ALWAYS not in rules({FOUNDATION.pk: S.IN_PROGRESS})


def test_the_first_day_is_not_told_to_start_a_project_before_anything_else():
    assert rules({}) == [AdviceRule.ALWAYS]
    assert rules({FOUNDATION.pk: S.NOT_STARTED}) == [AdviceRule.ALWAYS]
    assert rules({FOUNDATION.pk: S.IN_PROGRESS}) == [AdviceRule.NO_PROJECT_STARTED]


def test_foundations_unfinished_while_advanced_started():
    started_advanced = {ADVANCED.pk: S.IN_PROGRESS, PROJECT.pk: S.DONE}
    assert rules(started_advanced) == [AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED]
    assert rules({**started_advanced, ADVANCED.pk: S.DONE}) == [
        AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED
    ]
    assert rules({**started_advanced, FOUNDATION.pk: S.DONE}) == [AdviceRule.ALWAYS]
    assert rules({FOUNDATION.pk: S.IN_PROGRESS, PROJECT.pk: S.DONE}) == [AdviceRule.ALWAYS]


def test_no_project_started():
    assert rules({FOUNDATION.pk: S.DONE}) == [AdviceRule.NO_PROJECT_STARTED]
    assert rules({PROJECT.pk: S.IN_PROGRESS}) == [AdviceRule.ALWAYS]
    # A guide without project milestones never nags about them.
    assert rules({}, milestones=[FOUNDATION, ADVANCED]) == [AdviceRule.ALWAYS]


def test_inactive_after_the_configured_number_of_days():
    busy = {PROJECT.pk: S.IN_PROGRESS}
    assert rules(busy, last_activity=NOW - datetime.timedelta(days=13)) == [AdviceRule.ALWAYS]
    assert rules(busy, last_activity=NOW - datetime.timedelta(days=14)) == [AdviceRule.INACTIVE]
    short = advice(AdviceRule.INACTIVE, inactive_days=3)
    assert rules(busy, last_activity=NOW - datetime.timedelta(days=3), items=[ALWAYS, short]) == [
        AdviceRule.INACTIVE
    ]


def test_a_brand_new_learner_is_not_called_inactive():
    assert AdviceRule.INACTIVE not in rules({}, last_activity=None)


def test_several_specific_rules_can_apply_at_once():
    statuses = {ADVANCED.pk: S.IN_PROGRESS}
    assert rules(statuses, last_activity=NOW - datetime.timedelta(days=30)) == [
        AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED,
        AdviceRule.NO_PROJECT_STARTED,
        AdviceRule.INACTIVE,
    ]


# --- on the dashboard --------------------------------------------------------------------


def test_the_dashboard_shows_the_advice_that_applies(client, learner, m, complete):
    complete(learner, [m[4]], status="in_progress")  # advanced, foundations open, no project

    html = dashboard(client, learner).content.decode()

    block = section(html, 'id="advice-heading"', "</section>")
    assert "Advice for foundations_unfinished_advanced_started" in block
    assert "Advice for no_project_started" in block
    assert "Advice for always" not in block
    assert "Advice for inactive" not in block
    assert "<strong>Climate</strong>" in block, "project themes come with the project advice"
