"""A guide's plan (pillars, milestones, resources, prerequisites) kept in each process,
and other parts of its content that pages read (what each milestone opens the way to).

Keyed on ``Guide.content_version``, which every content write bumps (``versions``), so a
kept plan is never stale and costs no query to validate: the page has already fetched
the guide row. Objects in it are shared by every request of the process: nothing
per-learner is ever written onto them.
"""

from collections.abc import Callable
from typing import Any

MAX_GUIDES = 16
MAX_PARTS = MAX_GUIDES * 4

_kept: dict[tuple, Any] = {}


def guide_content(guide, build: Callable[[], Any], part: str = "plan") -> Any:
    """What ``build()`` returns for this ``part`` of this version of the guide, built
    once per version."""
    key = (guide.pk, guide.content_version, part)
    value = _kept.get(key)
    if value is None:
        value = build()
        if len(_kept) >= MAX_PARTS:
            _kept.clear()
        _kept[key] = value
    return value


def clear() -> None:
    _kept.clear()
