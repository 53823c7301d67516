"""The retention periods, applied by `apply_retention`: a dry run changes nothing; --apply deletes or
anonymises exactly what is past its period, once, and leaves one audit event with the counts."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ApplicationFactory, UserFactory
from tremplin.accounts.models import User
from tremplin.core.models import AuditEvent, Notification
from tremplin.privacy import retention
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def old_and_new(scheme):
    """One past and one within its period, for each kind."""
    with time_machine.travel(NOW - timedelta(days=3 * 365 + 10), tick=False):
        old_user = UserFactory(email="ancien@example.fr")
        old_notification = Notification.objects.create(user=old_user, subject="Ancienne")
        AccessAttempt.objects.create(
            username="x@example.fr", ip_address="127.0.0.1", user_agent="", failures_since_start=1
        )
        old_file = ApplicationFactory(scheme=scheme, state=State.REJECTED)
        old_paid = ApplicationFactory(scheme=scheme, state=State.PAID)
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        new_user = UserFactory(email="recent@example.fr")
        Notification.objects.create(user=new_user, subject="Récente")
        new_file = ApplicationFactory(scheme=scheme, state=State.REJECTED)
    return locals()


def snapshot():
    return (
        sorted(User.objects.values_list("email", "first_name", "is_active")),
        Notification.objects.count(),
        AccessAttempt.objects.count(),
        sorted(Application.objects.values_list("pk", "iban", "bank_document", "quote")),
    )


def run(*args):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_counts_and_changes_nothing(old_and_new):
    before = snapshot()
    out = run()
    assert "notifications: 1 to delete" in out and "unfunded_files: 1 to anonymise" in out
    assert "unused_accounts: 2 to anonymise" in out and "dry run" in out
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="apply_retention").exists()


def test_apply_erases_what_is_past_its_period_and_keeps_the_rest(
    old_and_new, django_capture_on_commit_callbacks
):
    w = old_and_new
    stored = w["old_file"].bank_document.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the change is committed
        run("--apply")

    assert list(Notification.objects.values_list("subject", flat=True)) == ["Récente"]
    assert not AccessAttempt.objects.exists()
    old_file = Application.objects.get(pk=w["old_file"].pk)
    assert (old_file.iban, old_file.account_holder, old_file.bank_document.name) == ("", "", "")
    assert old_file.amount_cents == w["old_file"].amount_cents and old_file.state == State.REJECTED
    assert not default_storage.exists(stored)
    # A paid file is kept 10 years; a recent refusal, 3.
    assert Application.objects.get(pk=w["old_paid"].pk).iban == w["old_paid"].iban
    assert Application.objects.get(pk=w["new_file"].pk).iban == w["new_file"].iban
    old_user = User.objects.get(pk=w["old_user"].pk)
    assert old_user.email == f"anonymised-{old_user.pk}@invalid" and not old_user.is_active
    assert not old_user.has_usable_password() and old_user.first_name == ""
    assert User.objects.get(pk=w["new_user"].pk).email == "recent@example.fr"
    # The owner of the paid file keeps their account with the file; the old refusal's owner, whose only
    # file is past its period, does not.
    assert User.objects.get(pk=w["old_paid"].owner_id).email == w["old_paid"].owner.email
    assert User.objects.get(pk=w["old_file"].owner_id).email.endswith("@invalid")

    [event] = AuditEvent.objects.filter(action="apply_retention")
    assert event.data["counts"]["notifications"] == 1 and event.data["counts"]["unfunded_files"] == 1


def test_a_second_run_finds_nothing_left(old_and_new):
    run("--apply")
    before = snapshot()
    out = run("--apply")
    assert all(count == "0" for count in re.findall(r": (\d+) to ", out))
    assert snapshot() == before


def register_rules():
    """{key: (days, action, text)} of the "Retention, applied" list of docs/privacy.md."""
    register = (Path(__file__).parents[2] / "docs" / "privacy.md").read_text(encoding="utf-8")
    section = register.split("## Retention, applied", 1)[1].split("\n## ", 1)[0]
    entries = re.findall(r"^- `(\w+)` – (\d+) days – (\w+): (.*?)(?=\n- |\n\n|\Z)", section, re.M | re.S)
    return {key: (int(days), action, " ".join(text.split())) for key, days, action, text in entries}


def test_the_register_states_the_periods_the_rules_apply_and_why():
    listed = register_rules()
    assert list(listed) == [rule.key for rule in retention.RULES]
    for rule in retention.RULES:
        days, action, text = listed[rule.key]
        assert (days, action) == (rule.period.days, rule.action), rule.key
        # One short sentence of why the data goes then: its legal basis or reason.
        assert re.search(r"Why: \S.{10,200}\.$", text), rule.key


def test_a_run_that_fails_changes_nothing(old_and_new, monkeypatch):
    def fail(rows, cutoff):
        raise RuntimeError("storage unavailable")

    failing = retention.Rule(
        "failing", "Account", timedelta(0), "anonymise", lambda cutoff: User.objects, fail
    )
    monkeypatch.setattr(retention, "RULES", [*retention.RULES, failing])
    before = snapshot()
    with pytest.raises(RuntimeError):
        run("--apply")
    # The rules before it acted in the same transaction: all of it is rolled back, event included.
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="apply_retention").exists()
