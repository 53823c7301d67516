"""Sign-up by SIRET, documents, and the accreditation workflow, through the pages and the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    ProviderFactory,
    UserFactory,
    luhn_complete,
    pdf_file,
)
from tests.providers.conftest import add_valid_documents, login, make_offer
from tremplin.accounts.models import Role, User
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.models import AuditEvent
from tremplin.providers import accreditation, signup
from tremplin.providers.accreditation import upload_document
from tremplin.providers.models import AccreditationCriterion, Document, Provider, Status
from tremplin.registry.models import Establishment
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import Application

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "_action": "signup",
        "siret": "",
        "name": "",
        "first_name": "Nina",
        "last_name": "Roux",
        "email": "nina@agence.example",
        "password": "un-mot-de-passe-solide",
    }
    data.update(overrides)
    return data


@pytest.fixture
def establishment(rhone):
    company = CompanyFactory(denomination="Électricité & Numérique", departement=rhone)
    siret = luhn_complete(company.siren + "0001")
    return Establishment.objects.create(
        siret=siret,
        company=company,
        nic=siret[9:],
        is_head_office=True,
        commune_name="Lyon",
        postal_code="69001",
    )


def test_a_wrong_siret_is_refused_with_a_clear_message_and_nothing_is_created(client):
    response = client.post(reverse("providers:signup"), signup_data(siret="732 829 320 00075"))
    assert response.status_code == 200
    assert "Ce numéro SIRET n&#x27;existe pas" in response.content.decode()
    assert not Provider.objects.exists()
    assert not User.objects.exists()


def test_looking_up_the_siret_prefills_the_name_from_the_registry(client, establishment):
    response = client.post(reverse("providers:signup"), {"_action": "lookup", "siret": establishment.siret})
    page = response.content.decode()
    assert "Électricité &amp; Numérique" in page
    assert "Lyon" in page


def test_a_provider_signs_up_by_siret_and_its_accreditation_is_requested(
    client, establishment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("providers:signup"), signup_data(siret=establishment.siret))
    assert response.status_code == 302
    provider = Provider.objects.get()
    assert provider.name == "Électricité & Numérique"
    assert provider.status == Status.REQUESTED and provider.accredited is False
    assert provider.city == "Lyon" and provider.departement_id == "69"
    assert "electricite numerique" in provider.search_text
    member = User.objects.get(email="nina@agence.example")
    assert member.role == Role.PROVIDER and member.provider == provider
    assert AuditEvent.objects.for_object(provider).get().action == "sign_up"
    assert len(mail.outbox) == 1  # the address verification link


def test_signing_up_with_an_address_that_has_an_account_creates_nothing_and_tells_its_owner(
    client, establishment, django_capture_on_commit_callbacks
):
    UserFactory(email="nina@agence.example", email_verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("providers:signup"), signup_data(siret=establishment.siret))
    assert response.status_code == 302  # as for a new address: the page tells nobody who has an account
    assert response.url == reverse("accounts:signup_done")
    assert not Provider.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["nina@agence.example"] and "Vous avez déjà un compte" in message.body


def test_signing_up_twice_with_the_same_siret_is_refused(client, establishment):
    ProviderFactory(siret=establishment.siret)
    response = client.post(reverse("providers:signup"), signup_data(siret=establishment.siret))
    assert "déjà inscrit" in response.content.decode()
    assert Provider.objects.count() == 1


def test_an_expired_document_is_refused_and_nothing_is_stored(member, provider):
    client = login(member)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("providers:upload_document"),
        {"kind": "urssaf", "file": pdf_file("urssaf.pdf"), "expires_on": yesterday.isoformat()},
        follow=True,
    )
    assert "n&#x27;est plus valable depuis le" in response.content.decode()
    assert not Document.objects.filter(uploaded_by=member).exists()


def test_a_document_that_is_not_a_pdf_is_refused(member, provider):
    with pytest.raises(ServiceError) as error:
        accreditation.upload_document(
            member,
            provider,
            "insurance",
            pdf_file("assurance.pdf", body=b"GIF89a"),
            timezone.localdate() + timedelta(days=30),
        )
    assert error.value.code == "not_a_pdf"
    assert not Document.objects.filter(uploaded_by=member).exists()


def test_the_accreditation_goes_from_request_to_accredited_through_the_pages(
    manager, establishment, client, django_capture_on_commit_callbacks
):
    client.post(reverse("providers:signup"), signup_data(siret=establishment.siret))
    provider = Provider.objects.get()
    member = provider.members.get()
    staff = login(manager)

    staff.post(reverse("providers:accreditation_act", args=[provider.pk, "start_review"]))
    provider.refresh_from_db()
    assert provider.status == Status.UNDER_REVIEW

    # Without the URSSAF certificate and the insurance, accreditation is refused and says why.
    response = staff.post(reverse("providers:accreditation_act", args=[provider.pk, "accredit"]), follow=True)
    assert "Attestation de vigilance URSSAF" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == Status.UNDER_REVIEW and provider.accredited is False

    add_valid_documents(provider, member)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("providers:accreditation_act", args=[provider.pk, "accredit"]))
    provider.refresh_from_db()
    assert provider.status == Status.ACCREDITED and provider.accredited is True
    actions = list(AuditEvent.objects.for_object(provider).values_list("action", flat=True))
    assert actions[-1] == "accredit" and "start_review" in actions
    assert any("habilité" in m.subject for m in mail.outbox)


def test_criteria_stored_as_data_decide_the_accreditation(manager, member, provider):
    AccreditationCriterion.objects.create(kind="min_similar_turnover", params={"cents": 5_000_000})
    AccreditationCriterion.objects.create(kind="min_years_trading", params={"years": 2})
    AccreditationCriterion.objects.create(kind="min_references", params={"count": 1})
    Provider.objects.filter(pk=provider.pk).update(status=Status.UNDER_REVIEW)
    provider.refresh_from_db()
    add_valid_documents(provider, member)
    with pytest.raises(Conflict) as error:
        accreditation.act(manager, provider, "accredit")
    assert error.value.code == "criteria_not_met"
    assert "projets similaires" in error.value.message

    signup.update_profile(
        member,
        provider,
        similar_turnover_cents=6_000_000,
        trading_since=timezone.localdate() - timedelta(days=3 * 366),
    )
    accreditation.upload_document(
        member, provider, "reference", pdf_file("ref.pdf"), label="Boulangerie Martin"
    )
    assert accreditation.act(manager, provider, "accredit").accredited is True


def test_only_a_manager_moves_the_accreditation(member, provider, owner, advisor):
    Provider.objects.filter(pk=provider.pk).update(status=Status.REQUESTED)
    provider.refresh_from_db()
    for user in (member, owner, advisor):
        with pytest.raises(PermissionDenied):
            accreditation.act(user, provider, "start_review")
    response = login(member).post(reverse("providers:accreditation_act", args=[provider.pk, "start_review"]))
    assert response.status_code == 403
    provider.refresh_from_db()
    assert provider.status == Status.REQUESTED


def test_a_suspended_provider_cannot_be_chosen_and_files_under_way_say_so(manager, member, provider, scheme):
    under_way = vouchers.submit((app := ApplicationFactory(scheme=scheme, provider=provider)).owner, app)
    accreditation.act(manager, provider, "suspend", reason="Prestations non livrées.")
    provider.refresh_from_db()
    assert provider.accredited is False
    under_way = Application.objects.select_related("provider").get(pk=under_way.pk)
    assert "suspendue" in accreditation.provider_warning(under_way)

    draft = ApplicationFactory(scheme=scheme, provider=None)
    with pytest.raises(ServiceError) as error:
        vouchers.update_draft(draft.owner, draft, provider=provider)
    assert error.value.code == "provider_not_accredited"

    add_valid_documents(provider, member)
    accreditation.act(manager, provider, "reinstate")
    under_way.provider.refresh_from_db()
    assert accreditation.provider_warning(under_way) is None


def test_suspending_without_a_reason_is_refused(manager, provider):
    with pytest.raises(ServiceError) as error:
        accreditation.act(manager, provider, "suspend", reason=" ")
    assert error.value.field == "reason"
    provider.refresh_from_db()
    assert provider.status == Status.ACCREDITED


def test_accreditations_expire_when_the_urssaf_certificate_expires(member, provider):
    provider.documents.all().delete()  # only the documents uploaded here
    add_valid_documents(provider, member, days=10)
    other = ProviderFactory(documents=False)
    today = timezone.localdate()
    assert accreditation.expire_accreditations(today) == 1
    other.refresh_from_db()
    assert other.status == Status.EXPIRED and other.accredited is False

    assert accreditation.expire_accreditations(today + timedelta(days=11)) == 1
    provider.refresh_from_db()
    assert provider.status == Status.EXPIRED
    assert AuditEvent.objects.for_object(provider).last().actor is None

    # After sending fresh documents, the provider asks again.
    add_valid_documents(provider, member, days=400)
    response = login(member).post(reverse("providers:accreditation_act", args=[provider.pk, "request_again"]))
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.status == Status.REQUESTED


def test_renewal_reminders_are_sent_once_before_a_document_expires(
    member, provider, django_capture_on_commit_callbacks
):
    provider.documents.all().delete()  # only the documents uploaded here
    add_valid_documents(provider, member, days=20)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert accreditation.send_renewal_reminders(today) == 2
    assert len(mail.outbox) == 2
    assert accreditation.send_renewal_reminders(today + timedelta(days=1)) == 0


def test_the_expiry_command_expires_and_reminds(member, provider):
    from django.core.management import call_command

    provider.documents.all().delete()  # only the documents uploaded here
    add_valid_documents(provider, member, days=5)
    call_command("provider_accreditations", verbosity=0)
    provider.refresh_from_db()
    assert provider.status == Status.ACCREDITED
    assert Document.objects.filter(reminded_on__isnull=False).count() == 2


def test_a_member_adds_a_colleague_with_their_own_login(member, provider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(member).post(
            reverse("providers:members"),
            {"email": "leo@agence.example", "first_name": "Léo", "last_name": "Petit"},
        )
    assert response.status_code == 302
    colleague = User.objects.get(email="leo@agence.example")
    assert colleague.provider == provider and colleague.role == Role.PROVIDER
    assert not colleague.has_usable_password()
    assert "mot-de-passe/oublie" in mail.outbox[-1].body


def test_the_provider_dashboard_shows_status_quotes_and_files(member, provider):
    response = login(member).get(reverse("providers:dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Habilité" in page and "Devis à répondre" in page and "Chèques en cours" in page


def test_the_provider_space_is_refused_to_other_roles(owner, advisor, manager):
    for user in (owner, advisor, manager):
        assert login(user).get(reverse("providers:dashboard")).status_code == 403


def test_the_accreditation_queue_is_for_managers(manager, member, provider):
    Provider.objects.filter(pk=provider.pk).update(status=Status.REQUESTED)
    assert provider.name in login(manager).get(reverse("providers:accreditations")).content.decode()
    assert login(member).get(reverse("providers:accreditations")).status_code == 403


def test_accredited_is_read_from_the_status_and_the_documents_validity():
    provider = Provider.objects.create(siret=luhn_complete("8000000000010"), name="X")
    assert provider.status == Status.REQUESTED and provider.accredited is False
    assert not Provider.objects.filter(pk=provider.pk).accredited().exists()
    Provider.objects.filter(pk=provider.pk).update(status=Status.ACCREDITED)
    provider.refresh_from_db()
    assert provider.accredited is False and provider.shown_status == Status.EXPIRED

    add_valid_documents(
        provider, UserFactory(provider_member=True, provider=provider), days=0
    )  # until tonight
    provider.refresh_from_db()
    assert provider.documents_valid_until == timezone.localdate()
    assert provider.accredited is True and provider.status_label == "Habilité"
    assert list(Provider.objects.filter(pk=provider.pk).accredited()) == [provider]
    assert UserFactory(provider_member=True).provider.accredited is True


def test_a_document_is_downloaded_by_the_providers_members_managers_and_auditors_only(
    client_for, member, provider, other_member, owner, advisor, manager, auditor, client
):
    document = accreditation.upload_document(
        member,
        provider,
        Document.Kind.URSSAF,
        pdf_file("attestation.pdf"),
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    url = reverse("providers:document_file", args=[document.pk])

    for user in (member, manager, auditor):
        response = client_for(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Disposition"] == f'inline; filename="urssaf-{provider.siren}.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for user in (other_member, owner, advisor):
        assert client_for(user).get(url).status_code == 404, user
    assert client.get(url).status_code in (302, 404)


# --- "habilité" only while every document holds ---------------------------------------------------

HABILITE_BADGE = ">Habilité</p>"


def provider_with_insurance_only(rhone):
    """Accredited in the record, as the demo seed made them, but without any URSSAF certificate."""
    provider = Provider.objects.create(
        siret=luhn_complete("8000000000020"), name="Agence Sans Urssaf", status=Status.ACCREDITED
    )
    member = UserFactory(provider_member=True, provider=provider)
    upload_document(
        member,
        provider,
        Document.Kind.INSURANCE,
        pdf_file("assurance.pdf"),
        timezone.localdate() + timedelta(days=200),
    )
    make_offer(provider, "website", departements=[rhone])
    return provider, member


def test_a_provider_without_its_urssaf_certificate_is_neither_shown_accredited_nor_offered(
    rhone, manager, draft, client
):
    provider, member = provider_with_insurance_only(rhone)

    provider.refresh_from_db()
    assert provider.accredited is False
    assert provider not in Provider.objects.accredited()
    assert client.get(reverse("providers:detail", args=[provider.pk])).status_code == 404
    assert provider.name not in client.get(reverse("providers:directory")).content.decode()
    staff_page = login(manager).get(reverse("providers:detail", args=[provider.pk])).content.decode()
    assert HABILITE_BADGE not in staff_page and ">Habilitation expirée</p>" in staff_page
    assert HABILITE_BADGE not in login(member).get(reverse("providers:dashboard")).content.decode()
    draft_page = login(draft.owner).get(reverse("vouchers:edit", args=[draft.pk])).content.decode()
    assert provider.name not in draft_page
    with pytest.raises(ServiceError) as error:
        vouchers.update_draft(draft.owner, draft, provider=provider)
    assert error.value.code == "provider_not_accredited"


def test_a_provider_whose_insurance_lapsed_is_no_longer_offered_even_before_the_daily_job(
    rhone, member, provider, draft, time_machine
):
    provider.documents.all().delete()  # only the documents uploaded here
    add_valid_documents(provider, member, days=10)
    make_offer(provider, "website", departements=[rhone])
    assert (
        provider.name
        in login(draft.owner).get(reverse("providers:pick_provider", args=[draft.pk])).content.decode()
    )
    assert HABILITE_BADGE in login(member).get(reverse("providers:dashboard")).content.decode()

    time_machine.move_to(timezone.now() + timedelta(days=11))

    provider.refresh_from_db()
    assert provider.status == Status.ACCREDITED  # the daily job has not run yet
    assert provider.accredited is False
    assert provider not in Provider.objects.accredited()
    assert (
        provider.name
        not in login(draft.owner).get(reverse("providers:pick_provider", args=[draft.pk])).content.decode()
    )
    assert HABILITE_BADGE not in login(member).get(reverse("providers:dashboard")).content.decode()


def test_a_provider_whose_documents_are_valid_is_shown_accredited_and_offered(
    rhone, member, provider, draft, client
):
    add_valid_documents(provider, member)
    make_offer(provider, "website", departements=[rhone])

    assert provider.name in client.get(reverse("providers:directory")).content.decode()
    assert HABILITE_BADGE in client.get(reverse("providers:detail", args=[provider.pk])).content.decode()
    assert (
        provider.name
        in login(draft.owner).get(reverse("providers:pick_provider", args=[draft.pk])).content.decode()
    )


def test_the_directory_says_what_accredited_means(client):
    page = client.get(reverse("providers:directory")).content.decode()
    assert "vérifiés par le programme" not in page
    assert "attestation URSSAF et leur assurance professionnelle sont à jour" in page
