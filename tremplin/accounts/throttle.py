"""A short, growing delay per account, whatever the address the passwords come from.

django-axes locks an account *from one address* after AXES_FAILURE_LIMIT failures, so an attacker
elsewhere cannot lock the real person out. Against guesses spread over many addresses, each account also
has a delay: after LOGIN_DELAY["free_failures"] failures (each less than LOGIN_DELAY["window"] seconds
after the one before), the n-th
failure closes the account's login for 2^(n - free) seconds, at most LOGIN_DELAY["max"] (15 minutes).
The person waits seconds, not a quarter of an hour, unless the guessing goes on. A successful login
forgets the failures. Counted in the default cache (shared between processes when CACHE_URL is set).
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver

DEFAULTS = {"free_failures": 10, "window": 3600, "max": 15 * 60}


def _setting(name):
    return getattr(settings, "LOGIN_DELAY", {}).get(name, DEFAULTS[name])


def free_failures():
    return _setting("free_failures")


def _key(username):
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return f"tremplin.login-delay.{digest}"


def record_failure(username):
    """One more wrong password for this account: returns the seconds its login is now closed for."""
    key = _key(username)
    failures, _until = cache.get(key, (0, 0))
    failures += 1
    now = time.time()
    over = failures - free_failures()
    until = now + min(2**over, _setting("max")) if over >= 0 else 0
    cache.set(key, (failures, until), _setting("window"))
    return max(0, until - now)


def retry_after(username):
    """Seconds before this account may try a password again (0: now)."""
    _failures, until = cache.get(_key(username), (0, 0))
    return max(0, round(until - time.time()))


def forget(username):
    cache.delete(_key(username))


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username")
    if username:
        record_failure(username)


@receiver(user_logged_in)
def _forget_failures(sender, request, user, **kwargs):
    forget(user.get_username())
