"""Fraud flags: a positive and a negative case for each, the queries bounded, and never a change of state."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.factories import ApplicationFactory, CompanyFactory, ProviderFactory, register_representative
from tremplin.fraud.flags import AT_CAP_MIN_CLAIMS, RECENT_COMPANY_DAYS, Files, all_flags, flags_for
from tremplin.providers.models import Quote, QuoteRequest
from tremplin.registry.models import Establishment
from tremplin.vouchers.models import Claim, State

pytestmark = pytest.mark.django_db


def filed(scheme, state=State.UNDER_REVIEW, **fields):
    """A submitted file of a company of its own."""
    fields.setdefault("company", CompanyFactory())
    return ApplicationFactory(scheme=scheme, state=state, **fields)


def claimed(scheme, number="F-123", sha="", payable_cents=150_000, **fields):
    application = filed(scheme, state=State.CLAIM_SUBMITTED, **fields)
    Claim.objects.create(
        application=application,
        invoice="invoices/facture.pdf",
        proof_of_payment="proofs/preuve.pdf",
        invoiced_spend_cents=400_000,
        invoice_number=number,
        invoice_sha256=sha,
        payable_cents=payable_cents,
    )
    return application


def codes(application, code):
    return [f for f in flags_for(application) if f.code == code]


# --- the same invoice on two claims --------------------------------------------------------------


def test_the_same_invoice_number_from_the_same_seller_on_two_claims_is_flagged(scheme):
    agency = ProviderFactory(name="Agence X")
    first = claimed(scheme, number="F-123", provider=agency)
    second = claimed(scheme, number="f 123", provider=agency)
    [finding] = codes(first, "same_invoice")
    assert (
        finding.sentence == f"La facture n° F-123 de Agence X figure aussi sur le dossier {second.reference}."
    )
    assert finding.others == [second]


def test_the_same_number_from_two_sellers_is_not_flagged(scheme):
    first = claimed(scheme, number="F-123")
    claimed(scheme, number="F-123")
    assert codes(first, "same_invoice") == []


def test_the_same_invoice_file_on_two_claims_is_flagged(scheme):
    first = claimed(scheme, number="A-1", sha="ab" * 32)
    second = claimed(scheme, number="B-2", sha="ab" * 32)
    [finding] = codes(second, "same_invoice")
    assert first.reference in finding.sentence and finding.others == [first]


def test_different_invoice_files_are_not_flagged(scheme):
    first = claimed(scheme, number="A-1", sha="ab" * 32)
    claimed(scheme, number="B-2", sha="cd" * 32)
    assert codes(first, "same_invoice") == []


# --- one IBAN for unrelated companies ------------------------------------------------------------


IBAN = "FR7630006000011234567890189"


def test_one_iban_for_two_companies_is_flagged(scheme):
    first = filed(scheme, iban=IBAN)
    second = filed(scheme, iban=IBAN.lower())
    [finding] = codes(first, "shared_iban")
    assert IBAN in finding.sentence and second.company.display_name in finding.sentence
    assert finding.others == [second]


def test_different_ibans_are_not_flagged(scheme):
    first = filed(scheme)
    filed(scheme)
    assert codes(first, "shared_iban") == []


def test_drafts_are_left_out(scheme):
    first = filed(scheme, iban=IBAN)
    filed(scheme, state=State.DRAFT, iban=IBAN)
    assert codes(first, "shared_iban") == []


# --- provider and beneficiary sharing an address, a director or an IBAN -------------------------


def test_a_provider_paid_on_the_beneficiarys_iban_is_flagged(scheme):
    agency = ProviderFactory(name="Agence X", iban=IBAN)
    application = filed(scheme, provider=agency, iban=IBAN)
    [finding] = codes(application, "provider_link")
    assert "Agence X" in finding.sentence and "même IBAN" in finding.sentence


def test_a_provider_at_the_beneficiarys_address_is_flagged(scheme):
    agency = ProviderFactory(name="Agence X")
    application = filed(scheme, provider=agency)
    place = {"street": "12 rue de la République", "postal_code": "69001", "commune_name": "Lyon"}
    Establishment.objects.create(siret=agency.siret, company=CompanyFactory(), nic=agency.siret[9:], **place)
    Establishment.objects.create(
        siret=application.company.siren + "00011",
        company=application.company,
        nic="00011",
        is_head_office=True,
        **{**place, "street": "12, RUE DE LA REPUBLIQUE"},
    )
    [finding] = codes(application, "provider_link")
    assert "même adresse" in finding.sentence and "Lyon" in finding.sentence


def test_a_provider_elsewhere_is_not_flagged(scheme):
    agency = ProviderFactory(name="Agence X")
    application = filed(scheme, provider=agency)
    Establishment.objects.create(
        siret=agency.siret, company=CompanyFactory(), nic="00011", street="1 rue A", postal_code="69002"
    )
    Establishment.objects.create(
        siret=application.company.siren + "00011",
        company=application.company,
        nic="00011",
        is_head_office=True,
        street="1 rue A",
        postal_code="69001",
    )
    assert codes(application, "provider_link") == []


def test_a_provider_run_by_the_beneficiarys_director_is_flagged(scheme):
    agency = ProviderFactory(name="Agence X")
    application = filed(scheme, provider=agency)
    register_representative(application.company, "Jean", "Dupont")
    register_representative(SimpleNamespace(siren=agency.siret[:9]), "JEAN", "Dupont")
    [finding] = codes(application, "provider_link")
    assert finding.sentence == (
        f"Jean Dupont dirige à la fois le prestataire Agence X et {application.company.display_name}."
    )


def test_a_provider_run_by_someone_else_is_not_flagged(scheme):
    agency = ProviderFactory(name="Agence X")
    application = filed(scheme, provider=agency)
    register_representative(application.company, "Jean", "Dupont")
    register_representative(SimpleNamespace(siren=agency.siret[:9]), "Jean", "Dupont", birth_month="1990-01")
    assert codes(application, "provider_link") == []


# --- a provider's claims at the cap across many files --------------------------------------------


def test_a_provider_with_many_claims_at_the_cap_is_flagged(scheme):
    agency = ProviderFactory(name="Agence X")
    files = [
        claimed(scheme, number=f"F-{n}", provider=agency, payable_cents=scheme.cap_cents)
        for n in range(AT_CAP_MIN_CLAIMS)
    ]
    [finding] = codes(files[0], "at_cap")
    assert f"{AT_CAP_MIN_CLAIMS} demandes de paiement exactement au plafond" in finding.sentence
    assert finding.others == files[1:]


def test_fewer_claims_at_the_cap_are_not_flagged(scheme):
    agency = ProviderFactory(name="Agence X")
    files = [
        claimed(scheme, number=f"F-{n}", provider=agency, payable_cents=scheme.cap_cents)
        for n in range(AT_CAP_MIN_CLAIMS - 1)
    ]
    files.append(claimed(scheme, number="F-last", provider=agency, payable_cents=scheme.cap_cents - 100))
    assert codes(files[0], "at_cap") == []


# --- companies created just before the window ----------------------------------------------------


def test_a_company_created_just_before_the_window_is_flagged(scheme):
    opens = timezone.localtime(scheme.window_opens_at).date()
    application = filed(scheme, company=CompanyFactory(created_on=opens - timedelta(days=20)))
    [finding] = codes(application, "recent_company")
    assert "20 jours avant l'ouverture des dépôts" in finding.sentence


def test_an_older_company_is_not_flagged(scheme):
    opens = timezone.localtime(scheme.window_opens_at).date()
    application = filed(
        scheme, company=CompanyFactory(created_on=opens - timedelta(days=RECENT_COMPANY_DAYS + 1))
    )
    assert codes(application, "recent_company") == []


# --- a quote far above the provider's usual prices ------------------------------------------------


def quoted(application, above):
    request = QuoteRequest.objects.create(
        application=application,
        owner=application.owner,
        category=application.spend_category,
        description="Site",
    )
    return Quote.objects.create(
        request=request,
        provider=application.provider,
        state=Quote.State.CHOSEN,
        amount_cents=900_000,
        catalogue_max_cents=300_000,
        above_catalogue=above,
    )


def test_a_quote_far_above_the_catalogue_is_flagged(scheme):
    application = filed(scheme, provider=ProviderFactory(name="Agence X"))
    quoted(application, above=True)
    [finding] = codes(application, "above_catalogue")
    assert "Agence X" in finding.sentence and "9\u202f000 €" in finding.sentence


def test_a_quote_within_the_catalogue_is_not_flagged(scheme):
    application = filed(scheme)
    quoted(application, above=False)
    assert codes(application, "above_catalogue") == []


# --- bounded, and never a decision ----------------------------------------------------------------


def test_the_flags_of_every_file_take_a_fixed_number_of_queries(scheme, django_assert_num_queries):
    agency = ProviderFactory(name="Agence X", iban=IBAN)
    for _ in range(6):
        quoted(
            claimed(scheme, number="F-1", provider=agency, iban=IBAN, payable_cents=scheme.cap_cents), True
        )
    with django_assert_num_queries(4):
        findings = all_flags(Files())
    assert {f.code for f in findings} == {
        "same_invoice",
        "shared_iban",
        "provider_link",
        "at_cap",
        "above_catalogue",
    }


def test_flags_change_no_state(scheme):
    first = filed(scheme, iban=IBAN)
    filed(scheme, iban=IBAN)
    assert flags_for(first)
    first.refresh_from_db()
    assert first.state == State.UNDER_REVIEW


def test_the_flags_of_one_file_take_a_fixed_number_of_queries(scheme, django_assert_num_queries):
    agency = ProviderFactory(name="Agence X", iban=IBAN)
    files = [
        claimed(scheme, number="F-1", provider=agency, iban=IBAN, payable_cents=scheme.cap_cents)
        for _ in range(6)
    ]
    for _ in range(3):
        claimed(scheme, number="F-9")
    with django_assert_num_queries(5):
        findings = flags_for(files[0])
    assert {f.code for f in findings} == {"same_invoice", "shared_iban", "provider_link", "at_cap"}


def test_one_file_gets_the_same_flags_as_in_the_whole_list(scheme):
    agency = ProviderFactory(name="Agence X")
    first = claimed(scheme, number="F-1", sha="ab" * 32, iban=IBAN, provider=agency)
    claimed(scheme, number="F-1", provider=agency)
    claimed(scheme, number="Z", sha="ab" * 32)
    filed(scheme, iban=IBAN)
    expected = [(f.code, f.sentence) for f in all_flags() if f.application == first]
    assert [(f.code, f.sentence) for f in flags_for(first)] == expected
    assert [code for code, _sentence in expected] == ["same_invoice", "same_invoice", "shared_iban"]
