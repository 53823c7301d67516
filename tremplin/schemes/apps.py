from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "tremplin.schemes"

    def ready(self):
        from tremplin.schemes import signals  # noqa: F401  (its signal receivers)
