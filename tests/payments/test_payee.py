"""A batch pays only an account verified as the payee's: the company's (bank's MATCH or the advisor's
confirmation since the last change), or, when the scheme pays providers, the provider's (MATCH)."""

import html

import pytest
from django.urls import reverse

from tests.factories import pdf_file, register_account
from tests.payments.flows import claim_approved_application
from tremplin.payments import services
from tremplin.payments.models import PaymentBatch, PaymentLine
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db

PRIVATE_IBAN = "FR7630004000031234567890143"
OTHER_COMPANY_IBAN = "FR7630002005500000157845029"


def confirm_payee(advisor, application):
    checked = [key for key, _label in vouchers.payee_checklist(application)]
    return vouchers.confirm_payee(advisor, Application.objects.get(pk=application.pk), checked)


def lines_of(batch):
    return list(batch.lines.order_by("pk").values_list("application_id", "creditor_iban"))


def test_an_account_in_a_private_persons_name_is_left_out_with_its_sentence_until_the_advisor_confirms_it(
    manager, advisor, scheme
):
    kept = claim_approved_application(scheme, advisor)
    changed = claim_approved_application(scheme, advisor)
    register_account(PRIVATE_IBAN, "Jean Dupont")
    changed = vouchers.change_bank_account(changed.owner, changed, PRIVATE_IBAN, pdf_file("rib.pdf"))
    assert (changed.payee_outcome, changed.payee_verified) == ("no_match", False)

    batch = services.create_batch(manager, scheme)

    assert lines_of(batch) == [(kept.pk, kept.iban)]
    assert batch.warnings == [
        f"Dossier {changed.reference} : le compte à créditer n'est pas confirmé au nom de l'entreprise "
        "(la banque répond « Le nom ne correspond pas » ; le compte a été changé après l'accord du chèque). "
        "Le conseiller du dossier doit contrôler le RIB et confirmer le compte ; le dossier reste en attente "
        "et partira dans le lot suivant."
    ]
    assert not PaymentLine.objects.filter(application=changed).exists()
    assert Application.objects.get(pk=changed.pk).state == State.CLAIM_APPROVED

    confirm_payee(advisor, changed)
    batch = services.create_batch(manager, scheme)

    assert lines_of(batch) == [(changed.pk, PRIVATE_IBAN)]
    assert batch.warnings == []


def test_an_iban_changed_after_approval_is_left_out_even_in_the_companys_name_until_confirmed_again(
    manager, advisor, scheme
):
    application = claim_approved_application(scheme, advisor)
    register_account(OTHER_COMPANY_IBAN, application.company.denomination)
    application = vouchers.change_bank_account(
        application.owner, application, OTHER_COMPANY_IBAN, pdf_file("rib.pdf")
    )
    assert application.payee_outcome == "match" and not application.payee_verified

    with pytest.raises(services.ServiceError) as refused:
        services.create_batch(manager, scheme)

    assert refused.value.code == "nothing_payable"
    assert application.reference in refused.value.message
    assert "le compte a été changé après l'accord du chèque" in refused.value.message
    assert not PaymentBatch.objects.exists()

    confirm_payee(advisor, application)
    batch = services.create_batch(manager, scheme)

    assert lines_of(batch) == [(application.pk, OTHER_COMPANY_IBAN)]


def test_the_manager_reads_why_a_file_was_left_out_on_the_batch_page(client, manager, advisor, scheme):
    claim_approved_application(scheme, advisor)
    changed = claim_approved_application(scheme, advisor)
    register_account(PRIVATE_IBAN, "Jean Dupont")
    vouchers.change_bank_account(changed.owner, changed, PRIVATE_IBAN, pdf_file("rib.pdf"))
    client.force_login(manager)

    response = client.post(reverse("payments:create"), {"scheme": scheme.pk}, follow=True)

    body = html.unescape(response.content.decode())
    assert (
        f"Dossier {changed.reference} : le compte à créditer n'est pas confirmé au nom de l'entreprise"
        in body
    )
    assert PaymentBatch.objects.get().lines.count() == 1


def test_a_provider_account_the_bank_does_not_match_to_its_name_is_left_out(
    manager, advisor, provider_scheme
):
    paid = claim_approved_application(provider_scheme, advisor)
    register_account(paid.provider.iban, paid.provider.name)
    other = claim_approved_application(provider_scheme, advisor)
    other.provider.iban = OTHER_COMPANY_IBAN
    other.provider.save()
    register_account(OTHER_COMPANY_IBAN, "Jean Dupont")

    batch = services.create_batch(manager, provider_scheme)

    assert lines_of(batch) == [(paid.pk, paid.provider.iban)]
    assert batch.warnings == [
        f"Dossier {other.reference} : la banque ne confirme pas que le compte du prestataire "
        f"« {other.provider.name} » est à son nom (réponse : « Le nom ne correspond pas »). Le prestataire "
        "doit donner le RIB d'un compte à son nom ; le dossier reste en attente et partira dans le lot suivant."
    ]


def test_a_provider_account_the_bank_cannot_check_is_left_out(manager, advisor, provider_scheme):
    application = claim_approved_application(provider_scheme, advisor)

    with pytest.raises(services.ServiceError) as refused:
        services.create_batch(manager, provider_scheme)

    assert application.reference in refused.value.message
    assert "(réponse : « Vérification impossible »)" in refused.value.message

    register_account(application.provider.iban, application.provider.name)
    batch = services.create_batch(manager, provider_scheme)
    assert lines_of(batch) == [(application.pk, application.provider.iban)]
