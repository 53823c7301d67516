"""The OpenAPI document says which requests pass, where the services check more than a type (found by
schemathesis: a schema-valid request must not be refused with a 400 or 422)."""

import json

import jsonschema_rs
import pytest

from config.api import api
from tremplin.diagnostics.questionnaire import CURRENT
from tremplin.diagnostics.scoring import clean_answers

PREFIX = "/api/v1"


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema(path_prefix=f"{PREFIX}/")


def schemas(document):
    return document["components"]["schemas"]


def body(document, path, media="application/json"):
    return document["paths"][PREFIX + path]["post"]["requestBody"]["content"][media]


def string_of(prop):
    """The string branch of an optional property."""
    return next((b for b in prop.get("anyOf", [prop]) if b.get("type") == "string"), None)


def validator(document, schema):
    return jsonschema_rs.validator_for({**schema, "components": document["components"]})


@pytest.mark.parametrize(
    ("component", "field", "fmt"),
    [
        ("ApplicationCreate", "siren", "siren"),
        ("ApplicationCreate", "siret", "siret"),
        ("ContestIn", "siren", "siren"),
        ("RepresentationIn", "siren", "siren"),
        ("MandateIn", "siren", "siren"),
        ("DiagnosticCreate", "siren", "siren"),
        ("ApplicationUpdate", "iban", "iban"),
        ("MandateIn", "holder_email", "email"),
        ("RepresentationIn", "birth_date", "birth-date"),
    ],
)
def test_identifiers_carry_their_pattern_and_format(document, component, field, fmt):
    prop = string_of(schemas(document)[component]["properties"][field])
    assert prop["format"] == fmt
    if fmt in ("siren", "siret", "iban"):
        assert prop["pattern"].startswith("^")
        # No length bounds next to the pattern: fuzzers would draw boundary strings the key refuses.
        assert "maxLength" not in prop


def test_the_registry_path_names_a_siren(document):
    (parameter,) = document["paths"][f"{PREFIX}/registry/companies/{{siren}}"]["get"]["parameters"]
    assert (parameter["schema"]["format"], parameter["schema"]["pattern"]) == ("siren", "^[0-9]{9}$")


def test_the_account_changed_after_submission_is_an_iban(document):
    form = body(document, "/applications/{application_id}/bank-account", "multipart/form-data")
    assert form["schema"]["properties"]["iban"]["format"] == "iban"


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("/applications/{application_id}/quote", {"quote", "bank_document"}),
        ("/applications/{application_id}/bank-account", {"bank_document"}),
        ("/applications/{application_id}/claim", {"invoice", "proof_of_payment"}),
        ("/authority/representations/{representation_id}/documents", {"register_extract", "statement"}),
        ("/providers/quotes/{quote_id}/answer", {"file"}),
    ],
)
def test_every_uploaded_part_is_declared_a_pdf(document, path, parts):
    encoding = body(document, path, "multipart/form-data")["encoding"]
    assert {name: e["contentType"] for name, e in encoding.items()} == dict.fromkeys(parts, "application/pdf")


def test_a_quote_upload_needs_one_of_its_two_documents(document):
    check = validator(
        document, body(document, "/applications/{application_id}/quote", "multipart/form-data")["schema"]
    )
    assert not check.is_valid({})
    assert check.is_valid({"quote": "…"}) and check.is_valid({"bank_document": "…"})


def test_documents_need_the_extract_s_date_or_the_statement_alone(document):
    schema = body(document, "/authority/representations/{representation_id}/documents", "multipart/form-data")
    check = validator(document, schema["schema"])
    assert schema["schema"]["properties"]["extract_issued_on"]["format"] == "recent-date"
    assert not check.is_valid({})
    assert not check.is_valid({"register_extract": "…"})
    assert not check.is_valid({"register_extract": "…", "statement": "…"})
    assert check.is_valid({"register_extract": "…", "extract_issued_on": "2026-11-02"})
    assert check.is_valid({"statement": "…"})


def test_a_draft_names_its_company_by_siren_or_siret(document):
    check = validator(document, schemas(document)["ApplicationCreate"])
    assert not check.is_valid({"scheme_id": 1})
    assert not check.is_valid({"scheme_id": 1, "siren": None})
    assert check.is_valid({"scheme_id": 1, "siren": "732829320"})
    assert check.is_valid({"scheme_id": 1, "siret": "73282932000074"})


def test_a_rejection_for_another_reason_says_which(document):
    check = validator(document, schemas(document)["RejectIn"])
    assert not check.is_valid({"reason": "other"})
    assert not check.is_valid({"reason": "other", "text": " \u00a0\x1c"})
    assert check.is_valid({"reason": "other", "text": "Devis illisible"})
    assert check.is_valid({"reason": "not_eligible"})


@pytest.mark.parametrize("component", ["MessageIn", "RequiredNoteIn", "RequiredReasonIn", "ContestIn"])
def test_required_texts_are_not_blank(document, component):
    props = schemas(document)[component]["properties"]
    field = next(name for name in ("message", "note", "reason") if name in props)
    check = jsonschema_rs.validator_for(props[field])
    assert not check.is_valid("   ") and not check.is_valid("\x1f")
    assert check.is_valid(" ok ")


def full_answers():
    answers = {}
    for qid, question in CURRENT.questions.items():
        ids = question.item_ids
        answers[qid] = {
            "areas": {"invested": ids[:1], "planned": ids[1:2]},
            "ticks": ids[:2],
            "ticks_exclusive": ids[:1],
            "ratings": dict.fromkeys(ids, 3),
            "tristate": dict.fromkeys(ids, "partly"),
        }[question.kind]
    return answers


def test_the_answers_schema_is_the_questionnaire_s(document):
    props = schemas(document)["AnswersIn"]["properties"]
    assert props["version"]["enum"] == [CURRENT.version]
    check = jsonschema_rs.validator_for(props["answers"])
    answers = full_answers()
    assert check.is_valid(answers)
    assert clean_answers(CURRENT, answers)
    q7 = CURRENT.questions["q7"]
    assert check.is_valid({"q7": [q7.exclusive.id]})
    for wrong in (
        {"q99": []},
        {"q2": ["nothing-like-it"]},
        {"q4": dict.fromkeys(CURRENT.questions["q4"].item_ids, 6)},
        {"q4": {}},
        {"q11": dict.fromkeys(CURRENT.questions["q11"].item_ids, "maybe")},
        {"q7": [q7.exclusive.id, q7.item_ids[0]]},
    ):
        assert not check.is_valid(wrong), json.dumps(wrong)


def test_dates_with_a_rule_carry_no_pattern_that_admits_impossible_dates(document):
    # A digits-only pattern lets "0000-00-00" pass for a schema-valid value (the date parser answers 422):
    # the format alone states the rule, its generator draws real dates.
    birth = schemas(document)["RepresentationIn"]["properties"]["birth_date"]
    extract = body(
        document, "/authority/representations/{representation_id}/documents", "multipart/form-data"
    )
    for prop in (birth, extract["schema"]["properties"]["extract_issued_on"]):
        assert "pattern" not in prop
    assert birth["examples"] == ["1980-04-02"]
