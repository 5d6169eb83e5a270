import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tracker.guidefile import DEFAULT_GUIDE_FILE, read_guide_file
from tracker.models import Guide
from tracker.services import demo as demo_data
from tracker.services.content import guide_load


class Command(BaseCommand):
    help = (
        "Create demo learners with twelve weeks of history, a mentor with mentees and review "
        "requests in every state. --scale makes the benchmark data set instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", action="store_true", help="10,000 learners, 300,000 rows, 1,000,000 events"
        )
        parser.add_argument("--learners", type=int, help="override the number of learners")
        parser.add_argument(
            "--force", action="store_true", help="allow it with DJANGO_DEBUG off (production)"
        )

    def handle(self, *args, scale: bool, learners: int | None, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to add demo data in production mode (DJANGO_DEBUG is off). "
                "Use --force if you really mean it."
            )
        plan = demo_data.SCALE if scale else demo_data.DEMO
        if learners is not None:
            plan = demo_data.Plan(**{**plan.__dict__, "learners": learners})
        if demo_data.User.objects.filter(username__startswith=plan.prefix).exists():
            raise CommandError(
                f"Users named {plan.prefix}… already exist: this database has demo data."
            )
        guide = Guide.objects.filter(slug="ml-engineer").first()
        if guide is None:
            guide, _ = guide_load(data=read_guide_file(DEFAULT_GUIDE_FILE))
        started = time.perf_counter()
        result = demo_data.seed(plan=plan, guide=guide)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{result['learners']:,} learners, {result['progress']:,} progress rows, "
            f"{result['events']:,} events, mentor '{result['mentor']}' with "
            f"{result['mentees']} mentees and {result['reviews']} review requests "
            f"in {elapsed:.1f} s on {connection.vendor}."
        )
        self.stdout.write(
            f"Log in as {plan.prefix}00000 … or {result['mentor']}, "
            f"password '{demo_data.DEMO_PASSWORD}'."
        )
