"""The business owner's pages: list, new file, draft form with autosave, submission."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import (
    IBAN_FR,
    VALID_SIRENS,
    ApplicationFactory,
    CompanyFactory,
    EnvelopeFactory,
    ProviderFactory,
    SchemeFactory,
    UserFactory,
    pdf_file,
)
from tests.vouchers.conftest import ask_for_the_voucher
from tremplin.providers.models import Status as ProviderStatus
from tremplin.registry.models import Company, Establishment
from tremplin.schemes.models import Scheme
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db


def edit_url(app):
    return reverse("vouchers:edit", args=[app.pk])


def draft_data(app, **overrides):
    data = {
        "declared_headcount": "4",
        "declared_turnover": "350 000",
        "declared_de_minimis": "0",
        "has_linked_companies": "no",
        "spend_category": "website",
        "project_description": "Un site pour prendre les commandes",
        "provider": str(app.provider_id),
        "planned_spend": "4 000",
        "iban": IBAN_FR,
        "account_holder": "Boulangerie Martin",
        "_action": "save",
    }
    data.update(overrides)
    return data


# --- list ---------------------------------------------------------------------------------------


def test_owner_sees_their_files_with_state_and_next_step(as_user, submitted):
    response = as_user(submitted.owner).get(reverse("vouchers:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert submitted.reference in body
    assert "fr-badge" in body and "Déposée" in body
    assert "Un conseiller va examiner votre demande" in body


def test_owner_sees_which_company_each_file_is_for(as_user, submitted):
    """An owner may act for several companies: each row says which, by name and SIREN."""
    other = ApplicationFactory(
        owner=submitted.owner, company=CompanyFactory(denomination="Fromagerie Durand")
    )
    body = as_user(submitted.owner).get(reverse("vouchers:list")).content.decode()
    assert '<th scope="col">Entreprise</th>' in body
    for app in (submitted, other):
        assert app.company.display_name in body and f"SIREN {app.company.siren}" in body


def test_owner_does_not_see_other_owners_files(as_user, submitted, stranger):
    response = as_user(stranger).get(reverse("vouchers:list"))
    assert submitted.reference not in response.content.decode()


def test_list_page_query_count_does_not_grow_with_files(as_user, scheme, django_assert_num_queries):
    # Includes the query that finds a diagnostic to resume.
    owner = UserFactory()
    for _ in range(2):
        ApplicationFactory(scheme=scheme, owner=owner)
    client = as_user(owner)
    with django_assert_num_queries(7):
        client.get(reverse("vouchers:list"))
    for _ in range(5):
        ApplicationFactory(scheme=scheme, owner=owner)
    with django_assert_num_queries(7):
        response = client.get(reverse("vouchers:list"))
    assert response.content.decode().count("TN-") >= 7


def test_manager_list_is_filtered_by_state(as_user, submitted, scheme, manager):
    other = ApplicationFactory(scheme=scheme)
    response = as_user(manager).get(reverse("vouchers:list"), {"state": "submitted"})
    body = response.content.decode()
    assert submitted.reference in body
    assert other.reference not in body


def test_manager_list_query_count_is_pinned(as_user, scheme, manager, django_assert_num_queries):
    for _ in range(3):
        ApplicationFactory(scheme=scheme)
    client = as_user(manager)
    with django_assert_num_queries(6):  # +1: the TOTP device of the verified session (django-otp)
        client.get(reverse("vouchers:list"))
    for _ in range(30):
        ApplicationFactory(scheme=scheme)
    with django_assert_num_queries(6):  # +1: the TOTP device of the verified session (django-otp)
        response = client.get(reverse("vouchers:list"))
    assert "fr-pagination" in response.content.decode()


def test_auditor_sees_every_file(as_user, submitted, auditor):
    response = as_user(auditor).get(reverse("vouchers:list"))
    assert submitted.reference in response.content.decode()


# --- new file -----------------------------------------------------------------------------------


def test_owner_finds_their_company_and_starts_a_draft(as_user, scheme):
    owner = UserFactory()
    company = CompanyFactory(siren=VALID_SIRENS[0], denomination="Fromagerie Durand")
    client = as_user(owner)
    response = client.post(reverse("vouchers:new"), {"identifier": "732 829 320", "scheme": scheme.pk})
    assert response.status_code == 200
    assert "Fromagerie Durand" in response.content.decode()
    assert not Application.objects.exists()

    # The page asks who applies, with the account's name already filled in.
    assert 'name="who-given_names"' in response.content.decode()

    response = ask_for_the_voucher(client, owner, "732829320", scheme)
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == edit_url(app)
    assert (app.owner, app.company, app.state) == (owner, company, State.DRAFT)


def test_the_only_open_scheme_is_preselected(as_user, scheme):
    response = as_user(UserFactory()).get(reverse("vouchers:new"))
    assert response.status_code == 200
    assert f'value="{scheme.pk}"' in response.content.decode()


def test_a_company_found_by_siret_shows_its_commune_but_never_hidden_data(as_user, scheme):
    company = CompanyFactory(siren=VALID_SIRENS[1], denomination="", diffusion="P")
    Establishment.objects.create(
        siret="55203253400646",
        company=company,
        nic="00646",
        diffusion="P",
        is_head_office=True,
        street="",
        postal_code="69001",
        commune_code="69381",
        commune_name="Lyon 1er",
    )
    response = as_user(UserFactory()).post(
        reverse("vouchers:new"), {"identifier": "552 032 534 00646", "scheme": scheme.pk}
    )
    body = response.content.decode()
    assert "Lyon 1er" in body
    assert "nom non diffusible" in body
    assert "[ND]" not in body


def new_file_error(client, scheme, identifier):
    response = client.post(
        reverse("vouchers:new"), {"identifier": identifier, "scheme": scheme.pk, "confirm": "1"}
    )
    assert response.status_code == 200
    assert not Application.objects.exists()
    return response.content.decode()


def test_a_siren_with_a_wrong_check_digit_is_refused(as_user, scheme):
    body = new_file_error(as_user(UserFactory()), scheme, "732829321")
    assert "clé de contrôle invalide" in body
    assert 'aria-describedby="id_identifier-desc-error id_identifier_helptext"' in body


def test_an_unknown_siren_is_refused(as_user, scheme):
    body = new_file_error(as_user(UserFactory()), scheme, VALID_SIRENS[2])
    assert "n&#x27;est pas dans le répertoire des entreprises" in body


def test_a_ceased_company_is_refused(as_user, scheme):
    CompanyFactory(siren=VALID_SIRENS[3], state=Company.State.CEASED)
    body = new_file_error(as_user(UserFactory()), scheme, VALID_SIRENS[3])
    assert "déclarée cessée" in body


def test_a_closed_scheme_cannot_be_chosen(as_user, scheme):
    from datetime import timedelta

    from django.utils import timezone

    closed = SchemeFactory(window_closes_at=timezone.now() - timedelta(days=1))
    CompanyFactory(siren=VALID_SIRENS[0])
    body = new_file_error(as_user(UserFactory()), closed, VALID_SIRENS[0])
    assert "Ce dispositif n&#x27;est pas ouvert" in body


def test_only_owners_may_start_a_file(as_user, advisor, manager, auditor):
    for user in (advisor, manager, auditor):
        assert as_user(user).get(reverse("vouchers:new")).status_code == 403


# --- draft ----------------------------------------------------------------------------------------


def test_draft_page_shows_every_eligibility_rule_and_what_is_missing(as_user, scheme):
    app = ApplicationFactory(scheme=scheme, planned_spend_cents=None, declared_headcount=None, quote="")
    body = as_user(app.owner).get(edit_url(app)).content.decode()
    assert "Votre entreprise" in body and "Votre projet" in body and "Le compte à créditer" in body
    assert "Indiquez votre nombre de salariés" in body
    assert "L&#x27;entreprise est active au répertoire SIRENE." in body
    assert "Déposez le devis du prestataire (PDF)." in body
    assert "Déposer ma demande" in body
    assert "core/autosave.js" in body


def test_saving_the_draft_converts_euros_and_keeps_it_a_draft(as_user, scheme):
    app = ApplicationFactory(scheme=scheme, planned_spend_cents=None, declared_turnover_cents=None)
    response = as_user(app.owner).post(edit_url(app), draft_data(app, planned_spend="1 500,50"))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.planned_spend_cents == 150_050
    assert app.declared_turnover_cents == 35_000_000
    assert app.declared_de_minimis_cents == 0
    assert app.amount_cents == 75_025
    assert app.state == State.DRAFT


def test_autosave_saves_valid_fields_and_reports_the_others(as_user, scheme):
    app = ApplicationFactory(scheme=scheme, project_description="", iban="")
    response = as_user(app.owner).post(
        edit_url(app),
        {"project_description": "Boutique en ligne", "iban": "FR76 0000", "planned_spend": "abc"},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert set(errors) == {"iban", "planned_spend"}
    app.refresh_from_db()
    assert app.project_description == "Boutique en ligne"
    assert app.iban == ""
    assert app.planned_spend_cents == 400_000  # fields not sent or invalid are left as they were


@pytest.mark.parametrize("typed", ["1e26", "1" * 30, "9" * 40 + ",99"])
def test_autosave_of_a_huge_amount_is_refused_on_its_field(as_user, scheme, typed):
    app = ApplicationFactory(scheme=scheme)
    response = as_user(app.owner).post(edit_url(app), {"planned_spend": typed}, headers={"X-Autosave": "1"})
    assert response.status_code == 200
    assert set(response.json()["errors"]) == {"planned_spend"}
    app.refresh_from_db()
    assert app.planned_spend_cents == 400_000


def test_the_provider_scheme_asks_for_no_bank_account(as_user):
    scheme = SchemeFactory(payee=Scheme.Payee.PROVIDER)
    app = ApplicationFactory(scheme=scheme, iban="")
    body = as_user(app.owner).get(edit_url(app)).content.decode()
    assert "Le compte à créditer" not in body


def bad_save(client, app, **fields):
    assert client.post(edit_url(app), draft_data(app)).status_code == 302
    before = Application.objects.values().get(pk=app.pk)
    response = client.post(edit_url(app), draft_data(app, **fields))
    assert response.status_code == 200
    after = Application.objects.values().get(pk=app.pk)
    changed = {k for k in before if before[k] != after[k]} - {"updated_at"}
    return response.content.decode(), changed


def test_an_invalid_iban_is_refused_on_its_field(as_user, draft):
    body, changed = bad_save(as_user(draft.owner), draft, iban="FR7630006000011234567890188")
    assert "Cet IBAN n&#x27;est pas valide" in body
    assert 'aria-describedby="id_iban-desc-error id_iban_helptext"' in body
    assert changed == set()


def test_amounts_that_are_not_positive_numbers_are_refused(as_user, draft):
    client = as_user(draft.owner)
    for typed, message in [
        ("0", "Le montant doit être supérieur à zéro."),
        ("-100", "Le montant doit être supérieur à zéro."),
        ("mille", "Le montant doit être un nombre, par exemple 1 500 ou 1 500,50."),
    ]:
        body, changed = bad_save(client, draft, planned_spend=typed)
        assert message in body
        assert changed == set()


def test_a_negative_headcount_is_refused(as_user, draft):
    body, changed = bad_save(as_user(draft.owner), draft, declared_headcount="-2")
    assert "Le nombre de salariés ne peut pas être négatif." in body
    assert changed == set()


def test_a_text_file_named_like_a_pdf_is_refused(as_user, draft):
    fake = SimpleUploadedFile("devis.pdf", b"Ceci est un devis", content_type="application/pdf")
    body, changed = bad_save(as_user(draft.owner), draft, quote=fake)
    assert "Le fichier « devis.pdf » n&#x27;est pas un PDF." in body
    assert changed == set()


def test_a_file_over_10_mb_is_refused(as_user, draft):
    big = pdf_file("devis.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1))
    body, changed = bad_save(as_user(draft.owner), draft, quote=big)
    assert "dépasse 10 Mo" in body
    assert changed == set()


def test_a_new_quote_replaces_the_old_one(as_user, draft):
    old = draft.quote.name
    response = as_user(draft.owner).post(edit_url(draft), draft_data(draft, quote=pdf_file("nouveau.pdf")))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.quote.name != old and draft.quote.name.endswith(".pdf")


def test_only_the_owner_may_open_the_draft(as_user, draft, stranger, advisor, manager, auditor):
    assert as_user(stranger).get(edit_url(draft)).status_code == 404
    for user in (advisor, manager, auditor):
        assert as_user(user).get(edit_url(draft)).status_code == 403
    assert (
        as_user(stranger).post(edit_url(draft), draft_data(draft, planned_spend="9 000")).status_code == 404
    )
    draft.refresh_from_db()
    assert draft.planned_spend_cents == 400_000


def test_a_submitted_file_is_no_longer_editable(as_user, submitted):
    response = as_user(submitted.owner).post(
        edit_url(submitted), draft_data(submitted, planned_spend="9 000")
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.planned_spend_cents == 400_000


# --- submission -----------------------------------------------------------------------------------


def submit(client, app, **fields):
    return client.post(edit_url(app), draft_data(app, _action="submit", **fields))


def test_submitting_a_funded_file_says_the_amount_is_reserved(as_user, draft):
    client = as_user(draft.owner)
    response = submit(client, draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    body = client.get(response["Location"]).content.decode()
    assert "Le montant de 2\u202f000 € est réservé pour vous" in body


def test_submitting_when_the_budget_is_spent_shows_the_waitlist_position(as_user):
    scheme = SchemeFactory()
    EnvelopeFactory(scheme=scheme, total_cents=200_000)
    for _ in range(2):
        waiting = ApplicationFactory(scheme=scheme)
        services.submit(waiting.owner, waiting)
    late = ApplicationFactory(scheme=scheme)
    client = as_user(late.owner)
    response = submit(client, late)
    late.refresh_from_db()
    assert late.state == State.WAITLISTED
    body = client.get(response["Location"]).content.decode()
    assert "Vous êtes 2<sup>e</sup> sur la liste d'attente de la région Auvergne-Rhône-Alpes." in body


def test_spend_below_the_minimum_is_refused_at_submission(as_user, draft):
    response = submit(as_user(draft.owner), draft, planned_spend="300")
    assert response.status_code == 200
    assert "La dépense prévue doit être d&#x27;au moins 500 € HT." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert draft.planned_spend_cents == 30_000  # the draft keeps what was typed


def test_a_second_file_for_the_same_siren_is_refused_while_one_is_open(as_user, submitted, scheme):
    second = ApplicationFactory(scheme=scheme, company=submitted.company)
    response = submit(as_user(second.owner), second)
    assert response.status_code == 200
    assert "Une autre demande est déjà en cours pour cette entreprise" in response.content.decode()
    second.refresh_from_db()
    assert second.state == State.DRAFT


def test_a_submission_with_form_errors_is_not_sent(as_user, draft):
    response = submit(as_user(draft.owner), draft, iban="FR00")
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_a_provider_that_lost_its_accreditation_cannot_be_chosen(as_user, draft):
    unaccredited = ProviderFactory(status=ProviderStatus.REQUESTED)
    body, changed = bad_save(as_user(draft.owner), draft, provider=str(unaccredited.pk))
    assert "Choisissez un prestataire habilité dans la liste." in body
    assert changed == set()


def test_autosave_of_an_iban_sends_back_the_banks_answer_for_the_page(as_user, scheme):
    """Without a reload, the block under the account shows what the bank said of the IBAN just saved."""
    from tests.factories import register_account

    app = ApplicationFactory(scheme=scheme, iban="", standing=False)
    iban = "FR7630006000011234567890189"
    register_account(iban, app.company.denomination)
    client = as_user(app.owner)
    before = client.get(edit_url(app)).content.decode()
    assert 'id="payee-status"' in before and "Aucun IBAN n'est encore indiqué." in before

    response = client.post(
        edit_url(app), {"iban": iban, "account_holder": app.company.denomination}, headers={"X-Autosave": "1"}
    )
    fragment = response.json()["fragments"]["payee-status"]
    assert "Compte vérifié auprès de la banque" in fragment
    assert "Aucun IBAN" not in fragment
