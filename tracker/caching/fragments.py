"""Pieces of markup that many pages repeat, kept in each process.

A page of fifty milestones spends most of its time rendering the same markup again: one
item per milestone, which differs between learners only by what the key names (the
milestone's status, its verification, the page's address); every page repeats its header
and footer. The template names the key (``{% kept %}`` in
``templatetags/tracker_tags.py``): everything the piece shows that can change, the guide's
``content_version`` for a piece of a guide, so a kept piece is never stale, and nothing is
ever deleted: a full store is emptied and fills again. A piece of one person's page goes
to the shared cache instead (``{% cached %}``, ``pages.part``), not into every process.

Forms in a kept piece are rendered with this process's placeholder for the CSRF token,
which each use replaces with the token of the page around it.
"""

import secrets
from collections.abc import Callable, Hashable

from django.utils.safestring import SafeString, mark_safe

MAX_FRAGMENTS = 10_000
CSRF_PLACEHOLDER = f"csrf-{secrets.token_urlsafe(18)}"

_kept: dict[Hashable, str] = {}


def fragment(key: Hashable, render: Callable[[str], str], csrf_token: str) -> SafeString:
    """What ``render(csrf_placeholder)`` returns for ``key``, rendered once per process,
    with ``csrf_token`` in place of the placeholder."""
    html = _kept.get(key)
    if html is None:
        html = str(render(CSRF_PLACEHOLDER))
        if len(_kept) >= MAX_FRAGMENTS:
            _kept.clear()
        _kept[key] = html
    if csrf_token and CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, str(csrf_token))
    return mark_safe(html)


def clear() -> None:
    _kept.clear()
