"""The tests' `string_if_invalid`: an unknown variable fails in our templates, not in django-dsfr's."""

import pytest
from django.template import Context, Template, engines
from django.template.base import Origin

from tests import templates


def render(source, path):
    origin = Origin(name=path, template_name=path.rsplit("/", 1)[-1])
    return Template(source, origin=origin, engine=engines["django"].engine).render(Context({"known": "oui"}))


def test_an_unknown_variable_in_our_template_fails_the_test():
    with pytest.raises(pytest.fail.Exception, match="'knwon'"):
        render("{{ knwon }}", templates.OUR_TEMPLATES + "core/probe.html")
    assert templates.MET == [("probe.html", "knwon")]
    templates.MET.clear()  # met on purpose: the teardown check must not fail this test


def test_a_missing_attribute_of_none_fails_too():
    with pytest.raises(pytest.fail.Exception):
        render("{{ known.organisation.name }}", templates.OUR_TEMPLATES + "core/probe.html")
    templates.MET.clear()


def test_known_variables_and_if_tests_of_missing_ones_render_as_usual():
    source = "{{ known }}{% if missing %}jamais{% endif %}{% for x in missing %}{{ x }}{% endfor %}"
    assert render(source, templates.OUR_TEMPLATES + "core/probe.html") == "oui"


def test_an_unknown_variable_in_a_library_template_renders_empty_as_in_production():
    assert render("[{{ missing }}]", "/usr/lib/python3/site-packages/dsfr/templates/dsfr/probe.html") == "[]"
