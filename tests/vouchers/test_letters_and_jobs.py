from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from tremplin.vouchers.letters import render_decision_letter
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db


def test_the_decision_letter_names_the_file_the_amount_the_deadline_and_the_advisor(approved, advisor):
    text = " ".join(
        page.extract_text() for page in PdfReader(BytesIO(render_decision_letter(approved))).pages
    )
    text = " ".join(text.split())
    assert approved.reference in text
    assert approved.company.display_name in text
    assert "2 000 €" in text.replace("\u202f", " ")
    assert f"{approved.valid_until.year}" in text
    assert "Pour être payé" in text
    assert str(advisor) in text and advisor.organisation.name in text


def test_the_daily_job_expires_overdue_vouchers_and_reminds_the_others(
    approved, scheme, django_capture_on_commit_callbacks
):
    from tests.factories import ApplicationFactory
    from tremplin.vouchers import services

    Application.objects.filter(pk=approved.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    soon = ApplicationFactory(scheme=scheme)
    services.submit(soon.owner, soon)
    reviewer = approved.assigned_advisor
    services.approve(reviewer, services.start_review(reviewer, soon))
    Application.objects.filter(pk=soon.pk).update(valid_until=timezone.localdate() + timedelta(days=5))
    mail.outbox.clear()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_daily_jobs", stdout=out)
    assert "1 voucher(s) expired, 1 reminder(s) sent." in out.getvalue()
    assert Application.objects.get(pk=approved.pk).state == State.EXPIRED
    assert Application.objects.get(pk=soon.pk).state == State.APPROVED
    assert {m.subject for m in mail.outbox} == {
        f"Votre chèque {approved.reference} a expiré",
        f"Votre chèque {soon.reference} expire bientôt",
    }
