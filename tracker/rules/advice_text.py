"""When each piece of advice applies, in plain words for anyone reading the guide.

The guide page shows advice in general terms with when it applies; the rules themselves,
which pick a learner's advice for the dashboard, are in ``tracker.rules.advice``.
"""

from tracker.models import AdviceRule

# Each completes "When: …" on the guide page.
WHEN = {
    AdviceRule.ALWAYS: "at any stage of the path.",
    AdviceRule.FOUNDATIONS_UNFINISHED_ADVANCED_STARTED: (
        "advanced milestones are under way while some foundation milestones are still open."
    ),
    AdviceRule.NO_PROJECT_STARTED: "no project milestone has been started yet.",
    AdviceRule.INACTIVE: "no progress has been logged for {days} or more.",
}


def advice_when(rule: str, *, inactive_days: int = 14, label: str = "") -> str:
    """When advice with this rule applies, said in plain words; for a rule without a
    description, its label (``label``) or its value."""
    text = WHEN.get(rule)
    if text is None:
        fallback = str(label or rule)
        return f"{fallback[:1].lower()}{fallback[1:]}."
    days = f"{inactive_days} day" if inactive_days == 1 else f"{inactive_days} days"
    return text.format(days=days)
