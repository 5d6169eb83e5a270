"""Every read a page needs, one module per domain: ``<entity>_<verb>(*, ...)``, each in a
fixed number of queries whatever the number of milestones, learners or mentees. They
fetch rows and hand them to the pure rules (tracker.rules); they never write."""

from operator import attrgetter


def newest_first(rows, moment: str) -> list:
    """The rows of a small query, latest ``moment`` first (ties in the database's order):
    sorted here, as a page read on every visit does, because Django takes longer to build
    an ORDER BY than to sort a few rows."""
    return sorted(rows, key=attrgetter(moment), reverse=True)
