"""The public request form: SIREN or SIRET, an optional phone for the advisors, the company's emails."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.core.helpers import page
from tests.factories import CompanyFactory, luhn_complete
from tests.network.conftest import make_advisor
from tests.network.test_pages import ApiClient
from tremplin.core.errors import ServiceError
from tremplin.network import services
from tremplin.network.api import router
from tremplin.network.models import MatchState, Request
from tremplin.registry.models import Commune, Company, Establishment

PHONE = "06 12 34 56 78"


@pytest.fixture
def head_office(company, rhone):
    """The company's head office is in Lyon (69123), its other establishment in Lyon 1er (69381)."""
    Commune.objects.create(code="69123", name="Lyon", departement=rhone, postal_codes=["69002"])
    Commune.objects.create(code="69381", name="Lyon 1er", departement=rhone, postal_codes=["69001"])
    shop, siege = luhn_complete(company.siren + "0001"), luhn_complete(company.siren + "0002")
    Establishment.objects.create(
        siret=shop, company=company, nic=shop[9:], postal_code="69001", commune_code="69381"
    )
    company.head_office_nic, company.head_office_postal_code, company.head_office_commune_code = (
        siege[9:],
        "69002",
        "69123",
    )
    company.save()
    return Establishment.objects.create(
        siret=siege,
        company=company,
        nic=siege[9:],
        is_head_office=True,
        postal_code="69002",
        commune_code="69123",
    )


def siret_of(company):
    return luhn_complete(company.siren + "0001")


def form_data(identifier, **extra):
    return {
        "siret": identifier,
        "email": "dirigeante@example.fr",
        "theme": "site-internet",
        "description": "Je veux un site pour prendre des commandes.",
        **extra,
    }


def ask(identifier, **kwargs):
    kwargs.setdefault("email", "dirigeante@example.fr")
    kwargs.setdefault("description", "Je veux un site pour prendre des commandes.")
    return services.create_request(siret=identifier, theme_code="site-internet", **kwargs).request


# --- SIREN or SIRET -------------------------------------------------------------------------------


def test_a_siren_is_accepted_and_routed_like_its_head_office_siret(cci, rhone, head_office, website):
    lyon = make_advisor(cci, departements=[rhone], themes=[website])
    lyon.advisor_profile.antenna.communes.set(["69123"])
    first = make_advisor(cci, departements=[rhone], themes=[website])
    first.advisor_profile.antenna.communes.set(["69381"])

    by_siren = ask(head_office.company.siren)
    by_siret = ask(head_office.siret)

    located = lambda r: (r.siret, r.company, r.postal_code, r.commune_code, r.departement_id)  # noqa: E731
    assert located(by_siren) == located(by_siret)
    assert by_siren.siret == head_office.siret
    assert [m.advisor for m in by_siren.matches.all()] == [lyon]
    assert [m.advisor for m in by_siret.matches.all()] == [lyon]


def test_the_form_takes_a_siren_typed_with_spaces(client, advisor, head_office, website):
    siren = head_office.company.siren
    response = client.post(reverse("network:new_request"), form_data(f"{siren[:3]} {siren[3:6]} {siren[6:]}"))
    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.siret, request.company) == (head_office.siret, head_office.company)
    assert request.matches.get().advisor == advisor


def test_the_form_says_it_takes_a_siren_or_a_siret(client, website):
    html = page(client.get(reverse("network:new_request")))
    assert "Numéro SIREN ou SIRET de votre entreprise" in html


def test_an_unknown_siren_is_refused_with_the_registry_s_message(client, advisor, website):
    response = client.post(reverse("network:new_request"), form_data("732829320", postal_code="69003"))
    assert response.status_code == 200
    assert "pas dans le répertoire des entreprises (SIRENE)" in page(response)
    assert not Request.objects.exists()


def test_a_ceased_company_is_refused_by_siren_and_by_siret(advisor, rhone, website):
    ceased = CompanyFactory(departement=rhone, state=Company.State.CEASED)
    for identifier in (ceased.siren, luhn_complete(ceased.siren + "0001")):
        with pytest.raises(ServiceError) as error:
            ask(identifier)
        assert (error.value.code, error.value.field) == ("company_ceased", "siret")
    assert not Request.objects.exists()


def test_a_closed_establishment_is_refused(advisor, company, website):
    closed = Establishment.objects.create(
        siret=luhn_complete(company.siren + "0003"),
        company=company,
        nic="0003",
        state=Establishment.State.CLOSED,
    )
    with pytest.raises(ServiceError) as error:
        ask(closed.siret)
    assert error.value.code == "establishment_closed"


def test_a_siret_of_a_known_company_missing_from_the_registry_uses_its_head_office(advisor, company, website):
    request = ask(luhn_complete(company.siren + "0009"))
    assert (request.company, request.postal_code, request.commune_code) == (
        company,
        company.head_office_postal_code,
        company.head_office_commune_code,
    )
    assert request.matches.get().advisor == advisor


# --- the phone, for the advisors the request is sent to -------------------------------------------


@pytest.mark.parametrize(
    "typed", ["06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78"]
)
def test_a_french_phone_is_stored_in_one_form(advisor, company, website, typed):
    assert ask(siret_of(company), phone=typed).phone == "0612345678"


@pytest.mark.parametrize(
    "typed", ["12 34 56 78", "06 12 34 56 7", "00 12 34 56 78", "+44 20 7946 0958", "abc"]
)
def test_a_phone_that_is_not_french_is_refused_with_an_example(client, advisor, company, website, typed):
    response = client.post(reverse("network:new_request"), form_data(siret_of(company), phone=typed))
    assert response.status_code == 200
    assert "par exemple 06 12 34 56 78" in page(response)
    assert not Request.objects.exists()


def test_the_phone_is_optional(advisor, company, website):
    assert ask(siret_of(company)).phone == ""


def test_the_phone_is_shown_to_the_advisor_the_request_was_sent_to_only(
    client_for, cci, rhone, advisor, company, website, manager, auditor
):
    colleague = make_advisor(cci, departements=[rhone], themes=[], email="colleague@cci-lyon.fr")
    request = ask(siret_of(company), phone="+33 6 12 34 56 78")
    detail = reverse("network:request", args=[request.pk])

    assert PHONE in page(client_for(advisor).get(detail))
    assert 'href="tel:0612345678"' in page(client_for(advisor).get(detail))
    for someone in (colleague, manager, auditor):
        html = page(client_for(someone).get(detail))
        assert "Demande d'accompagnement" in html
        assert PHONE not in html and "0612345678" not in html


def test_the_phone_is_not_in_the_api_nor_the_advisor_s_email_nor_the_confirmation(
    advisor, company, website, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(siret_of(company), phone=PHONE)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert PHONE not in message.body and "0612345678" not in message.body
    listed = ApiClient(router).get("/matches", user=advisor).json()
    assert "0612345678" not in str(listed) and PHONE not in str(listed)


# --- the company's emails -------------------------------------------------------------------------


def test_the_confirmation_email_is_sent_once_on_commit(
    client, advisor, company, website, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("network:new_request"), form_data(siret_of(company)))
    assert response.status_code == 302
    assert callbacks
    request = Request.objects.get()
    to_company = [m for m in mail.outbox if m.to == ["dirigeante@example.fr"]]
    assert len(to_company) == 1
    assert request.reference in to_company[0].subject
    assert request.reference in to_company[0].body
    assert "Site internet" in to_company[0].body
    assert [m.to for m in mail.outbox if m not in to_company] == [[advisor.email]]


def test_no_confirmation_leaves_before_the_commit(
    advisor, company, website, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        ask(siret_of(company))
    assert mail.outbox == []


def test_the_page_after_sending_gives_the_reference(client, advisor, company, website):
    response = client.post(reverse("network:new_request"), form_data(siret_of(company)), follow=True)
    html = page(response)
    assert Request.objects.get().reference in html
    assert "dirigeante@example.fr" in html


def test_taking_the_request_sends_the_company_a_notice_naming_the_organisation(
    advisor, company, website, django_capture_on_commit_callbacks
):
    match = ask(siret_of(company)).matches.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_match_state(advisor, match, MatchState.TAKING_CARE)
    assert [m.to for m in mail.outbox] == [["dirigeante@example.fr"]]
    assert "CCI Lyon" in mail.outbox[0].body
    assert match.request.reference in mail.outbox[0].body


@pytest.mark.parametrize("state", [MatchState.NOT_FOR_ME, MatchState.NOT_REACHABLE])
def test_other_moves_send_the_company_nothing(
    advisor, company, website, django_capture_on_commit_callbacks, state
):
    match = ask(siret_of(company)).matches.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_match_state(advisor, match, state)
    assert [m for m in mail.outbox if m.to == ["dirigeante@example.fr"]] == []
