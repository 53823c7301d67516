import csv
import json

from django.conf import settings

from tremplin.registry.legal_forms import label, labels, summary

DATA = settings.BASE_DIR / "data" / "reference"


def test_the_file_holds_insee_levels_one_and_two_with_unique_codes():
    with (DATA / "categories_juridiques.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert {row["level"] for row in rows} == {"1", "2"}
    assert all(len(row["code"]) == int(row["level"]) for row in rows)
    # Every level II category sits under a level I one.
    level_one = {row["code"] for row in rows if row["level"] == "1"}
    assert {row["code"][0] for row in rows if row["level"] == "2"} <= level_one


def test_the_file_s_source_is_documented():
    sources = json.loads((DATA / "sources.json").read_text())
    entry = sources["categories_juridiques.csv"]
    assert "Insee" in entry["source"]
    assert entry["license"] == "Licence Ouverte 2.0"


def test_a_code_is_named_by_its_most_precise_level_shipped():
    assert label("9220") == "Association loi 1901 ou assimilé"
    assert label("5710") == "Société par actions simplifiée"
    assert label("92") == "Association loi 1901 ou assimilé"
    assert label("7") == "Personne morale et organisme soumis au droit administratif"
    assert label("4110") == "Établissement public ou régie à caractère industriel ou commercial"


def test_an_unknown_or_empty_code_has_no_label():
    assert label("") is None
    assert label(None) is None
    assert label("0000") is None
    assert label("abcd") is None


def test_prefixes_are_summed_up_with_their_labels_in_lower_case():
    assert labels(["4", "7", "92"]) == [
        "Personne morale de droit public soumise au droit commercial",
        "Personne morale et organisme soumis au droit administratif",
        "Association loi 1901 ou assimilé",
    ]
    assert summary(["4", "7", "92"]) == (
        "personne morale de droit public soumise au droit commercial, personne morale et organisme "
        "soumis au droit administratif, association loi 1901 ou assimilé"
    )
    # An abbreviation keeps its capitals.
    assert summary(["54"]) == "société à responsabilité limitée (SARL)"
