"""The receipt of a submission (the server's time and arrival number) and the place on the waiting list, on
the file page, in its fragment, on the owner's list and in the API; the pre-registration pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import api_for, ok
from tests.factories import ApplicationFactory, EnvelopeFactory, SchemeFactory
from tremplin.schemes.models import Scheme
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

# Two vouchers of 2,000 € fit in this budget; the next files wait.
SMALL_BUDGET = 400_000


@pytest.fixture
def small_scheme(rhone):
    scheme = SchemeFactory()
    EnvelopeFactory(scheme=scheme, total_cents=SMALL_BUDGET)
    return scheme


def submitted_file(scheme):
    application = ApplicationFactory(scheme=scheme)
    return services.submit(application.owner, application)


@pytest.fixture
def queue(small_scheme):
    """Two funded files, then three waiting, in their order of arrival."""
    return [submitted_file(small_scheme) for _ in range(5)]


def positions(files):
    return [Application.objects.get(pk=f.pk).waitlist_position() for f in files]


# --- the place on the waiting list ---------------------------------------------------------------


def test_the_receipt_number_is_the_order_of_arrival_and_the_place_follows_it(queue):
    assert [f.queue_rank for f in queue] == [1, 2, 3, 4, 5]
    assert [f.state for f in queue] == [State.SUBMITTED] * 2 + [State.WAITLISTED] * 3
    assert positions(queue) == [None, None, 1, 2, 3]


def test_the_place_moves_up_when_a_file_ahead_is_withdrawn(queue):
    services.withdraw(queue[2].owner, queue[2])
    assert positions(queue[3:]) == [1, 2]


def test_the_place_moves_up_when_budget_freed_promotes_the_first_waiting_file(queue):
    services.withdraw(queue[0].owner, queue[0])

    assert Application.objects.get(pk=queue[2].pk).state == State.SUBMITTED
    assert positions(queue[2:]) == [None, 1, 2]


def test_a_withdrawal_behind_leaves_the_place_unchanged(queue):
    services.withdraw(queue[4].owner, queue[4])
    assert positions(queue[2:4]) == [1, 2]


# --- the file page and its fragment --------------------------------------------------------------


def test_the_file_page_shows_the_receipt_to_the_second_and_the_place(client, queue):
    waiting = queue[3]
    client.force_login(waiting.owner)

    body = client.get(reverse("vouchers:detail", args=[waiting.pk])).content.decode()

    received = timezone.localtime(waiting.submitted_at).strftime("%H:%M:%S")
    assert f"Demande reçue par nos serveurs le {timezone.localtime(waiting.submitted_at).day} " in body
    assert f"à {received}." in body
    assert "Numéro d'arrivée : 4 (budget de la région Auvergne-Rhône-Alpes)." in body
    assert "Vous êtes 2<sup>e</sup> sur la liste d'attente de la région Auvergne-Rhône-Alpes." in body
    assert 'aria-live="polite"' in body
    assert reverse("vouchers:receipt", args=[waiting.pk]) + "?etat=waitlisted" in body
    assert "vouchers/receipt.js" in body


def test_a_funded_file_shows_its_receipt_and_is_not_asked_again(client, queue):
    funded = queue[0]
    client.force_login(funded.owner)
    body = client.get(reverse("vouchers:detail", args=[funded.pk])).content.decode()
    assert "Numéro d'arrivée : 1 (budget de la région Auvergne-Rhône-Alpes)." in body
    assert "liste d'attente de la région" not in body
    assert "vouchers/receipt.js" not in body


def test_the_fragment_gives_the_place_as_it_is_now(client, queue):
    waiting = queue[4]
    client.force_login(waiting.owner)
    url = reverse("vouchers:receipt", args=[waiting.pk]) + "?etat=waitlisted"
    assert "Vous êtes 3<sup>e</sup>" in client.get(url).content.decode()

    services.withdraw(queue[2].owner, queue[2])

    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # a fragment, not a page
    assert "Vous êtes 2<sup>e</sup>" in body
    assert 'data-receipt-live="true"' in body


def test_the_fragment_says_when_the_file_left_the_waiting_list(client, queue):
    waiting = queue[2]
    client.force_login(waiting.owner)
    services.withdraw(queue[0].owner, queue[0])  # budget freed: the first waiting file is funded

    body = client.get(reverse("vouchers:receipt", args=[waiting.pk]) + "?etat=waitlisted").content.decode()

    assert "Votre demande a avancé : Déposée." in body
    assert 'data-receipt-live="false"' in body
    assert reverse("vouchers:detail", args=[waiting.pk]) in body


def test_the_fragment_is_the_owners_and_their_advisors_only(
    client, queue, advisor, other_owner, other_advisor
):
    url = reverse("vouchers:receipt", args=[queue[3].pk])
    client.force_login(advisor)
    assert "2<sup>e</sup> sur la liste d'attente" in client.get(url).content.decode()
    for stranger in (other_owner, other_advisor):
        other = Client()
        other.force_login(stranger)
        assert other.get(url).status_code == 404


def test_a_draft_has_no_receipt(client, draft):
    client.force_login(draft.owner)
    assert client.get(reverse("vouchers:receipt", args=[draft.pk])).status_code == 404


def test_the_fragment_in_english(client, queue):
    client.cookies["django_language"] = "en"
    client.force_login(queue[3].owner)
    body = client.get(reverse("vouchers:receipt", args=[queue[3].pk])).content.decode()
    assert "You are 2nd on the waiting list of the Auvergne-Rhône-Alpes region." in body
    assert "Arrival number: 4" in body


def test_the_owners_list_gives_the_place_without_a_query_per_file(client, queue, django_assert_num_queries):
    owner = queue[2].owner
    for application in queue[3:]:
        Application.objects.filter(pk=application.pk).update(owner=owner)
    client.force_login(owner)
    url = reverse("vouchers:list")
    client.get(url)
    with django_assert_num_queries(7):
        body = client.get(url).content.decode()
    for rank in ("1<sup>er</sup>", "2<sup>e</sup>", "3<sup>e</sup>"):
        assert f"Vous êtes {rank} sur la liste d'attente de la région Auvergne-Rhône-Alpes." in body


# --- the API --------------------------------------------------------------------------------------


def test_the_api_gives_the_receipt_number_and_the_place(queue):
    waiting = queue[4]
    data = ok(api_for(waiting.owner).get(f"/applications/{waiting.pk}"))
    assert (data["queue_rank"], data["waitlist_position"]) == (5, 3)
    assert data["submitted_at"] is not None

    services.withdraw(queue[2].owner, queue[2])

    data = ok(api_for(waiting.owner).get(f"/applications/{waiting.pk}"))
    assert data["waitlist_position"] == 2


def test_the_api_checks_a_draft_during_pre_registration(prereg):
    api = api_for(prereg.owner)
    data = ok(api.post(f"/applications/{prereg.pk}/check"))
    assert data["ready"] is True and data["problems"] == []
    assert data["checked_at"] is not None
    assert ok(api.get(f"/applications/{prereg.pk}"))["checked_at"] == data["checked_at"]

    refused = api.post(f"/applications/{prereg.pk}/submit")
    assert refused.status_code == 409
    assert refused.json()["code"] == "scheme_closed"
    assert "il ouvre le" in refused.json()["message"]


def test_the_api_check_lists_the_problems(prereg):
    Application.objects.filter(pk=prereg.pk).update(quote="")
    data = ok(api_for(prereg.owner).post(f"/applications/{prereg.pk}/check"))
    assert data["ready"] is False and data["checked_at"] is None
    assert {"code": "missing", "message": "Déposez le devis du prestataire (PDF).", "field": "quote"} in data[
        "problems"
    ]


def test_the_api_check_is_the_owners_only(prereg, other_owner):
    assert api_for(other_owner).post(f"/applications/{prereg.pk}/check").status_code == 404


def test_the_openapi_document_explains_the_place_and_the_check(client):
    schema = client.get("/api/v1/openapi.json").json()
    detail = schema["components"]["schemas"]["ApplicationDetail"]["properties"]
    assert "liste d'attente" in detail["waitlist_position"]["description"]
    assert "ordre de réception" in detail["queue_rank"]["description"]
    assert "checked_at" in detail
    assert "/api/v1/applications/{application_id}/check" in schema["paths"]
    scheme = schema["components"]["schemas"]["SchemeOut"]["properties"]
    assert "preregistration_opens_at" in scheme and "in_preregistration" in scheme


# --- the pre-registration pages -------------------------------------------------------------------


@pytest.fixture
def prereg(owner, company):
    opens = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=3)
    scheme = SchemeFactory(
        preregistration_opens_at=timezone.now() - timedelta(days=1),
        window_opens_at=opens,
        window_closes_at=opens + timedelta(days=60),
    )
    for year in {opens.year, timezone.localdate().year}:
        EnvelopeFactory(scheme=scheme, year=year)
    return ApplicationFactory(scheme=scheme, owner=owner, company=company)


def edit_page(client, application, **post):
    url = reverse("vouchers:edit", args=[application.pk])
    response = client.post(url, post) if post else client.get(url)
    return response, response.content.decode()


def test_the_draft_page_explains_the_pre_registration_and_disables_the_submission(client, prereg):
    client.force_login(prereg.owner)
    response, body = edit_page(client, prereg)
    assert response.status_code == 200
    assert "Préinscription : le dépôt ouvre le " in body and " à 09:00" in body
    assert 'value="check"' in body
    assert 'value="submit" class="fr-btn" disabled aria-describedby="submit-opens"' in body


def test_checking_on_the_draft_page_says_it_is_ready_and_when_to_come_back(client, prereg):
    client.force_login(prereg.owner)
    response, body = edit_page(client, prereg, _action="check")
    assert response.status_code == 200
    assert "Votre dossier est prêt" in body
    assert "à 09:00 : revenez cliquer sur « Déposer ma demande »" in body
    prereg.refresh_from_db()
    assert prereg.checked_at is not None
    # Coming back later, the page still says so.
    _response, body = edit_page(client, prereg)
    assert "Votre dossier est prêt" in body


def test_checking_an_incomplete_draft_on_the_page_lists_what_is_left(client, prereg):
    Application.objects.filter(pk=prereg.pk).update(quote="")
    client.force_login(prereg.owner)
    _response, body = edit_page(client, prereg, _action="check")
    assert "Votre dossier n'est pas encore prêt" in body
    assert "Déposez le devis du prestataire (PDF)." in body


def test_submitting_from_the_page_before_the_opening_says_when_it_opens(client, prereg):
    client.force_login(prereg.owner)
    response, body = edit_page(client, prereg, _action="submit")
    assert response.status_code == 200
    assert "Le dépôt n&#x27;est pas encore ouvert : il ouvre le " in body
    prereg.refresh_from_db()
    assert prereg.state == State.DRAFT


def test_at_the_opening_the_page_offers_the_one_click(client, prereg):
    client.force_login(prereg.owner)
    edit_page(client, prereg, _action="check")
    Scheme.objects.filter(pk=prereg.scheme_id).update(window_opens_at=timezone.now() - timedelta(seconds=1))

    _response, body = edit_page(client, prereg)
    assert "Votre dossier est prêt : vous pouvez le déposer" in body
    assert 'value="submit" class="fr-btn">' in body

    response, _body = edit_page(client, prereg, _action="submit")
    assert response.status_code == 302
    prereg.refresh_from_db()
    assert prereg.state == State.SUBMITTED and prereg.queue_rank == 1


def test_the_new_application_page_offers_the_scheme_in_pre_registration(client, prereg, scheme):
    client.force_login(prereg.owner)
    body = client.get(reverse("vouchers:new")).content.decode()
    assert f"{prereg.scheme.name} (préinscription : dépôt à partir du " in body
    assert f"{scheme.name}</label>" in body.replace("\n", "").replace("  ", "")


def test_the_owners_list_says_when_a_draft_can_be_submitted(client, prereg):
    client.force_login(prereg.owner)
    body = client.get(reverse("vouchers:list")).content.decode()
    assert "Préparez et vérifiez votre demande : le dépôt ouvre le " in body
    services.check_draft(prereg.owner, prereg)
    body = client.get(reverse("vouchers:list")).content.decode()
    assert "Dossier prêt : déposez-le à partir du " in body
