"""Names compared the way a register or a bank does, and the file adapters behind them."""

from datetime import date

import pytest

from tests.factories import CompanyFactory, register_account, register_representative
from tremplin.authority import payee
from tremplin.authority.matching import compare_names, same_person
from tremplin.authority.sources import Representative, RneFile, representatives_of

DIRECTOR = Representative(
    family_name="Lefèvre-Durand", given_names="Marie Hélène Claire", role="Gérante", birth_month="1978-03"
)


@pytest.mark.parametrize(
    "given, family, born, expected",
    [
        ("Marie", "LEFEVRE DURAND", date(1978, 3, 30), True),  # accents, case and hyphens do not count
        ("marie-hélène", "Lefèvre-Durand", date(1978, 3, 1), True),  # the first given name is enough
        ("Hélène", "Lefèvre-Durand", date(1978, 3, 1), True),  # any of the listed given names
        ("Marie", "Lefèvre", date(1978, 3, 1), False),  # part of the family name is not the name
        ("Marie", "Lefèvre-Durand", date(1978, 4, 1), False),  # another month of birth
        ("Sophie", "Lefèvre-Durand", date(1978, 3, 1), False),
        ("", "Lefèvre-Durand", date(1978, 3, 1), False),
    ],
)
def test_a_person_is_matched_on_family_name_a_given_name_and_month_of_birth(given, family, born, expected):
    assert same_person(given, family, born, DIRECTOR) is expected


def test_without_a_month_of_birth_in_the_source_the_names_decide():
    sole_trader = Representative(family_name="Martin", given_names="Camille", role="EI", source="SIRENE")
    assert same_person("Camille", "Martin", date(1990, 1, 1), sole_trader)


@pytest.mark.parametrize(
    "expected_name, holder, outcome",
    [
        ("Boulangerie Martin", "BOULANGERIE MARTIN", "match"),
        ("Boulangerie Martin", "SARL Boulangerie Martin", "match"),  # legal-form words do not count
        ("Boulangerie Martin", "Martin Boulangerie", "close_match"),
        ("Boulangerie Martin", "Boulangerie Martin et Fils", "close_match"),
        ("Boulangerie Martin", "Boulangeri Martin", "close_match"),
        ("Boulangerie Martin", "M. Jean Dupont", "no_match"),
        ("Boulangerie Martin", "", "no_match"),
    ],
)
def test_an_account_holder_is_compared_with_the_registry_name(expected_name, holder, outcome):
    assert compare_names(expected_name, holder) == outcome


def test_the_bank_file_answers_like_verification_of_payee(settings):
    register_account("FR7630006000011234567890189", "SAS Atelier Lumière")
    register_account("FR7630004000031234567890143", "Lumiere Atelier")
    assert payee.verify("FR7630006000011234567890189", "Atelier Lumière") == payee.Answer("match")
    # A close match gives back the name the bank knows, as VoP does; a no match gives nothing.
    assert payee.verify("FR7630004000031234567890143", "Atelier Lumière") == payee.Answer(
        "close_match", "Lumiere Atelier"
    )
    assert payee.verify("FR7630004000031234567890143", "Garage Dupont") == payee.Answer("no_match")
    # An IBAN no bank of the file knows: the check is not possible.
    assert payee.verify("DE89370400440532013000", "Atelier Lumière").outcome == "not_possible"
    assert payee.is_foreign("DE89370400440532013000") and not payee.is_foreign("FR7630006000011234567890189")


def test_the_register_file_is_read_again_when_it_changes(db, tmp_path):
    company = CompanyFactory()
    register_representative(company, "Marie", "Durand", role="Présidente")
    assert [r.family_name for r in representatives_of(company)] == ["Durand"]
    register_representative(company, "Luc", "Petit", role="Directeur général")
    assert [(r.family_name, r.role) for r in representatives_of(company)] == [
        ("Durand", "Présidente"),
        ("Petit", "Directeur général"),
    ]


def test_a_register_file_without_its_columns_is_refused(tmp_path):
    path = tmp_path / "rne.csv"
    path.write_text("siren,nom\n732829320,Durand\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        RneFile(path).representatives("732829320")


def test_a_sole_trader_is_their_own_representative_unless_sirene_hides_their_name(db):
    visible = CompanyFactory(legal_form="1000", denomination="", first_name="Camille", last_name="Martin")
    hidden = CompanyFactory(legal_form="1000", denomination="", first_name="", last_name="", diffusion="P")
    assert [(r.family_name, r.source) for r in representatives_of(visible)] == [("Martin", "SIRENE")]
    assert representatives_of(hidden) == []
