"""Unknown template variables fail the tests, in our templates only.

Django renders a variable it cannot resolve (`{{ aplication.reference }}`, `{{ advisor.organisation.name }}`
with no advisor) as TEMPLATES' `string_if_invalid`, an empty string by default: a typo or a missing
context key goes unnoticed. In tests that option is an `InvalidTemplateVariable`, which fails the test
when the variable belongs to one of our templates (files under tremplin/). The templates of
django-dsfr and of the admin rely on missing variables by design; for them it renders what Django
renders by default, an empty string.

`{% if missing %}` and `{% for x in missing %}` stay allowed: Django resolves those without
`string_if_invalid`. Filters are not applied to an unknown variable once the option is set, so
`{{ missing|default:"" }}` fails too: pass the variable, or test it with `{% if %}`.

Rendering may happen where an exception is swallowed (a task run by the immediate backend records it
as a failed result): every unknown variable is also recorded, and the `_no_unknown_template_variables`
fixture fails the test at teardown when any was met.
"""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Node
from django.test.signals import reset_template_engines

OUR_TEMPLATES = str(Path(settings.BASE_DIR) / "tremplin") + "/"

# (template, variable) met during the current test.
MET = []


def _template_of_caller():
    """The origin of the template node being rendered (the innermost one on the stack), or None."""
    frame = sys._getframe(2)
    while frame is not None:
        node = frame.f_locals.get("self")
        if isinstance(node, Node) and getattr(node, "origin", None) is not None:
            return node.origin
        frame = frame.f_back
    return None


class InvalidTemplateVariable(str):
    """`string_if_invalid` for tests (a str, as Django's system check requires)."""

    def __new__(cls):
        # Holds "%s" so that Django calls `string_if_invalid % variable_name`.
        return super().__new__(cls, "%s")

    def _unknown(self, variable):
        origin = _template_of_caller()
        name = getattr(origin, "name", "") or ""
        if not name.startswith(OUR_TEMPLATES):
            return ""
        where = getattr(origin, "template_name", None) or name
        MET.append((where, str(variable)))
        pytest.fail(f"Unknown template variable '{variable}' in {where}")

    def __mod__(self, variable):
        return self._unknown(variable)

    def __str__(self):
        # Django puts the option itself, not `option % name`, where a method needing arguments is called.
        return self._unknown("<a method that needs arguments>")


def install():
    """Set the option on every Django template engine, and drop engines already built without it."""
    for engine in settings.TEMPLATES:
        engine.setdefault("OPTIONS", {})["string_if_invalid"] = InvalidTemplateVariable()
    reset_template_engines(setting="TEMPLATES")
