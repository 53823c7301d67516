"""The programme's language: what the services store and send is French, whatever the page's language.

People may browse in English, but an audit reason, an eligibility snapshot, an email or the decision
letter is part of the programme's record and stays in its language (`settings.LANGUAGE_CODE`). The
services decide it, never the pages: every service that stores text or sends an email is decorated
with `programme_language`, and `Workflow.perform()` runs every transition in it. A refusal's message
is French too; the page shows it in its own language (`DsfrForm.add_service_error`).
"""

import functools

from django.conf import settings
from django.utils import translation


def in_programme_language():
    """A context manager: the block runs in the programme's language, the caller's comes back after."""
    return translation.override(settings.LANGUAGE_CODE)


def programme_language(func):
    """Run the decorated service in the programme's language."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        # A new override per call: one shared instance would not survive nested services.
        with in_programme_language():
            return func(*args, **kwargs)

    return wrapper
