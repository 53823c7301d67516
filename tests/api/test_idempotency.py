"""`Idempotency-Key` on the API's state-changing requests (tremplin.api.idempotency).

A retry with the same key gets the first answer back and changes nothing; the same key for another request
is refused; a request that crashed keeps no key, so its retry runs; two requests with one key at once do
the work once (threads with their own connections, on SQLite's file database and on PostgreSQL).
"""

import threading

import pytest
from django.db import connections

from tests.api.conftest import PREFIX, api_for, ok
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    DepartementFactory,
    EnvelopeFactory,
    SchemeFactory,
    UserFactory,
)
from tremplin.core.models import AuditEvent, IdempotencyRecord
from tremplin.schemes.models import Envelope, LedgerEntry
from tremplin.vouchers import api as vouchers_api
from tremplin.vouchers.models import Application


def post(api, path, body=None, key=None):
    headers = dict(api.headers)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return api.client.post(PREFIX + path, body or {}, content_type="application/json", **headers)


def submissions(application):
    return AuditEvent.objects.for_object(application).filter(action="submit").count()


@pytest.fixture
def owner_api(owner):
    return api_for(owner)


def test_a_retried_submission_gets_the_first_answer_and_is_done_once(owner_api, draft):
    first = post(owner_api, f"/applications/{draft.pk}/submit", key="submit-4f1c")
    committed = Envelope.objects.get(pk=Application.objects.get(pk=draft.pk).envelope_id).committed_cents

    retry = post(owner_api, f"/applications/{draft.pk}/submit", key="submit-4f1c")

    assert first.status_code == 200 and first.json()["state"] == "submitted"
    assert (retry.status_code, retry.content) == (first.status_code, first.content)
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert submissions(draft) == 1
    assert LedgerEntry.objects.filter(application_id=draft.pk).count() == 1
    assert (
        Envelope.objects.get(pk=Application.objects.get(pk=draft.pk).envelope_id).committed_cents == committed
    )


def test_without_a_key_a_second_submission_is_refused_by_the_workflow(owner_api, draft):
    ok(post(owner_api, f"/applications/{draft.pk}/submit"))

    again = post(owner_api, f"/applications/{draft.pk}/submit")

    assert again.status_code == 409
    assert submissions(draft) == 1


def test_a_refusal_is_replayed_too(owner_api, draft):
    draft.planned_spend_cents = 0
    draft.save(update_fields=["planned_spend_cents"])

    first = post(owner_api, f"/applications/{draft.pk}/submit", key="k1")
    retry = post(owner_api, f"/applications/{draft.pk}/submit", key="k1")

    assert first.status_code >= 400
    assert (retry.status_code, retry.json()) == (first.status_code, first.json())


def test_the_same_key_for_another_request_is_refused_and_changes_nothing(owner_api, scheme, owner):
    company, other = CompanyFactory(), CompanyFactory()
    ok(
        post(owner_api, "/applications", {"scheme_id": scheme.pk, "siren": company.siren}, key="new-file"),
        201,
    )

    reused = post(owner_api, "/applications", {"scheme_id": scheme.pk, "siren": other.siren}, key="new-file")

    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert reused.json()["field"] == "Idempotency-Key"
    assert not Application.objects.filter(company=other).exists()
    assert Application.objects.filter(owner=owner).count() == 1


def test_a_key_is_its_client_s_own(scheme):
    company = CompanyFactory()
    first, second = api_for(UserFactory()), api_for(UserFactory())

    mine = post(first, "/applications", {"scheme_id": scheme.pk, "siren": company.siren}, key="same")
    theirs = post(second, "/applications", {"scheme_id": scheme.pk, "siren": company.siren}, key="same")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert "Idempotent-Replayed" not in theirs


@pytest.mark.parametrize("key", ["", "x" * 256, "clé-accentuée", "two words"])
def test_a_malformed_key_is_refused_before_anything_is_done(owner_api, scheme, key):
    company = CompanyFactory()

    response = post(owner_api, "/applications", {"scheme_id": scheme.pk, "siren": company.siren}, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Application.objects.filter(company=company).exists()
    assert not IdempotencyRecord.objects.exists()


def test_a_request_that_crashed_keeps_nothing_and_its_retry_runs(owner_api, draft, monkeypatch):
    owner_api.client.raise_request_exception = False
    answer = vouchers_api.serialize.detail

    def crash_after_the_writes(*args, **kwargs):
        raise RuntimeError("the server died before answering")

    monkeypatch.setattr(vouchers_api.serialize, "detail", crash_after_the_writes)
    crashed = post(owner_api, f"/applications/{draft.pk}/submit", key="retry-me")

    assert crashed.status_code == 500
    assert Application.objects.get(pk=draft.pk).state == "draft"
    assert submissions(draft) == 0
    assert not LedgerEntry.objects.filter(application_id=draft.pk).exists()
    assert not IdempotencyRecord.objects.exists()

    monkeypatch.setattr(vouchers_api.serialize, "detail", answer)
    retried = post(owner_api, f"/applications/{draft.pk}/submit", key="retry-me")

    assert retried.status_code == 200 and retried.json()["state"] == "submitted"
    assert "Idempotent-Replayed" not in retried
    assert submissions(draft) == 1


def test_reads_and_requests_without_a_key_keep_nothing(owner_api, draft):
    headers = {**owner_api.headers, "HTTP_IDEMPOTENCY_KEY": "read"}
    assert owner_api.client.get(f"{PREFIX}/applications/{draft.pk}", **headers).status_code == 200
    ok(post(owner_api, f"/applications/{draft.pk}/submit"))

    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_key_at_once_submit_once():
    scheme = SchemeFactory()
    departement = DepartementFactory()
    EnvelopeFactory(scheme=scheme, region=departement.region)
    draft = ApplicationFactory(scheme=scheme, company__departement=departement)
    api = api_for(draft.owner)
    barrier = threading.Barrier(2)
    answers = []

    def send():
        try:
            barrier.wait(timeout=30)
            answers.append(post(api, f"/applications/{draft.pk}/submit", key="double-send"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(a.status_code for a in answers) == [200, 200]
    assert answers[0].content == answers[1].content
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert submissions(draft) == 1
    assert LedgerEntry.objects.filter(application_id=draft.pk).count() == 1
