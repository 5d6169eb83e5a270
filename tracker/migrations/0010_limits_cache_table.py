"""The table of the database cache that holds the limits when there is no Redis
(careerpath.settings: CACHES["limits"]), and the health check's one row: `migrate`
creates both."""

import django.utils.timezone
from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def create_health_probe(apps, schema_editor):
    probe = apps.get_model("tracker", "HealthProbe")
    probe.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"checked_at": django.utils.timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0009_operations_and_one_line_names")]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop),
        migrations.RunPython(create_health_probe, migrations.RunPython.noop),
    ]
