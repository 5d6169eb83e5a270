"""The guide as a versioned TOML file: read and validate it, write it back.

Reading refuses a bad file as a whole, naming the file, the entry and the field; writing
produces the same format, so an admin's edits can be exported, reviewed and committed.
Loading the data into the database is ``tracker.services.content.guide_load``.
"""

from tracker.guidefile.read import (
    DEFAULT_GUIDE_FILE,
    FORMAT_VERSION,
    GuideFileError,
    parse_guide,
    read_guide_file,
    render_guide,
)

__all__ = [
    "DEFAULT_GUIDE_FILE",
    "FORMAT_VERSION",
    "GuideFileError",
    "parse_guide",
    "read_guide_file",
    "render_guide",
]
