"""Token authentication, the error shape of refusals, and the published schema and docs."""

import importlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import PREFIX, ApiClient, api_for
from tremplin.accounts.models import ApiToken


def test_a_request_without_token_gets_a_401_json_not_a_login_redirect(db, anonymous):
    response = anonymous.get("/applications")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthenticated"
    assert "Authorization" in response.json()["message"]


def test_a_request_with_an_unknown_token_gets_a_401(db):
    response = ApiClient(raw_token="tn_not-a-real-token").get("/applications")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_token_sent_with_another_scheme_is_refused(owner):
    _token, raw = ApiToken.issue(owner)

    response = Client().get(f"{PREFIX}/applications", HTTP_AUTHORIZATION=f"Token {raw}")

    assert response.status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(owner):
    api = api_for(owner)
    owner.is_active = False
    owner.save()

    response = api.get("/applications")

    assert response.status_code == 401


def test_a_valid_token_authenticates_and_records_its_last_use(owner):
    token, raw = ApiToken.issue(owner)

    response = ApiClient(owner, raw).get("/applications")

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(owner, django_assert_num_queries):
    token, raw = ApiToken.issue(owner)
    api = ApiClient(owner, raw)
    api.get("/schemes")
    token.refresh_from_db()
    first_use = token.last_used_at

    # token lookup + schemes: no UPDATE of the token within the minute.
    with django_assert_num_queries(2):
        api.get("/schemes")
    token.refresh_from_db()
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    api.get("/schemes")
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_the_api_needs_no_csrf_token(owner, scheme):
    _token, raw = ApiToken.issue(owner)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"{PREFIX}/applications",
        {"scheme_id": scheme.pk, "siren": "732829320"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    # Refused for a business reason (unknown company), not by the CSRF middleware.
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_siren"


def test_an_unknown_api_path_answers_a_json_404(db, anonymous):
    response = anonymous.get("/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_openapi_schema_is_public_and_lists_every_operation(db, anonymous):
    response = anonymous.get("/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Tremplin Numérique API"
    paths = schema["paths"]
    for path in (
        "/api/v1/registry/companies/{siren}",
        "/api/v1/schemes",
        "/api/v1/schemes/{scheme_id}",
        "/api/v1/schemes/{scheme_id}/draw",
        "/api/v1/applications",
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/quote",
        "/api/v1/applications/{application_id}/eligibility",
        "/api/v1/applications/{application_id}/submit",
        "/api/v1/applications/{application_id}/claim",
        "/api/v1/applications/{application_id}/claw-back",
        "/api/v1/schemes/{scheme_id}/payment-batches",
        "/api/v1/payment-batches/{batch_id}/sepa.xml",
    ):
        assert path in paths, path
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_every_operation_declares_its_error_responses(db, anonymous):
    paths = anonymous.get("/openapi.json").json()["paths"]

    for path, operations in paths.items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "409", "422"} <= declared, (method, path)


def test_the_docs_page_loads_its_assets_from_the_platform_not_a_cdn(db, anonymous):
    response = anonymous.get("/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "https://" not in html and "http://" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"{PREFIX}/docs/assets/{asset}" in html
        asset_response = anonymous.get(f"/docs/assets/{asset}")
        assert asset_response.status_code == 200
        b"".join(asset_response.streaming_content)
        asset_response.close()


def test_only_the_docs_assets_are_served(db, anonymous):
    assert anonymous.get("/docs/assets/redoc.standalone.js.map").status_code == 404


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def enum_of(schema, path, name):
    (parameter,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    node = parameter["schema"]
    if "anyOf" in node:
        (node,) = [n for n in node["anyOf"] if n.get("type") != "null"]
    return resolve(schema, node)["enum"]


@pytest.mark.parametrize(
    ("path", "choices"),
    [
        ("/api/v1/applications", "tremplin.vouchers.models:State"),
        ("/api/v1/diagnostics", "tremplin.diagnostics.models:State"),
        ("/api/v1/providers/quotes", "tremplin.providers.models:Quote.State"),
    ],
)
def test_each_state_filter_documents_its_own_states(db, anonymous, path, choices):
    module, _, name = choices.partition(":")
    enum = importlib.import_module(module)
    for part in name.split("."):
        enum = getattr(enum, part)

    schema = anonymous.get("/openapi.json").json()

    assert enum_of(schema, path, "state") == [member.value for member in enum]
