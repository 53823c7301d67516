from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data (GDPR): a person's own data to download, and the retention periods applied
    (docs/privacy.md). Last in the dependency order: it reads every area, none reads it."""

    name = "tremplin.privacy"
    verbose_name = "données personnelles"
