from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "CareerPath"

    def ready(self) -> None:
        from tracker.caching import versions

        versions.connect()
