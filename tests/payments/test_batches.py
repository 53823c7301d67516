import importlib.resources

import pytest
import xmlschema
from django.db import IntegrityError, transaction
from lxml import etree

from tests.factories import UserFactory, register_account
from tests.payments.flows import claim_approved_application, envelope_of, scheme_with_budget
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.models import AuditEvent
from tremplin.payments import services
from tremplin.payments.models import PaymentBatch, PaymentLine
from tremplin.schemes.models import LedgerEntry, Scheme
from tremplin.vouchers import services as voucher_services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
PROVIDER_IBAN = "FR7630004000031234567890143"


def sepa_tree(batch):
    return etree.fromstring(bytes(batch.xml))


def transactions(batch):
    """(end-to-end id, amount, creditor name, creditor IBAN, remittance) per transfer in the file."""
    return [
        (
            tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
            tx.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            tx.findtext("p:Cdtr/p:Nm", namespaces=NS),
            tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
        )
        for tx in sepa_tree(batch).iterfind(".//p:CdtTrfTxInf", NS)
    ]


def assert_valid_pain_001(xml):
    services.validate_sepa_xml(xml)
    # A second, independent validator on the XSD that sepaxml ships.
    schema = xmlschema.XMLSchema(
        str(importlib.resources.files("sepaxml").joinpath("schemas", "pain.001.001.03.xsd"))
    )
    schema.validate(bytes(xml).decode())


# --- the file -------------------------------------------------------------------------------------


def test_the_file_paying_businesses_validates_against_pain_001_001_03(manager, advisor, scheme):
    first = claim_approved_application(scheme, advisor, account_holder="Boulangerie Martin")
    second = claim_approved_application(scheme, advisor, invoiced_spend_cents=300_000)

    batch = services.create_batch(manager, scheme)

    assert_valid_pain_001(batch.xml)
    tree = sepa_tree(batch)
    assert tree.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == batch.message_id
    assert tree.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert tree.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "3500.00"
    assert tree.findtext(".//p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=NS) == "SEPA"
    assert tree.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "FR7630001007941234567890185"
    assert transactions(batch) == [
        (
            first.reference,
            "2000.00",
            "Boulangerie Martin",
            first.iban,
            f"{first.reference} {services.sepa_text(scheme.name)}",
        ),
        (
            second.reference,
            "1500.00",
            "Boulangerie Martin",
            second.iban,
            f"{second.reference} {services.sepa_text(scheme.name)}",
        ),
    ]
    assert batch.total_cents == 350_000
    assert batch.warnings == []


def test_the_file_paying_providers_validates_and_credits_the_provider_iban(manager, advisor, provider_scheme):
    application = claim_approved_application(provider_scheme, advisor)
    provider = application.provider
    register_account(PROVIDER_IBAN, provider.name)

    batch = services.create_batch(manager, provider_scheme)

    assert_valid_pain_001(batch.xml)
    [(end_to_end, amount, name, iban, _remittance)] = transactions(batch)
    assert (end_to_end, amount, name, iban) == (
        application.reference,
        "2000.00",
        provider.name,
        PROVIDER_IBAN,
    )
    assert iban != application.iban
    line = batch.lines.get()
    assert (line.creditor_name, line.creditor_iban) == (provider.name, provider.iban)


def test_claims_of_a_scheme_paying_providers_go_to_each_providers_iban(manager, advisor, provider_scheme):
    first = claim_approved_application(provider_scheme, advisor)
    second = claim_approved_application(provider_scheme, advisor)
    second.provider.iban = "DE89370400440532013000"
    second.provider.save()
    register_account(PROVIDER_IBAN, first.provider.name)
    register_account("DE89370400440532013000", second.provider.name)

    batch = services.create_batch(manager, provider_scheme)

    ibans = {end_to_end: iban for end_to_end, _amount, _name, iban, _rmt in transactions(batch)}
    assert ibans == {first.reference: PROVIDER_IBAN, second.reference: "DE89370400440532013000"}


def test_a_batch_only_takes_approved_claims_of_its_own_scheme(manager, advisor, scheme):
    mine = claim_approved_application(scheme, advisor)
    other_scheme = scheme_with_budget()
    claim_approved_application(other_scheme, advisor)

    batch = services.create_batch(manager, scheme)

    assert [line.application_id for line in batch.lines.all()] == [mine.pk]


def test_accents_and_symbols_are_transliterated_in_the_file(manager, advisor, scheme):
    claim_approved_application(scheme, advisor, account_holder="Crêperie Éloïse & Fils")

    batch = services.create_batch(manager, scheme)

    assert transactions(batch)[0][2] == "Creperie Eloise Fils"
    assert batch.lines.get().creditor_name == "Creperie Eloise Fils"


def test_a_name_longer_than_70_characters_is_left_out_and_named_not_cut(manager, advisor, provider_scheme):
    kept = claim_approved_application(provider_scheme, advisor)
    register_account(PROVIDER_IBAN, kept.provider.name)
    left_out = claim_approved_application(provider_scheme, advisor)
    left_out.provider.name = (
        "Société coopérative de conseil en transformation numérique des artisans du Rhône"
    )
    left_out.provider.save()

    batch = services.create_batch(manager, provider_scheme)

    assert [line.application_id for line in batch.lines.all()] == [kept.pk]
    [warning] = batch.warnings
    assert left_out.reference in warning
    assert "dépasse 70 caractères" in warning
    assert_valid_pain_001(batch.xml)


def test_a_file_without_iban_is_left_out_and_its_reference_listed(manager, advisor, provider_scheme):
    kept = claim_approved_application(provider_scheme, advisor)
    register_account(PROVIDER_IBAN, kept.provider.name)
    no_iban = claim_approved_application(provider_scheme, advisor)
    no_iban.provider.iban = ""
    no_iban.provider.save()

    batch = services.create_batch(manager, provider_scheme)

    assert [line.application_id for line in batch.lines.all()] == [kept.pk]
    assert batch.warnings == [
        f"Dossier {no_iban.reference} : l'IBAN du prestataire « {no_iban.provider.name} » est manquant."
    ]
    assert not PaymentLine.objects.filter(application=no_iban).exists()


def test_when_no_file_can_be_paid_no_batch_is_created_and_the_references_are_listed(manager, advisor, scheme):
    first = claim_approved_application(scheme, advisor)
    second = claim_approved_application(scheme, advisor)
    Application.objects.filter(pk__in=[first.pk, second.pk]).update(iban="")

    with pytest.raises(ServiceError) as refused:
        services.create_batch(manager, scheme)

    assert refused.value.code == "nothing_payable"
    assert first.reference in refused.value.message
    assert second.reference in refused.value.message
    assert not PaymentBatch.objects.exists()


def test_a_file_left_out_joins_the_next_batch_once_corrected(manager, advisor, scheme):
    claim_approved_application(scheme, advisor)
    corrected = claim_approved_application(scheme, advisor)
    checked_iban = corrected.iban
    Application.objects.filter(pk=corrected.pk).update(iban="")
    services.create_batch(manager, scheme)
    # Put back the account that was verified (another IBAN would need the advisor's confirmation).
    Application.objects.filter(pk=corrected.pk).update(iban=checked_iban)

    batch = services.create_batch(manager, scheme)

    assert [line.application_id for line in batch.lines.all()] == [corrected.pk]


def test_a_long_scheme_name_is_shortened_in_the_remittance_but_the_reference_is_kept(manager, advisor):
    scheme = scheme_with_budget(
        name="Chèque numérique " + "pour la transition des commerces de proximité " * 3
    )
    application = claim_approved_application(scheme, advisor)

    batch = services.create_batch(manager, scheme)

    remittance = transactions(batch)[0][4]
    assert len(remittance) == 140
    assert remittance.startswith(application.reference + " Cheque numerique pour")
    assert remittance.endswith("...")


def test_nothing_to_pay_is_a_conflict(manager, advisor, scheme):
    claim_approved_application(scheme, advisor)
    services.create_batch(manager, scheme)

    with pytest.raises(Conflict) as refused:
        services.create_batch(manager, scheme)

    assert refused.value.code == "nothing_to_pay"
    assert "Aucune demande de paiement validée" in refused.value.message
    assert PaymentBatch.objects.count() == 1


def test_an_invalid_file_is_refused_by_the_validator(manager, advisor, scheme):
    claim_approved_application(scheme, advisor)
    batch = services.create_batch(manager, scheme)
    broken = bytes(batch.xml).replace(b"<CtrlSum>", b"<CtrlSum>x", 1)

    with pytest.raises(ServiceError) as refused:
        services.validate_sepa_xml(broken, "lot.xml")

    assert refused.value.code == "invalid_sepa_file"
    assert "« lot.xml »" in refused.value.message


# --- never twice ----------------------------------------------------------------------------------


def test_a_second_batch_finds_nothing_and_regenerating_keeps_the_same_lines(manager, advisor, scheme):
    applications = [claim_approved_application(scheme, advisor) for _ in range(3)]
    batch = services.create_batch(manager, scheme)
    lines_before = list(batch.lines.values_list("application_id", "amount_cents", "end_to_end_id"))

    with pytest.raises(Conflict):
        services.create_batch(manager, scheme)
    batch = services.regenerate_xml(manager, batch)
    batch = services.regenerate_xml(manager, batch)

    assert list(batch.lines.values_list("application_id", "amount_cents", "end_to_end_id")) == lines_before
    assert [tx[0] for tx in transactions(batch)] == [a.reference for a in applications]
    assert sepa_tree(batch).findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == batch.message_id
    assert PaymentBatch.objects.count() == 1
    assert PaymentLine.objects.count() == 3
    assert_valid_pain_001(batch.xml)


def test_marking_a_batch_paid_twice_is_refused_and_each_claim_is_disbursed_once(manager, advisor, scheme):
    applications = [
        claim_approved_application(scheme, advisor, invoiced_spend_cents=spend)
        for spend in (400_000, 300_000, 250_000)
    ]
    batch = services.create_batch(manager, scheme)
    services.regenerate_xml(manager, batch)

    services.mark_batch_paid(manager, batch)
    with pytest.raises(Conflict) as refused:
        services.mark_batch_paid(manager, batch)

    assert refused.value.code == "already_paid"
    assert "déjà payé" in refused.value.message
    batch.refresh_from_db()
    assert batch.state == PaymentBatch.State.PAID
    payable = {a.pk: a.claim.payable_cents for a in applications}
    assert payable == {applications[0].pk: 200_000, applications[1].pk: 150_000, applications[2].pk: 125_000}
    for application in applications:
        application.refresh_from_db()
        assert application.state == State.PAID
        disbursed = LedgerEntry.objects.filter(application=application, kind=LedgerEntry.Kind.DISBURSE)
        assert list(disbursed.values_list("amount_cents", flat=True)) == [payable[application.pk]]
    envelope = envelope_of(applications[0])
    assert envelope.disbursed_cents == sum(payable.values()) == batch.total_cents
    # What was not paid (voucher above the invoiced share) went back to the envelope.
    assert envelope.committed_cents == sum(payable.values())


def test_a_claim_can_never_be_in_two_batches(manager, advisor, scheme):
    application = claim_approved_application(scheme, advisor)
    first = services.create_batch(manager, scheme)
    other = PaymentBatch.objects.create(
        scheme=scheme, message_id="TN-AUTRE", created_by=manager, execution_date=first.execution_date
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=other,
            application=application,
            amount_cents=1,
            creditor_name="X",
            creditor_iban="FR7630006000011234567890189",
            end_to_end_id="TN-AUTRE-1",
            remittance_info="X",
        )


def test_a_paid_batch_can_be_neither_regenerated_nor_cancelled(manager, advisor, scheme):
    claim_approved_application(scheme, advisor)
    batch = services.mark_batch_paid(manager, services.create_batch(manager, scheme))
    xml = bytes(batch.xml)

    with pytest.raises(Conflict):
        services.regenerate_xml(manager, batch)
    with pytest.raises(Conflict):
        services.cancel_batch(manager, batch, "Erreur")

    batch.refresh_from_db()
    assert (batch.state, bytes(batch.xml)) == (PaymentBatch.State.PAID, xml)


def test_cancelling_a_draft_batch_returns_its_claims_to_the_pool(manager, advisor, scheme):
    application = claim_approved_application(scheme, advisor)
    cancelled = services.create_batch(manager, scheme)

    services.cancel_batch(manager, cancelled, "Fichier refusé par la banque")
    batch = services.create_batch(manager, scheme)

    cancelled.refresh_from_db()
    assert cancelled.state == PaymentBatch.State.CANCELLED
    assert not cancelled.lines.exists()
    assert [line.application_id for line in batch.lines.all()] == [application.pk]
    with pytest.raises(Conflict):
        services.mark_batch_paid(manager, cancelled)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSE).count() == 0


def test_regenerating_picks_up_a_corrected_iban_without_changing_amounts(manager, advisor, scheme):
    application = claim_approved_application(scheme, advisor)
    batch = services.create_batch(manager, scheme)
    Application.objects.filter(pk=application.pk).update(iban="FR7630004000031234567890143")
    # A corrected account is paid only once an advisor has checked its RIB.
    voucher_services.confirm_payee(advisor, application, {"rib_holder", "rib_iban"})

    batch = services.regenerate_xml(manager, batch)

    [(end_to_end, amount, _name, iban, _rmt)] = transactions(batch)
    assert (end_to_end, amount, iban) == (application.reference, "2000.00", "FR7630004000031234567890143")
    event = AuditEvent.objects.for_object(batch).get(action="regenerate_xml")
    assert event.data["creditor_changed"] == [application.reference]


def test_regenerating_is_refused_and_changes_nothing_when_an_iban_went_missing(manager, advisor, scheme):
    application = claim_approved_application(scheme, advisor)
    iban = application.iban
    batch = services.create_batch(manager, scheme)
    xml = bytes(batch.xml)
    Application.objects.filter(pk=application.pk).update(iban="")

    with pytest.raises(ServiceError) as refused:
        services.regenerate_xml(manager, batch)

    assert refused.value.code == "batch_line_invalid"
    assert batch.filename in refused.value.message
    assert application.reference in refused.value.message
    batch.refresh_from_db()
    assert bytes(batch.xml) == xml
    assert batch.lines.get().creditor_iban == iban


def test_each_batch_change_is_traced_in_the_audit_log(manager, advisor, scheme):
    application = claim_approved_application(scheme, advisor)
    batch = services.create_batch(manager, scheme)
    services.mark_batch_paid(manager, batch)

    events = list(
        AuditEvent.objects.for_object(batch).values_list("action", "from_state", "to_state", "actor")
    )
    assert events == [
        ("create_batch", "", "draft", manager.pk),
        ("mark_batch_paid", "draft", "paid", manager.pk),
    ]
    paid = AuditEvent.objects.for_object(application).get(action="mark_paid")
    assert paid.reason == batch.message_id


# --- permissions ----------------------------------------------------------------------------------

NOT_MANAGERS = [
    pytest.param(lambda: UserFactory(), id="owner"),
    pytest.param(lambda: UserFactory(advisor=True), id="advisor"),
    pytest.param(lambda: UserFactory(auditor=True), id="auditor"),
    pytest.param(lambda: UserFactory(provider_member=True), id="provider"),
]


@pytest.mark.parametrize("make_user", NOT_MANAGERS)
def test_only_a_manager_may_create_a_batch(make_user, advisor, scheme):
    claim_approved_application(scheme, advisor)

    with pytest.raises(PermissionDenied):
        services.create_batch(make_user(), scheme)

    assert not PaymentBatch.objects.exists()


@pytest.mark.parametrize("make_user", NOT_MANAGERS)
def test_only_a_manager_may_mark_a_batch_paid_regenerate_or_cancel_it(make_user, manager, advisor, scheme):
    application = claim_approved_application(scheme, advisor)
    batch = services.create_batch(manager, scheme)
    user = make_user()

    for action in (
        lambda: services.mark_batch_paid(user, batch),
        lambda: services.regenerate_xml(user, batch),
        lambda: services.cancel_batch(user, batch, "Essai"),
    ):
        with pytest.raises(PermissionDenied):
            action()

    batch.refresh_from_db()
    application.refresh_from_db()
    assert (batch.state, application.state) == (PaymentBatch.State.DRAFT, State.CLAIM_APPROVED)
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSE).exists()


def test_the_owner_of_a_file_cannot_create_a_batch_even_for_their_own_claim(advisor, scheme):
    application = claim_approved_application(scheme, advisor)

    with pytest.raises(PermissionDenied) as refused:
        services.create_batch(application.owner, scheme)

    assert refused.value.message == "Seul un gestionnaire du programme peut créer un lot de paiement."


def test_scheme_payee_choices_are_the_two_known_models():
    assert set(Scheme.Payee.values) == {"business", "provider"}
