"""Deployment checks of our own (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Rate limits and login delays count in the cache: per process, each worker would count apart."""
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        return [
            checks.Warning(
                "The default cache is each process's own memory: rate limits and login delays are per process.",
                hint="Set CACHE_URL to a shared cache (redis://host:6379/0, or db:// for the database).",
                id="tremplin.W001",
            )
        ]
    return []
