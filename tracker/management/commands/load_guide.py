from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.guidefile import DEFAULT_GUIDE_FILE, GuideFileError, read_guide_file
from tracker.services.content import GuideContentError, guide_load


class Command(BaseCommand):
    help = "Load a guide file into the database; safe to run again (keyed on slugs)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", type=Path, default=DEFAULT_GUIDE_FILE, help="the guide file"
        )

    def handle(self, *args, path: Path, **options):
        try:
            data = read_guide_file(path)
        except GuideFileError as error:
            raise CommandError(str(error)) from error
        try:
            guide, report = guide_load(data=data)
        except GuideContentError as error:  # rolled back: nothing of the file was loaded
            raise CommandError(str(error)) from error
        self.stdout.write(f"{guide.title}: {report}")
