from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(using, **kwargs):
    """With CACHE_URL=db://, `migrate` also creates the cache's table (createcachetable is idempotent)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "tremplin.core"

    def ready(self):
        from tremplin.core import checks  # noqa: F401  (registers them)

        post_migrate.connect(_create_cache_table, sender=self)
