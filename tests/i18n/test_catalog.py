"""The English catalogue: complete, reviewed (no fuzzy entry) and compiled (the .mo is committed)."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def parse_po(path):
    """The entries of a .po file: [{"msgid", "msgid_plural", "msgstr": {index: text}, "flags"}]."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith("msgid_plural "):
                field, entry["msgid_plural"] = "msgid_plural", ast.literal_eval(line[len("msgid_plural ") :])
            elif line.startswith("msgid "):
                field, entry["msgid"] = "msgid", ast.literal_eval(line[len("msgid ") :])
            elif line.startswith("msgstr["):
                index, text = re.match(r"msgstr\[(\d+)\] (.*)", line).groups()
                field = int(index)
                entry["msgstr"][field] = ast.literal_eval(text)
            elif line.startswith("msgstr "):
                field = 0
                entry["msgstr"][0] = ast.literal_eval(line[len("msgstr ") :])
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if isinstance(field, int):
                    entry["msgstr"][field] += text
                else:
                    entry[field] += text
            else:
                raise AssertionError(f"unexpected line in {path.name}: {line!r}")
        if entry["msgid"]:  # skip the header
            entries.append(entry)
    return entries


ENTRIES = parse_po(PO)


def test_the_catalogue_was_parsed():
    assert len(ENTRIES) > 400
    assert any(e["msgid"] == "Mes demandes de chèque numérique" for e in ENTRIES)


def test_every_string_has_an_english_translation():
    missing = [e["msgid"] for e in ENTRIES if not e["msgstr"] or not all(e["msgstr"].values())]
    assert missing == []


def test_plural_strings_have_both_english_forms():
    for entry in ENTRIES:
        if entry["msgid_plural"]:
            assert sorted(entry["msgstr"]) == [0, 1], entry["msgid"]


def test_no_translation_is_left_fuzzy_or_obsolete():
    assert [e["msgid"] for e in ENTRIES if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in ENTRIES if e["obsolete"]] == []


def test_translations_keep_the_placeholders():
    wrong = []
    for entry in ENTRIES:
        expected = sorted(PLACEHOLDER.findall(entry["msgid_plural"] or entry["msgid"]))
        if any(sorted(PLACEHOLDER.findall(text)) != expected for text in entry["msgstr"].values()):
            wrong.append(entry["msgid"])
    assert wrong == []


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo is committed so nobody needs gettext: it must be recompiled after each .po change."""
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    stale = []
    for entry in ENTRIES:
        if entry["msgid_plural"]:
            compiled = {i: catalog.get((entry["msgid"], i)) for i in entry["msgstr"]}
        else:
            compiled = {0: catalog.get(entry["msgid"])}
        if compiled != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == [], "run: python manage.py compilemessages -l en"
