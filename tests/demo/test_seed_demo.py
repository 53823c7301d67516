import pytest
from django.core.management import call_command
from django.utils import timezone

import config.settings as project_settings
from tremplin.accounts.models import Role, User
from tremplin.authority.models import Capacity, Mandate, Representation
from tremplin.authority.payee import Outcome
from tremplin.core.models import AuditEvent
from tremplin.demo.bank import company_iban, personal_iban
from tremplin.fraud.flags import all_flags
from tremplin.schemes.budget import ledger_totals
from tremplin.schemes.models import Envelope
from tremplin.vouchers.access import applications_for
from tremplin.vouchers.models import Application, State, states_tagged

DEMO = "@demo.tremplin-numerique.fr"


@pytest.fixture(autouse=True)
def _demo_register_and_bank(settings):
    """The seed reads the demo's extracts of the business register and of the banks, as `make run` does."""
    settings.AUTHORITY_REPRESENTATIVES = project_settings.AUTHORITY_REPRESENTATIVES
    settings.PAYEE_VERIFICATION = project_settings.PAYEE_VERIFICATION


def representation(application):
    return Representation.objects.get(user=application.owner, company=application.company)


@pytest.mark.django_db
def test_demo_data_shows_every_state_in_two_regions_and_loads_only_once(capsys):
    call_command("seed_demo")

    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(State.values)
    regions = set(Application.objects.values_list("company__departement__region__name", flat=True))
    assert regions == {"Auvergne-Rhône-Alpes", "Bretagne"}
    for role in Role.values:
        assert User.objects.filter(role=role, email__endswith=DEMO).exists()
    for envelope in Envelope.objects.all():
        assert ledger_totals(envelope.pk) == {
            "committed_cents": envelope.committed_cents,
            "disbursed_cents": envelope.disbursed_cents,
        }
        assert envelope.committed_cents <= envelope.total_cents
    demo_owner = User.objects.get(email=f"dirigeante{DEMO}")
    assert set(demo_owner.applications.values_list("state", flat=True)) == {"draft", "approved", "paid"}
    assert demo_owner.check_password("demo-tremplin-2026")

    from tremplin.providers.models import Offer, Provider, Review

    assert Provider.objects.accredited().count() >= 100
    # Every provider the demo shows as accredited holds a valid URSSAF certificate and insurance.
    for provider in Provider.objects.filter(status="accredited"):
        valid = provider.documents.filter(expires_on__gte=timezone.localdate())
        assert set(valid.values_list("kind", flat=True)) == {"urssaf", "insurance"}, provider.name
        assert provider.accredited
    assert Offer.objects.exists()
    assert Review.objects.exists()

    files = Application.objects.count()
    call_command("seed_demo")
    assert Application.objects.count() == files
    assert "déjà présentes" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_files_show_each_case_of_the_authority_and_payee_checks():
    call_command("seed_demo")
    applications = list(Application.objects.select_related("owner", "company", "scheme"))
    basis = {app.pk: representation(app).basis for app in applications}

    # Most files: the owner is a director in the register, who declared it.
    by_registry = [app for app in applications if basis[app.pk] == Representation.Basis.REGISTRY]
    assert len(by_registry) > 0.8 * len(applications)
    demo_owner = User.objects.get(email=f"dirigeante{DEMO}")
    assert {representation(app).basis for app in demo_owner.applications.all()} == {"registry"}
    assert {representation(app).matched_role for app in demo_owner.applications.all()} == {
        "Gérant",
        "Président",
    }

    # Confirmed by an advisor on documents, through the file's transition.
    [confirmed] = [app for app in applications if basis[app.pk] == Representation.Basis.ADVISOR]
    rep = representation(confirmed)
    assert (
        rep.capacity == Capacity.MANDATE_HOLDER and rep.has_documents and rep.decided_by.role == Role.ADVISOR
    )
    assert AuditEvent.objects.for_object(confirmed).filter(action="confirm_authority").exists()
    assert confirmed.state == State.SUBMITTED and confirmed.reserved_cents > 0

    # Pending: documents uploaded, held before any reservation, in the queue of the CMA's advisor.
    [pending] = [app for app in applications if app.state == State.AUTHORITY_CHECK]
    rep = representation(pending)
    assert rep.status == Representation.Status.PENDING and rep.has_documents
    assert pending.reserved_cents == 0
    cma_advisor = User.objects.get(email=f"conseiller2{DEMO}")
    assert cma_advisor.organisation.name == "CMA Auvergne-Rhône-Alpes"
    assert applications_for(cma_advisor).filter(pk=pending.pk).exists()

    # Contested by the company's real director, whom the register lists.
    [contested] = [app for app in applications if app.state == State.CONTESTED]
    assert representation(contested).status == Representation.Status.PENDING
    contester = Representation.objects.get(user=contested.contested_by, company=contested.company)
    assert contester.basis == Representation.Basis.REGISTRY and contested.contested_by != contested.owner
    assert contested.held_from == State.AUTHORITY_CHECK

    # The files the fraud flags point to give an account that is not the company's on purpose.
    flagged = {finding.application.pk for finding in all_flags()}
    # Payee NO MATCH: the director's own account; open, waiting for the advisor's confirmation.
    [no_match] = [
        app for app in applications if app.payee_outcome == Outcome.NO_MATCH and app.pk not in flagged
    ]
    assert no_match.state in states_tagged("open") and not no_match.payee_verified
    assert no_match.iban == personal_iban(no_match.company.siren)
    assert basis[no_match.pk] == Representation.Basis.REGISTRY

    # Every other file is paid to the company's account at the demo bank, with its RIB.
    for app in applications:
        assert app.bank_document
        if app != no_match and app.pk not in flagged:
            assert app.iban == company_iban(app.company.siren)
            assert app.payee_outcome in (Outcome.MATCH, Outcome.CLOSE_MATCH)
        if app.state in states_tagged("granted"):
            assert app.payee_verified

    # The demo owner's mandates: her accountant's, active and used; her brother's, revoked.
    active = Mandate.objects.get(revoked_at__isnull=True)
    assert active.kind == Mandate.Kind.ACCOUNTANT and active.grantor == demo_owner
    assert Representation.objects.get(mandate=active).status == Representation.Status.VERIFIED
    revoked = Mandate.objects.get(revoked_at__isnull=False)
    assert Representation.objects.get(mandate=revoked).status == Representation.Status.REVOKED


@pytest.mark.django_db
def test_demo_files_show_one_case_of_the_fraud_flags_each_and_no_other_flag():
    call_command("seed_demo")
    findings = all_flags()
    by_code = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding.application)
    assert set(by_code) == {"same_invoice", "shared_iban", "provider_link"}

    # One invoice file on the claims of two files of the same provider.
    first, second = by_code["same_invoice"]
    assert first.provider == second.provider and first.company != second.company
    assert first.claim.invoice_sha256 == second.claim.invoice_sha256
    # Two companies, one IBAN: the first company's own; the bank says it is not the second's.
    first, second = by_code["shared_iban"]
    assert first.iban == second.iban == company_iban(first.company.siren)
    assert second.payee_outcome == Outcome.NO_MATCH and not second.payee_verified
    # The provider's own account given as the company's.
    [linked] = by_code["provider_link"]
    assert linked.iban == linked.provider.iban and not linked.payee_verified
    # Every other file's invoice is its own: no flag out of the planted cases.
    others = Application.objects.exclude(pk__in=[f.application.pk for f in findings]).filter(
        claim__isnull=False
    )
    hashes = list(others.values_list("claim__invoice_sha256", flat=True))
    assert len(hashes) == len(set(hashes)) > 5
