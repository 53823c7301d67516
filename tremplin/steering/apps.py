from django.apps import AppConfig


class SteeringConfig(AppConfig):
    name = "tremplin.steering"
    label = "steering"
    verbose_name = "Pilotage"

    def ready(self):
        from tremplin.steering import signals  # noqa: F401
