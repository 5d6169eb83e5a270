"""Writing a guide file, in the format ``read`` accepts, with the TOML writer tomli-w.

Sections come in a fixed order under a header comment, and tomli-w lays each one out: as
an array of tables (``[[pillars]]``, ``[[pillars.milestones]]``) where an entry is too long
for one line, else as an inline array (``resources = [{ ... }, ...]``). TOML puts a table's
plain keys before its sub-tables, so a short section written inline comes before [guide].
"""

from typing import Any

import tomli_w

from tracker.guidefile.schema import FORMAT_VERSION, SECTIONS

HEADER = """\
# CareerPath guide file: the content of one guide, as data.
# Loaded (idempotently, keyed on slugs) by `python manage.py load_guide`;
# written back from the database by `python manage.py export_guide`.
# The guide's facts come from "So You Want to Become a Machine Learning Engineer?"
# by David Jenkins (2024-02-15), re-worded; the learning plan is CareerPath's own.
"""

# Two spaces before each item of a multi-line array, as in the hand-written guide files.
INDENT = 2


def _without_none(value: Any) -> Any:
    """``value`` with every None-valued key left out: TOML has no null, a missing key is
    the open end (a salary band without a high figure, a source without a date)."""
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def render_guide(data: dict[str, Any]) -> str:
    """Write normalised guide data (as ``parse_guide`` returns it) as a guide file."""
    document = {"format": FORMAT_VERSION, "guide": data["guide"]}
    document.update((section, data[section]) for section in SECTIONS)
    # Strings stay on one line, newlines escaped: tomli-w's multi-line strings turn "\r\n"
    # into "\n", and text typed into the admin has "\r\n", so it would not come back as
    # it was.
    return HEADER + "\n" + tomli_w.dumps(_without_none(document), indent=INDENT)
