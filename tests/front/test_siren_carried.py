"""The SIREN typed once in the quick check is carried to the diagnostic and the application."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.test_signup import sign_up, verification_link
from tests.core.helpers import page
from tests.factories import PASSWORD, CompanyFactory
from tremplin.diagnostics.models import Diagnostic

pytestmark = pytest.mark.django_db


def check(client, number):
    return client.get(reverse("core:check"), {"siren": number})


def log_in(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def identifier_value(html):
    """The value the SIREN/SIRET field of the page holds."""
    marker = 'name="identifier"'
    start = html.index(marker)
    tag = html[html.rindex("<input", 0, start) : html.index(">", start)]
    return tag.split('value="')[1].split('"')[0] if 'value="' in tag else ""


def test_a_siren_checked_before_logging_in_is_ready_in_the_new_application(client, scheme, company, owner):
    check(client, company.siren)
    log_in(client, owner)

    html = page(client.get(reverse("vouchers:new")))

    assert identifier_value(html) == company.siren
    assert company.display_name in html
    assert "C'est mon entreprise : commencer ma demande" in html


def test_a_siren_checked_before_logging_in_is_ready_in_the_diagnostic(client, scheme, company, owner):
    check(client, company.siren)
    log_in(client, owner)

    html = page(client.get(reverse("diagnostics:start")))

    assert identifier_value(html) == company.siren
    assert "C'est la bonne entreprise : commencer" in html


def test_the_confirmed_company_starts_the_diagnostic_without_typing_again(client, scheme, company, owner):
    check(client, company.siren)
    log_in(client, owner)
    html = page(client.get(reverse("diagnostics:start")))

    response = client.post(
        reverse("diagnostics:start"), {"identifier": identifier_value(html), "confirm": "1"}
    )

    assert response.status_code == 302
    assert Diagnostic.objects.get().company == company


def test_a_siren_checked_before_signing_up_is_ready_once_the_address_is_verified(
    client, scheme, company, django_capture_on_commit_callbacks
):
    check(client, company.siren)
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    client.get(verification_link(mail.outbox[-1]))

    html = page(client.get(reverse("vouchers:new")))

    assert identifier_value(html) == company.siren


def test_the_result_of_the_check_links_an_owner_to_the_diagnostic_and_the_application(
    client, scheme, company, owner
):
    client.force_login(owner)

    html = page(check(client, company.siren))

    assert f'href="{reverse("diagnostics:start")}?siren={company.siren}"' in html
    assert f'href="{reverse("vouchers:new")}?siren={company.siren}"' in html


def test_the_result_of_the_check_asks_a_visitor_to_log_in_on_the_way_to_the_application(
    client, scheme, company
):
    html = page(check(client, company.siren))

    assert f"{reverse('accounts:login')}?next=/dossiers/nouveau/%3Fsiren%3D{company.siren}" in html


def test_a_siren_in_the_link_is_looked_up_again(client, scheme, company, owner):
    other = CompanyFactory(denomination="Menuiserie Durand", departement=company.departement)
    client.force_login(owner)
    check(client, company.siren)

    html = page(client.get(reverse("vouchers:new"), {"siren": other.siren}))

    # The link wins over what the session remembers, and the registry is asked again.
    assert identifier_value(html) == other.siren
    assert "Menuiserie Durand" in html


def test_a_wrong_siren_in_the_link_fills_nothing_and_shows_no_company(client, scheme, company, owner):
    client.force_login(owner)

    for wrong in (company.siren[:-1] + str((int(company.siren[-1]) + 1) % 10), "abc", "1" * 30):
        response = client.get(reverse("vouchers:new"), {"siren": wrong})
        html = page(response)

        assert response.status_code == 200
        assert identifier_value(html) == ""
        assert "C'est mon entreprise" not in html
        assert "fr-error-text" not in html
        diagnostic = page(client.get(reverse("diagnostics:start"), {"siren": wrong}))
        assert identifier_value(diagnostic) == ""
        assert "C'est la bonne entreprise" not in diagnostic


def test_without_a_checked_siren_the_forms_are_empty(client, scheme, owner):
    client.force_login(owner)

    assert identifier_value(page(client.get(reverse("vouchers:new")))) == ""
    assert identifier_value(page(client.get(reverse("diagnostics:start")))) == ""


def test_logging_out_forgets_the_checked_siren(client, scheme, company, owner, other_owner):
    check(client, company.siren)
    log_in(client, owner)
    client.post(reverse("accounts:logout"))
    log_in(client, other_owner)

    assert identifier_value(page(client.get(reverse("vouchers:new")))) == ""
