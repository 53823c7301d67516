"""Who may see and answer a diagnostic, on every page and API operation."""

import pytest
from django.urls import reverse

from tests.diagnostics.conftest import ApiClient, client_for, completed
from tests.diagnostics.helpers import Q, all_minimum

# role -> (sees the owner's diagnostic, may answer it)
MATRIX = {
    "owner": (True, True),
    "other_owner": (False, False),
    "advisor": (True, True),
    "far_advisor": (False, False),
    "manager": (True, False),
    "auditor": (True, False),
    "provider_member": (False, False),
}


@pytest.fixture
def pair(owner, company):
    """An unfinished and a finished diagnostic of the owner's company (Rhône)."""
    from tremplin.diagnostics import services

    finished = completed(owner, company, all_minimum())
    unfinished, _created = services.start(owner, company)
    return unfinished, finished


@pytest.mark.parametrize("role", MATRIX)
def test_pages_follow_the_permission_matrix(request, role, pair):
    sees, answers = MATRIX[role]
    unfinished, finished = pair
    client = client_for(request.getfixturevalue(role))
    results = client.get(reverse("diagnostics:results", args=[finished.pk]))
    report = client.get(reverse("diagnostics:report", args=[finished.pk]))
    step = client.get(reverse("diagnostics:step", args=[unfinished.pk, 1]))
    posted = client.post(
        reverse("diagnostics:step", args=[unfinished.pk, 2]), {"q3": ["website"], "_action": "next"}
    )
    listing = client.get(reverse("diagnostics:list")).content.decode()
    assert results.status_code == (200 if sees else 404)
    assert report.status_code == (200 if sees else 404)
    assert step.status_code == (200 if answers else 403 if sees else 404)
    assert posted.status_code == (302 if answers else 403 if sees else 404)
    assert (reverse("diagnostics:results", args=[finished.pk]) in listing) == sees
    unfinished.refresh_from_db()
    assert ("q3" in unfinished.answers) == answers


@pytest.mark.parametrize("role", MATRIX)
def test_api_operations_follow_the_permission_matrix(request, role, pair):
    sees, answers = MATRIX[role]
    unfinished, finished = pair
    api = ApiClient(request.getfixturevalue(role))
    assert api.get(f"/{finished.pk}").status_code == (200 if sees else 404)
    assert api.get(f"/{finished.pk}/results").status_code == (200 if sees else 404)
    listed = [item["id"] for item in api.get("").json()["items"]]
    assert (finished.pk in listed) == sees
    answered = api.post(f"/{unfinished.pk}/answers", {"version": Q.version, "answers": {"q3": ["website"]}})
    assert answered.status_code == (200 if answers else 403 if sees else 404)
    completing = api.post(f"/{unfinished.pk}/complete")
    # Nothing answered yet: the diagnostic cannot be scored in its state (409).
    assert completing.status_code == (409 if answers else 403 if sees else 404)


@pytest.mark.parametrize("role", ["manager", "auditor", "provider_member"])
def test_only_owners_and_advisors_may_start(request, role, company):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("diagnostics:start")).status_code == 403
    response = ApiClient(request.getfixturevalue(role)).post("", {"siren": company.siren})
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, pair):
    response = client.get(reverse("diagnostics:results", args=[pair[1].pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
