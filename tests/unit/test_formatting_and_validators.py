import pytest

from tests.factories import pdf_file
from tremplin.core.errors import ServiceError
from tremplin.core.formatting import euros, parse_euros
from tremplin.core.validators import clean_iban, clean_pdf, clean_siren, clean_siren_or_siret, clean_siret


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (250_000, "2\u202f500 €"),
        (12_345, "123,45 €"),
        (0, "0 €"),
        (-5_000, "-50 €"),
        (30_000_000, "300\u202f000 €"),
    ],
)
def test_amounts_are_written_the_french_way(cents, text):
    assert euros(cents) == text


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("1 500", 150_000), ("1500,50", 150_050), ("1 234.5", 123_450), ("800 €", 80_000), ("0,01", 1)],
)
def test_amounts_typed_by_people_are_read_into_cents(typed, cents):
    assert parse_euros(typed) == cents


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Indiquez"),
        ("-10", "supérieur à zéro"),
        ("0", "supérieur à zéro"),
        ("douze", "nombre"),
        ("1,234", "deux chiffres"),
        ("NaN", "nombre"),
        ("1e30", "nombre"),
        ("1E3", "nombre"),
        ("1" * 30, "trop élevé"),
        ("1" * 30 + ",5", "trop élevé"),
        ("0," + "0" * 40 + "1", "deux chiffres"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(typed, words):
    with pytest.raises(ValueError, match=words):
        parse_euros(typed)


def test_siren_with_a_bad_check_digit_is_refused():
    with pytest.raises(ServiceError) as exc:
        clean_siren("732829321")
    assert exc.value.code == "invalid_siren"
    assert "clé de contrôle" in exc.value.message


def test_siren_and_siret_are_told_apart_and_spaces_ignored():
    assert clean_siren_or_siret("732 829 320") == ("732829320", None)
    assert clean_siren_or_siret("732 829 320 00074") == ("732829320", "73282932000074")
    with pytest.raises(ServiceError):
        clean_siret("73282932000075")
    with pytest.raises(ServiceError, match="9 chiffres"):
        clean_siren("1234")


def test_iban_is_checked_including_the_french_rib_key():
    assert clean_iban("fr76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"
    with pytest.raises(ServiceError) as exc:
        clean_iban("FR7630006000011234567890188")
    assert exc.value.code == "invalid_iban"


def test_only_real_pdfs_under_ten_megabytes_are_accepted():
    assert clean_pdf(pdf_file()).name == "devis.pdf"
    with pytest.raises(ServiceError) as exc:
        clean_pdf(pdf_file("devis.pdf", b"Bonjour, voici mon devis"))
    assert exc.value.code == "not_a_pdf"
    big = pdf_file("gros.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ServiceError) as exc:
        clean_pdf(big)
    assert exc.value.code == "file_too_large"
    assert "10 Mo" in exc.value.message


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted():
    from tests.factories import CompanyFactory
    from tremplin.core import audit

    event = audit.record(CompanyFactory(), actor=None, action="test", reason="pourquoi")
    event.reason = "autre chose"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
