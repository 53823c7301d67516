"""A submission's notices are rendered by the worker: the request stores them as a task, in its transaction."""

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from tremplin.core.models import Notification
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db

TASK = "tremplin.vouchers.tasks.tell_of_submission"


@pytest.fixture
def worker_queue(settings):
    """The production task backend: tasks wait in the database for `db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def run_worker(django_capture_on_commit_callbacks):
    """What `db_worker` does, until no task waits (the command itself would close the test's connection):
    each task runs and commits; the emails it sends are tasks too."""

    def run():
        done = set()
        while rows := list(DBTaskResult.objects.ready().exclude(pk__in=done).order_by("enqueued_at")):
            for row in rows:
                with django_capture_on_commit_callbacks(execute=True):
                    row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
                done.add(row.pk)

    return run


def test_the_request_stores_the_notices_and_the_worker_sends_them(
    worker_queue, run_worker, draft, advisor, sent
):
    emails = sent(services.submit, draft.owner, draft)
    assert emails == []
    assert Notification.objects.count() == 0
    task = DBTaskResult.objects.get(task_path=TASK)
    assert task.args_kwargs["kwargs"] == {"application_id": draft.pk, "state": State.SUBMITTED}

    mail.outbox.clear()
    run_worker()

    told = set(Notification.objects.values_list("user__email", flat=True))
    assert told == {draft.owner.email, advisor.email}
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    ref = Application.objects.get(pk=draft.pk).reference
    assert subjects == {
        draft.owner.email: f"Votre demande {ref} est déposée",
        advisor.email: f"Nouvelle demande {ref} à instruire",
    }
    assert "est réservé pour vous" in next(m.body for m in mail.outbox if m.to == [draft.owner.email])


def test_a_submission_rolled_back_leaves_no_notice_to_send(worker_queue, draft, advisor):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.submit(draft.owner, draft)
        raise RuntimeError("the request fails after the submission")
    assert Application.objects.get(pk=draft.pk).state == State.DRAFT
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


def test_a_file_withdrawn_before_the_worker_runs_gets_its_receipt_but_no_advisor_notice(
    worker_queue, run_worker, draft, advisor
):
    services.submit(draft.owner, draft)
    services.withdraw(draft.owner, Application.objects.get(pk=draft.pk), reason="Je me suis trompée")
    mail.outbox.clear()
    run_worker()
    receipt = [m for m in mail.outbox if "est déposée" in m.subject]
    assert [m.to for m in receipt] == [[draft.owner.email]]
    assert not Notification.objects.filter(user=advisor, subject__startswith="Nouvelle demande").exists()


def test_a_submission_costs_a_bounded_number_of_queries(
    worker_queue, draft, advisor, django_assert_max_num_queries
):
    application = Application.objects.select_related("owner").get(pk=draft.pk)
    # Read the file, who applies, its other files (one query), the single undertaking and its grants, the
    # envelope; then the lock, the receipt number, the reservation and its ledger row, the file, the audit
    # event, the notices' task; and one read of the steering figures' mark.
    with django_assert_max_num_queries(15):
        services.submit(application.owner, application)
    assert Application.objects.get(pk=draft.pk).state == State.SUBMITTED
