from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import api_for, state_of
from tests.factories import ApplicationFactory, CompanyFactory, EnvelopeFactory, SchemeFactory, UserFactory
from tremplin.schemes.models import Envelope, Scheme


@pytest.fixture
def api(db):
    return api_for(UserFactory())


def test_it_lists_open_schemes_only(api):
    open_scheme = SchemeFactory(name="Chèque ouvert")
    SchemeFactory(name="Chèque clos", window_closes_at=timezone.now() - timedelta(days=1))

    response = api.get("/schemes")

    assert response.status_code == 200
    assert [s["name"] for s in response.json()] == ["Chèque ouvert"]
    data = response.json()[0]
    assert data["id"] == open_scheme.pk
    assert data["rate_percent"] == "50.00"
    assert data["cap_cents"] == 250_000
    assert data["min_spend_cents"] == 50_000
    assert {"code": "website", "label": "Site internet"} in data["spend_categories"]
    assert data["allocation"]["code"] == "fcfs"
    assert data["payee"]["code"] == "business"
    assert data["is_open"] is True


def test_it_shows_a_closed_scheme_by_id(api):
    scheme = SchemeFactory(window_closes_at=timezone.now() - timedelta(days=1))

    response = api.get(f"/schemes/{scheme.pk}")

    assert response.status_code == 200
    assert response.json()["is_open"] is False


def test_an_unknown_scheme_is_not_found(api):
    response = api.get("/schemes/999999")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Dispositif introuvable."}


def test_the_lottery_seed_stays_secret_until_the_draw(api):
    scheme = SchemeFactory(allocation=Scheme.Allocation.LOTTERY, lottery_seed="secret-avant-tirage")

    assert api.get(f"/schemes/{scheme.pk}").json()["lottery_seed"] is None


def test_a_manager_draws_the_lottery_with_a_published_seed_and_reproducible_order(db):
    scheme = SchemeFactory(allocation=Scheme.Allocation.LOTTERY)
    # Room for one voucher of 2,000 EUR (50% of 4,000 EUR) out of three.
    EnvelopeFactory(scheme=scheme, total_cents=250_000)
    files = []
    for _ in range(3):
        owner = UserFactory()
        application = ApplicationFactory(scheme=scheme, owner=owner, company=CompanyFactory())
        response = api_for(owner).post(f"/applications/{application.pk}/submit")
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == "submitted"
        assert response.json()["reserved_cents"] == 0  # nothing is reserved before the draw
        files.append(application)
    Scheme.objects.filter(pk=scheme.pk).update(window_closes_at=timezone.now() - timedelta(minutes=1))
    manager = api_for(UserFactory(manager=True))

    response = manager.post(f"/schemes/{scheme.pk}/draw", json={"seed": "graine-2026-publiee"})

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["seed"] == "graine-2026-publiee"
    assert [f["rank"] for f in data["files"]] == [1, 2, 3]
    assert [f["funded"] for f in data["files"]] == [True, False, False]
    assert [f["state"] for f in data["files"]] == ["submitted", "waitlisted", "waitlisted"]
    assert sorted(f["id"] for f in data["files"]) == sorted(a.pk for a in files)
    for drawn in data["files"]:
        assert state_of(type(files[0])(pk=drawn["id"])) == drawn["state"]
    assert Envelope.objects.get(scheme=scheme).committed_cents == 200_000
    assert manager.get(f"/schemes/{scheme.pk}").json()["lottery_seed"] == "graine-2026-publiee"

    again = manager.post(f"/schemes/{scheme.pk}/draw", json={"seed": "autre-graine"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_drawn"


def test_the_lottery_is_not_drawn_while_the_window_is_open(db):
    scheme = SchemeFactory(allocation=Scheme.Allocation.LOTTERY)

    response = api_for(UserFactory(manager=True)).post(f"/schemes/{scheme.pk}/draw", json={"seed": "graine"})

    assert response.status_code == 409
    assert response.json()["code"] == "window_open"
    scheme.refresh_from_db()
    assert scheme.lottery_drawn_at is None
