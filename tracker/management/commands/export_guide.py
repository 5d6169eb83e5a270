from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.guidefile import render_guide
from tracker.models import Guide
from tracker.selectors.content import guide_file_data_get


class Command(BaseCommand):
    help = "Write a guide from the database back to the guide file format."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", default="ml-engineer", help="the guide's slug")
        parser.add_argument(
            "-o", "--output", type=Path, help="file to write (default: standard output)"
        )

    def handle(self, *args, slug: str, output: Path | None, **options):
        guide = Guide.objects.filter(slug=slug).first()
        if guide is None:
            raise CommandError(f"No guide with slug '{slug}'.")
        text = render_guide(guide_file_data_get(guide=guide))
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}")
