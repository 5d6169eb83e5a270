"""The guide as a versioned TOML file: ``schema`` says what each section may hold (limits
taken from the models), ``read`` checks a file strictly and ``write`` writes one back.
Loading the data into the database is ``tracker.services.content.guide_load``.
"""

from tracker.guidefile.read import (
    DEFAULT_GUIDE_FILE,
    GuideFileError,
    parse_guide,
    read_guide_file,
)
from tracker.guidefile.schema import FORMAT_VERSION
from tracker.guidefile.write import render_guide

__all__ = [
    "DEFAULT_GUIDE_FILE",
    "FORMAT_VERSION",
    "GuideFileError",
    "parse_guide",
    "read_guide_file",
    "render_guide",
]
