"""The cache rule, whole: every write bumps a version that is part of the key of every
page that shows it, so a cached page is never stale and nothing is ever deleted.

``versions`` says where each version goes up, ``keys`` which versions key which page,
``pages`` how a view asks for a cached page (with the CSRF placeholder), ``content`` the
per-process cache of a guide's plan. Views and services never build a key themselves.
"""

from tracker.caching import content, keys, pages, versions

__all__ = ["content", "keys", "pages", "versions"]
