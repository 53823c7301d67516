from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "tremplin.providers"
