"""One draft per person, company and scheme: "Demander le chèque" again resumes it; a draft can be deleted."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.api.conftest import api_for
from tests.factories import ApplicationFactory, SchemeFactory, UserFactory
from tests.vouchers.conftest import ask_for_the_voucher
from tremplin.core.errors import Conflict, PermissionDenied
from tremplin.core.models import AuditEvent
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db


# --- resume ---------------------------------------------------------------------------------------


def test_asking_twice_resumes_the_open_draft(logged_in, owner, company, scheme):
    client = logged_in(owner)
    first = ask_for_the_voucher(client, owner, company.siren, scheme)
    draft = Application.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("vouchers:edit", args=[draft.pk])

    second = ask_for_the_voucher(client, owner, company.siren, scheme)
    assert Application.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == reverse("vouchers:edit", args=[draft.pk])
    page = client.get(second["Location"]).content.decode()
    assert "Vous aviez déjà commencé cette demande" in page


def test_the_service_returns_the_open_draft_and_says_it_was_not_created(draft):
    application, created = services.create_draft(draft.owner, draft.scheme, draft.company)
    assert (application, created) == (draft, False)
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="create").count() == 0


def test_a_draft_for_another_scheme_is_a_new_draft(draft):
    other_scheme = SchemeFactory()
    application, created = services.create_draft(draft.owner, other_scheme, draft.company)
    assert created and application != draft


def test_the_database_refuses_a_second_draft_for_the_same_owner_company_and_scheme(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(owner=draft.owner, company=draft.company, scheme=draft.scheme)


def test_a_double_click_that_races_past_the_check_resumes_the_draft(draft, monkeypatch):
    """Two requests at once: both miss the other's draft, the database keeps one, the loser resumes it."""
    real = services._open_draft
    calls = []

    def misses_the_first_time(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_open_draft", misses_the_first_time)
    application, created = services.create_draft(draft.owner, draft.scheme, draft.company)
    assert (application, created) == (draft, False)
    assert Application.objects.count() == 1


def test_the_api_gives_back_the_open_draft(draft):
    response = api_for(draft.owner).post(
        "/applications", json={"scheme_id": draft.scheme_id, "siren": draft.company.siren}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == draft.pk
    assert Application.objects.count() == 1


# --- delete ---------------------------------------------------------------------------------------


def test_the_owner_deletes_her_draft_and_the_deletion_is_audited(logged_in, draft):
    client = logged_in(draft.owner)
    page = client.get(reverse("vouchers:edit", args=[draft.pk])).content.decode()
    assert "Supprimer ce brouillon" in page

    response = client.post(reverse("vouchers:delete", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("vouchers:list")
    assert not Application.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action="delete")
    assert (event.actor, event.object_id, event.from_state) == (draft.owner, str(draft.pk), State.DRAFT)
    assert event.data["reference"] == draft.reference
    assert "Votre brouillon est supprimé" in client.get(response["Location"]).content.decode()


def test_only_the_owner_may_delete_a_draft(draft, other_owner, advisor, manager):
    for user in (other_owner, advisor, manager):
        with pytest.raises(PermissionDenied):
            services.delete_draft(user, draft)
    assert Application.objects.filter(pk=draft.pk).exists()


def test_a_submitted_file_cannot_be_deleted(draft, logged_in):
    submitted = services.submit(draft.owner, draft)
    with pytest.raises(Conflict):
        services.delete_draft(draft.owner, submitted)
    client = logged_in(draft.owner)
    response = client.post(reverse("vouchers:delete", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("vouchers:detail", args=[draft.pk])
    assert "elle ne peut plus être supprimée" in client.get(response["Location"]).content.decode()
    assert Application.objects.filter(pk=draft.pk).exists()


def test_nobody_else_reaches_the_delete_page(draft, client_for, other_owner, advisor):
    for user in (other_owner, advisor):
        response = client_for(user).post(reverse("vouchers:delete", args=[draft.pk]))
        assert response.status_code in (403, 404)
    assert Application.objects.filter(pk=draft.pk).exists()


def test_deleting_frees_the_place_for_a_new_draft(draft):
    services.delete_draft(draft.owner, draft)
    application, created = services.create_draft(draft.owner, draft.scheme, draft.company)
    assert created


def test_the_delete_page_refuses_get(draft, logged_in):
    assert logged_in(draft.owner).get(reverse("vouchers:delete", args=[draft.pk])).status_code == 405


def test_a_second_owner_may_still_start_her_own_draft(draft):
    someone = UserFactory()
    application, created = services.create_draft(someone, draft.scheme, draft.company)
    assert created and application.owner == someone
    assert ApplicationFactory._meta.model.objects.count() == 2


# --- a draft is deleted, never withdrawn ----------------------------------------------------------


def test_withdrawing_is_not_offered_on_a_draft(logged_in, draft):
    assert "withdraw" not in services.allowed_actions(draft.owner, draft)
    page = logged_in(draft.owner).get(reverse("vouchers:detail", args=[draft.pk])).content.decode()
    assert "Retirer ma demande" not in page


def test_the_service_refuses_to_withdraw_a_draft(draft, logged_in):
    with pytest.raises(Conflict):
        services.withdraw(draft.owner, draft)
    response = logged_in(draft.owner).post(
        reverse("vouchers:act", args=[draft.pk, "withdraw"]), {"withdraw-confirm": "on"}
    )
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert not AuditEvent.objects.filter(action="withdraw").exists()
