import pytest
from django.contrib import admin
from django.urls import reverse

from tests.core.helpers import page
from tests.factories import ApplicationFactory, EnvelopeFactory, UserFactory
from tremplin.accounts.models import ApiToken, Role
from tremplin.core import audit
from tremplin.registry.models import Commune, Establishment, NafCode, NafSection
from tremplin.schemes.models import LedgerEntry
from tremplin.vouchers.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = UserFactory(role=Role.MANAGER, is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def some_data():
    application = ApplicationFactory()
    envelope = EnvelopeFactory(scheme=application.scheme)
    LedgerEntry.objects.create(envelope=envelope, application=application, kind="reserve", amount_cents=100)
    Message.objects.create(application=application, author=application.owner, body="Bonjour")
    audit.record(
        application, actor=application.owner, action="submit", from_state="draft", to_state="submitted"
    )
    ApiToken.issue(application.owner)
    Commune.objects.create(code="69381", name="Lyon 1er", departement=application.company.departement)
    section = NafSection.objects.create(code="C", label="Industrie manufacturière")
    NafCode.objects.create(code="10.71C", label="Boulangerie", section=section)
    Establishment.objects.create(
        siret=application.company.siren + "00011", company=application.company, nic="00011"
    )
    return application


def test_every_registered_model_has_a_working_list_and_detail_page(superuser_client, some_data):
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert superuser_client.get(changelist).status_code == 200, changelist
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert superuser_client.get(change).status_code == 200, change


def test_voucher_files_cannot_be_changed_from_the_back_office(superuser_client, some_data):
    url = reverse("admin:vouchers_application_change", args=[some_data.pk])

    response = superuser_client.post(url, {"state": "paid", "amount_cents": 999_999})

    assert response.status_code == 403
    some_data.refresh_from_db()
    assert some_data.state == "draft"


def test_ledger_and_audit_have_no_add_page(superuser_client):
    assert superuser_client.get(reverse("admin:schemes_ledgerentry_add")).status_code == 403
    assert superuser_client.get(reverse("admin:core_auditevent_add")).status_code == 403


def test_adding_an_api_token_shows_its_value_once(superuser_client):
    owner = UserFactory()

    response = superuser_client.post(
        reverse("admin:accounts_apitoken_add"), {"user": owner.pk, "name": "CRM CCI"}, follow=True
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(name="CRM CCI")
    shown = [str(m) for m in response.context["messages"] if "Copiez" in str(m)]
    assert len(shown) == 1
    raw = shown[0].rsplit(" ", 1)[-1]
    assert ApiToken.hash(raw) == token.digest
    assert raw not in page(superuser_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])))


def test_the_back_office_creates_a_user_by_email(superuser_client):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "conseillere@cci.example.fr",
            "first_name": "Inès",
            "last_name": "Durand",
            "role": "advisor",
            "usable_password": "true",
            "password1": "un-mot-de-passe-solide-2026",
            "password2": "un-mot-de-passe-solide-2026",
        },
    )

    assert response.status_code == 302
    from tremplin.accounts.models import User

    assert User.objects.get(email="conseillere@cci.example.fr").role == "advisor"


def test_an_envelope_total_cannot_go_below_what_is_committed(superuser_client):
    envelope = EnvelopeFactory(total_cents=1_000_000, committed_cents=600_000)

    response = superuser_client.post(
        reverse("admin:schemes_envelope_change", args=[envelope.pk]), {"total_cents": 500_000}
    )

    assert response.status_code == 200
    assert "inférieur au montant déjà engagé" in page(response)
    envelope.refresh_from_db()
    assert envelope.total_cents == 1_000_000


def test_the_admin_links_of_uploaded_files_lead_to_their_access_checked_pages(superuser_client, scheme):
    """The back office shows each upload as a link; none points at /media/ (nothing serves it): the link
    leads to the platform's page for that document, which checks access and serves it."""
    from tests.factories import CompanyFactory, held_for_authority_check, pdf_file
    from tremplin.authority.models import Representation
    from tremplin.providers.models import Document

    application = held_for_authority_check(scheme, UserFactory(), CompanyFactory())
    representation = Representation.objects.get(user=application.owner, company=application.company)
    document = Document.objects.create(
        provider=application.provider, kind="reference", file=pdf_file("reference.pdf")
    )
    pages = [
        (application, ["bank_document", "quote"]),
        (representation, ["register_extract", "statement"]),
        (application.provider, []),
    ]
    for obj, fields in pages:
        html = page(
            superuser_client.get(
                reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
            )
        )
        assert "/media/" not in html
        for field in fields:
            assert getattr(obj, field).url in html, field
    html = page(
        superuser_client.get(reverse("admin:providers_provider_change", args=[application.provider.pk]))
    )
    assert document.file.url in html
    for obj, field in [
        (application, "bank_document"),
        (application, "quote"),
        (representation, "statement"),
        (representation, "register_extract"),
        (document, "file"),
    ]:
        response = superuser_client.get(getattr(obj, field).url)
        assert response["Location"] == obj.document_url(field)
        served = superuser_client.get(response["Location"])
        assert served.status_code == 200, (obj, field)
        assert b"".join(served.streaming_content).startswith(b"%PDF-"), (obj, field)
