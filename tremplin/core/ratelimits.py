"""Rate limits of the public forms, counted by django-ratelimit in the default cache.

`settings.RATE_LIMITS` names each limit and its rate ("5/h"). A view asks `exceeded(request, name)` (per
address) or `exceeded(request, name, value)` (per value, an email say) and, over the limit, shows its
form again with `too_many(form, seconds)` and the status 429. With several processes the cache must be
shared (CACHE_URL, see the README), or each process counts on its own.
"""

import hashlib
import math

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext, ngettext
from django_ratelimit.core import get_usage


def exceeded(request, name, value=None):
    """Count this request against the limit `name`: seconds to wait when it goes over, else 0."""
    rate = settings.RATE_LIMITS[name]
    key = "ip" if value is None else (lambda group, request: str(value).lower())
    usage = get_usage(request, group=f"tremplin.{name}", key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return 0
    return max(usage["time_left"], 1)


def _once_key(name, parts):
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"tremplin.once.{name}.{digest}"


def first_time(name, parts, seconds):
    """True the first time these parts are seen within `seconds` (atomic: two at once, one wins)."""
    return cache.add(_once_key(name, parts), 1, seconds)


def forget(name, parts):
    """What `first_time` saw did not happen after all (the service refused it): it may come again."""
    cache.delete(_once_key(name, parts))


def delay(seconds):
    """« 1 seconde », « 40 secondes », « 15 minutes »: rounded up, never shorter than the truth."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return ngettext("%(count)d seconde", "%(count)d secondes", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def too_many(form, seconds):
    """Keep the form as typed, with a French message saying when to try again."""
    form.add_error(
        None,
        gettext("Trop de demandes en peu de temps. Réessayez dans %(delay)s.") % {"delay": delay(seconds)},
    )
