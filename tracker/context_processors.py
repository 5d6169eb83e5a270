"""What every page's header needs beyond the user: how many conversations wait for them."""

from django.utils.functional import SimpleLazyObject

from tracker.caching.pages import nav_attention


def attention(request) -> dict:
    """``attention.as_learner`` (unread replies), ``attention.as_mentor`` (questions and
    review requests waiting), ``attention.total``: read only if the page shows them."""

    def counts() -> dict:
        as_learner, as_mentor = nav_attention(request)
        return {"as_learner": as_learner, "as_mentor": as_mentor, "total": as_learner + as_mentor}

    return {"attention": SimpleLazyObject(counts)}
