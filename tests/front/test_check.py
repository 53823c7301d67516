from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.core.helpers import page
from tests.factories import CompanyFactory, SchemeFactory, luhn_complete
from tremplin.registry.models import Commune, Company, Diffusion

pytestmark = pytest.mark.django_db


def check(client, number):
    return client.get(reverse("core:check"), {"siren": number})


@pytest.fixture
def scheme():
    return SchemeFactory()


@pytest.fixture
def company():
    company = CompanyFactory(denomination="Boulangerie Martin")
    Commune.objects.create(code="69381", name="Lyon 1er Arrondissement", departement=company.departement)
    return company


def test_an_eligible_company_sees_each_registry_rule_passed(client, scheme, company):
    response = check(client, company.siren)

    assert response.status_code == 200
    html = page(response)
    assert "Boulangerie Martin" in html
    assert "Siège : Lyon 1er Arrondissement, Rhône (69)" in html
    assert "votre entreprise peut demander le chèque" in html
    assert html.count("Condition remplie") == 4  # active, headcount bracket, age, legal form
    assert "L'entreprise est active au répertoire SIRENE." in html
    assert "Condition non remplie" not in html


def test_rules_that_need_declarations_are_left_for_the_application(client, scheme, company):
    html = page(check(client, company.siren))

    # declared headcount, turnover, de minimis, one open file
    assert html.count("À vérifier lors de la demande") == 4
    assert "Employer au plus 10 salariés." in html


def test_a_siret_finds_its_company(client, scheme, company):
    siret = luhn_complete(company.siren + "0001")

    response = check(client, siret)

    assert "Boulangerie Martin" in page(response)


def test_a_young_company_is_told_which_rule_fails_and_why(client, scheme):
    young = CompanyFactory(created_on=date.today() - timedelta(days=60))

    html = page(check(client, young.siren))

    assert "ne remplit pas toutes les conditions" in html
    assert "Condition non remplie" in html
    assert "créée il y a moins de 6 mois" in html


def test_a_wrong_check_digit_is_refused_with_a_specific_message(client, scheme):
    response = check(client, "732829321")

    html = page(response)
    assert "clé de contrôle invalide" in html
    assert "fr-input-group--error" in html
    assert 'aria-describedby="id_siren-desc-error id_siren_helptext"' in html
    assert 'id="id_siren-desc-error"' in html


def test_a_number_of_the_wrong_length_is_refused(client, scheme):
    html = page(check(client, "12345"))

    assert "Le numéro SIREN doit comporter 9 chiffres." in html


def test_an_empty_number_asks_for_one(client, scheme):
    html = page(check(client, ""))

    assert "Indiquez le numéro SIREN ou SIRET de l'entreprise." in html


def test_an_unknown_siren_is_refused_with_a_specific_message(client, scheme):
    html = page(check(client, "732829320"))

    assert "Ce numéro n'est pas dans le répertoire des entreprises (SIRENE)." in html
    assert "fr-input-group--error" in html


def test_a_ceased_company_is_refused_with_a_specific_message(client, scheme):
    ceased = CompanyFactory(state=Company.State.CEASED)

    html = page(check(client, ceased.siren))

    assert "Cette entreprise est déclarée cessée au répertoire SIRENE" in html
    assert "fr-input-group--error" in html


def test_hidden_registry_names_are_never_shown(client, scheme):
    sole_trader = CompanyFactory(denomination="", first_name="", last_name="", diffusion=Diffusion.PARTIAL)

    html = page(check(client, sole_trader.siren))

    assert "Entreprise individuelle (nom non diffusible)" in html
    assert "[ND]" not in html


def test_without_an_open_scheme_the_company_is_found_but_no_rule_is_shown(client, company):
    html = page(check(client, company.siren))

    assert "Boulangerie Martin" in html
    assert "Aucun appel à demandes n'est ouvert" in html
    assert "Condition remplie" not in html


def test_the_check_stays_cheap(client, scheme, company, django_assert_num_queries):
    # scheme, its rules, the company with its département, the commune name, the site settings,
    # then the session that carries the SIREN to the next forms (exists?, savepoint, insert, release)
    with django_assert_num_queries(9):
        check(client, company.siren)


def test_identifier_errors_are_translated_in_english(client, scheme):
    response = client.get(reverse("core:check"), {"siren": "732829321"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "This SIREN number does not exist: check the 9 digits (invalid check digit)." in page(response)


def test_one_address_checks_a_limited_number_of_companies(client, settings, scheme, company):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "check_ip": "2/h"}

    for _ in range(2):
        assert client.get(reverse("core:check"), {"siren": company.siren}).status_code == 200
    refused = client.get(reverse("core:check"), {"siren": company.siren})

    assert refused.status_code == 429
    html = page(refused)
    assert "Trop de demandes en peu de temps" in html
    assert f'value="{company.siren}"' in html
