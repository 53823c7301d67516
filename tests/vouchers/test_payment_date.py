"""The date the owner may expect the payment on: the batch's, else the scheme's target after the claim's
approval, moved off the weekend; the real date once paid."""

import importlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.api.conftest import api_for, ok
from tests.factories import UserFactory, pdf_file
from tremplin.accounts.models import Role
from tremplin.payments import services as payments
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, Claim
from tremplin.vouchers.payment_date import expected_payment_on

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def claim_under_review(approved, owner, advisor):
    services.submit_claim(owner, approved, pdf_file("facture.pdf"), pdf_file("preuve.pdf"), 400_000)
    return services.start_claim_review(advisor, Application.objects.get(pk=approved.pk))


def approve_claim_on(time_machine, advisor, application, when):
    time_machine.move_to(when, tick=False)
    services.approve_claim(advisor, application)
    return Claim.objects.select_related("application__scheme").get(application=application)


def test_nothing_is_expected_before_the_claim_is_approved(claim_under_review):
    claim = Claim.objects.get(application=claim_under_review)
    assert claim.approved_at is None
    assert expected_payment_on(claim) is None


def test_the_approval_is_recorded_and_the_target_counts_from_it(time_machine, claim_under_review, advisor):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))  # a Monday
    assert claim.approved_at == at(2026, 3, 2, 10, 30)
    assert claim.application.scheme.payment_target_days == 30
    assert expected_payment_on(claim) == date(2026, 4, 1)  # a Wednesday


def test_a_target_passed_without_a_batch_is_never_shown_in_the_past(
    time_machine, claim_under_review, advisor
):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    time_machine.move_to(at(2026, 4, 10, 9), tick=False)  # Friday, target (1 April) passed, no batch yet
    assert expected_payment_on(claim) == date(2026, 4, 13)  # the next working day, not 1 April


@pytest.mark.parametrize(
    ("approved_on", "expected"),
    [
        (at(2026, 3, 5, 9), date(2026, 4, 6)),  # + 30 days = Saturday 4 April → Monday 6
        (at(2026, 3, 6, 9), date(2026, 4, 6)),  # + 30 days = Sunday 5 April → Monday 6
        (at(2026, 3, 4, 9), date(2026, 4, 3)),  # + 30 days = Friday 3 April, kept
    ],
)
def test_a_date_on_a_weekend_moves_to_the_next_monday(
    time_machine, claim_under_review, advisor, approved_on, expected
):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, approved_on)
    assert expected_payment_on(claim) == expected


def test_the_target_is_the_schemes(time_machine, claim_under_review, advisor, scheme):
    scheme.payment_target_days = 10
    scheme.save()
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    assert expected_payment_on(claim) == date(2026, 3, 12)


def test_once_in_a_batch_the_batch_execution_date_is_expected(
    time_machine, claim_under_review, advisor, manager, scheme
):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    time_machine.move_to(at(2026, 3, 10, 15), tick=False)  # a Tuesday
    payments.create_batch(manager, scheme)
    claim = Claim.objects.get(pk=claim.pk)
    assert expected_payment_on(claim) == date(2026, 3, 10)


def test_a_batch_made_on_a_saturday_is_expected_on_monday(
    time_machine, claim_under_review, advisor, manager, scheme
):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    time_machine.move_to(at(2026, 3, 14, 11), tick=False)  # a Saturday
    payments.create_batch(manager, scheme)
    assert expected_payment_on(Claim.objects.get(pk=claim.pk)) == date(2026, 3, 16)


def test_a_cancelled_batch_gives_the_target_back(time_machine, claim_under_review, advisor, manager, scheme):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    time_machine.move_to(at(2026, 3, 10, 15), tick=False)
    payments.cancel_batch(manager, payments.create_batch(manager, scheme), "Fichier refusé par la banque.")
    assert expected_payment_on(Claim.objects.get(pk=claim.pk)) == date(2026, 4, 1)


def test_once_paid_the_payment_date_is_given(time_machine, claim_under_review, advisor, manager, scheme):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    time_machine.move_to(at(2026, 3, 10, 15), tick=False)
    batch = payments.create_batch(manager, scheme)
    time_machine.move_to(at(2026, 3, 12, 9), tick=False)
    payments.mark_batch_paid(manager, batch)
    assert expected_payment_on(Claim.objects.get(pk=claim.pk)) == date(2026, 3, 12)


# --- what the owner reads ---------------------------------------------------------------------------


def test_the_owner_reads_the_expected_date_on_the_file_page(
    time_machine, client_for, owner, claim_under_review, advisor
):
    approve_claim_on(time_machine, advisor, claim_under_review, at(2027, 1, 1, 10))  # + 30: Sunday 31 Jan
    page = client_for(owner).get(reverse("vouchers:detail", args=[claim_under_review.pk]))
    assert page.status_code == 200
    assert "Paiement prévu vers le 1er février 2027" in page.content.decode()


def test_the_owner_reads_the_payment_date_once_paid(
    time_machine, client_for, owner, claim_under_review, advisor, manager, scheme
):
    approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    time_machine.move_to(at(2026, 3, 12, 9), tick=False)
    payments.mark_batch_paid(manager, payments.create_batch(manager, scheme))
    content = client_for(owner).get(reverse("vouchers:detail", args=[claim_under_review.pk])).content.decode()
    assert "Payé le 12 mars 2026" in content
    assert "Paiement prévu" not in content


def test_no_date_is_promised_while_the_invoice_is_checked(client_for, owner, claim_under_review):
    content = client_for(owner).get(reverse("vouchers:detail", args=[claim_under_review.pk])).content.decode()
    assert "Paiement prévu" not in content


def test_the_claim_approved_email_gives_the_expected_date(time_machine, sent, claim_under_review, advisor):
    time_machine.move_to(at(2026, 3, 2, 10, 30), tick=False)
    (email,) = sent(services.approve_claim, advisor, claim_under_review)
    assert "vers le 1er avril 2026" in email.body


def test_the_api_detail_gives_the_expected_date(time_machine, claim_under_review, advisor, owner):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    data = ok(api_for(owner).get(f"/applications/{claim.application_id}"))
    assert data["claim"]["approved_at"].startswith("2026-03-02T")
    assert data["claim"]["expected_payment_on"] == "2026-04-01"
    assert data["claim"]["paid_on"] is None


# --- the scheme's parameter and the claims approved before ------------------------------------------


def test_the_target_is_a_positive_number_of_days(scheme):
    scheme.payment_target_days = 0
    with pytest.raises(ValidationError) as refused:
        scheme.full_clean()
    assert "payment_target_days" in refused.value.message_dict


def test_the_manager_edits_the_target_with_the_scheme(client_for, scheme):
    manager = UserFactory(role=Role.MANAGER, is_staff=True, is_superuser=True)
    page = client_for(manager).get(reverse("admin:schemes_scheme_change", args=[scheme.pk]))
    content = page.content.decode()
    assert 'name="payment_target_days"' in content
    assert "reportée au lundi si elle tombe un week-end" in content


def test_the_migration_dates_the_claims_approved_before_it(time_machine, claim_under_review, advisor):
    claim = approve_claim_on(time_machine, advisor, claim_under_review, at(2026, 3, 2, 10, 30))
    Claim.objects.filter(pk=claim.pk).update(approved_at=None)
    migration = importlib.import_module("tremplin.vouchers.migrations.0008_claim_approved_at")

    migration.backfill(django_apps, None)

    assert Claim.objects.get(pk=claim.pk).approved_at == at(2026, 3, 2, 10, 30)
