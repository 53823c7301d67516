"""Words of the programme explained where they appear: a DSFR tooltip any person can reach."""

import re
from html import unescape

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.core.helpers import page
from tests.factories import ApplicationFactory
from tremplin.core.glossary import TERMS, term_for_rule

pytestmark = pytest.mark.django_db


def render(source):
    return unescape(Template("{% load glossary %}" + source).render(Context({})))


def tooltips(html):
    """(button's accessible name, text of the tooltip it describes itself with), for each explained term."""
    found = []
    for button in re.finditer(
        r'<button[^>]*fr-btn--tooltip[^>]*aria-describedby="([^"]+)"[^>]*>(.*?)</button>', html, re.S
    ):
        tip = re.search(rf'<span[^>]*id="{button.group(1)}"[^>]*role="tooltip"[^>]*>(.*?)</span>', html, re.S)
        assert tip, f"no tooltip {button.group(1)}"
        found.append((" ".join(button.group(2).split()), " ".join(tip.group(1).split())))
    return found


def test_a_term_is_explained_by_a_button_described_by_its_tooltip():
    html = render('{% explain "de_minimis" %}')

    assert 'type="button"' in html
    assert "fr-btn--tooltip" in html
    assert tooltips(html) == [("Que veut dire « de minimis » ?", str(TERMS["de_minimis"][1]))]
    assert "300 000" in tooltips(html)[0][1]


def test_each_tooltip_of_a_page_has_its_own_id():
    html = render('{% explain "dispositif" %} {% explain "dispositif" %}')

    ids = re.findall(r'role="tooltip"[^>]*id="([^"]+)"|id="([^"]+)"[^>]*role="tooltip"', html)
    assert len({a or b for a, b in ids}) == 2


def test_every_term_is_explained_in_english():
    with translation.override("en"):
        html = render(
            '{% explain "dispositif" %}{% explain "de_minimis" %}{% explain "tranche_effectifs" %}{% explain "sirene" %}'
        )
    names = [name for name, _text in tooltips(html)]
    assert names == [
        "What does “scheme” mean?",
        "What does “de minimis” mean?",
        "What does “headcount bracket” mean?",
        "What does “SIRENE” mean?",
    ]
    assert all(not re.search(r"\b(les|des|une|est)\b", text) for _name, text in tooltips(html))


def test_the_rules_that_use_a_term_are_explained_by_it():
    assert term_for_rule("de_minimis") == "de_minimis"
    assert term_for_rule("max_headcount_bracket") == "tranche_effectifs"
    assert term_for_rule("min_company_age") is None


def test_the_quick_check_explains_the_scheme_the_bracket_and_de_minimis(client, scheme, company):
    html = page(client.get(reverse("core:check"), {"siren": company.siren}))

    names = [name for name, _text in tooltips(html)]
    assert "Que veut dire « dispositif » ?" in names
    assert "Que veut dire « tranche d'effectifs » ?" in names
    assert "Que veut dire « de minimis » ?" in names


def test_the_home_page_explains_de_minimis_in_the_conditions(client, scheme):
    html = page(client.get(reverse("core:home")))

    assert "Que veut dire « de minimis » ?" in [name for name, _text in tooltips(html)]


def test_the_new_application_explains_the_bracket_and_the_scheme(client, scheme, company, owner):
    client.force_login(owner)

    html = page(client.get(reverse("vouchers:new"), {"siren": company.siren}))

    names = [name for name, _text in tooltips(html)]
    assert "Que veut dire « tranche d'effectifs » ?" in names
    assert "Un dispositif est" in html  # the scheme choice's hint


def test_the_draft_and_the_file_explain_their_words(client, scheme, company, owner):
    draft = ApplicationFactory(scheme=scheme, owner=owner, company=company)
    client.force_login(owner)

    edit = [name for name, _text in tooltips(page(client.get(reverse("vouchers:edit", args=[draft.pk]))))]
    detail = [name for name, _text in tooltips(page(client.get(reverse("vouchers:detail", args=[draft.pk]))))]

    assert "Que veut dire « de minimis » ?" in edit
    assert "Que veut dire « dispositif » ?" in detail
