from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "CareerPath"

    def ready(self) -> None:
        from tracker import signals

        signals.connect()
