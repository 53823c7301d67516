"""scripts/schemathesis_hooks.py draws only values the API's own validators take."""

import importlib.util
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings

from tremplin.core.validators import clean_iban, clean_pdf, clean_siren, clean_siret

HOOKS = Path(__file__).resolve().parents[2] / "scripts" / "schemathesis_hooks.py"


def load_hooks():
    spec = importlib.util.spec_from_file_location("fuzz_hooks_under_test", HOOKS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = load_hooks()
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(hooks.SIRENS)
def test_drawn_sirens_have_a_valid_key(value):
    assert clean_siren(value) == value


@FEW
@given(hooks.SIRETS)
def test_drawn_sirets_have_a_valid_key(value):
    assert clean_siret(value) == value


@FEW
@given(hooks.IBANS)
def test_drawn_ibans_are_taken_for_their_country(value):
    assert clean_iban(value) == value


@FEW
@given(hooks.BIRTH_DATES)
def test_drawn_birth_dates_are_plausible(value):
    today = date.today()
    assert today.replace(year=today.year - 110) < date.fromisoformat(value) < today - timedelta(days=16 * 365)


@FEW
@given(hooks.RECENT_DATES)
def test_drawn_extract_dates_are_under_three_months(value):
    assert 0 < (date.today() - date.fromisoformat(value)).days < 92


@FEW
@given(hooks.PDFS)
def test_drawn_documents_are_pdfs_the_services_take(content):
    upload = SimpleUploadedFile("devis.pdf", content, content_type="application/pdf")
    assert clean_pdf(upload) is upload
    assert BytesIO(content).read(5) == b"%PDF-"


def test_the_fuzzer_sends_each_linked_siren_once_and_no_no_beside_them():
    twice = {
        "has_linked_companies": False,
        "linked_companies": [
            {"siren": "443061841", "de_minimis_cents": 0},
            {"siren": "443 061 841", "de_minimis_cents": 5},
            {"siren": "732829320", "de_minimis_cents": 1},
        ],
    }
    assert hooks.unique_linked_companies(twice) == {
        "has_linked_companies": True,
        "linked_companies": [
            {"siren": "443061841", "de_minimis_cents": 0},
            {"siren": "732829320", "de_minimis_cents": 1},
        ],
    }
    assert hooks.unique_linked_companies({"linked_companies": None}) == {"linked_companies": None}
