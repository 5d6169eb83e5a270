"""A guide's plan (pillars, milestones, resources, prerequisites) kept in each process.

Keyed on ``Guide.content_version``, which every content write bumps (``versions``), so a
kept plan is never stale and costs no query to validate: the page has already fetched
the guide row. Objects in it are shared by every request of the process: nothing
per-learner is ever written onto them.
"""

from collections.abc import Callable
from typing import Any

MAX_GUIDES = 16

_kept: dict[tuple, Any] = {}


def guide_content(guide, build: Callable[[], Any]) -> Any:
    """What ``build()`` returns for this version of the guide, built once per version."""
    key = (guide.pk, guide.content_version)
    value = _kept.get(key)
    if value is None:
        value = build()
        if len(_kept) >= MAX_GUIDES:
            _kept.clear()
        _kept[key] = value
    return value


def clear() -> None:
    _kept.clear()
