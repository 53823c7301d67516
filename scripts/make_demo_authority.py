#!/usr/bin/env python3
"""Generate the demo extracts of the business register (directors) and of the banks (account holders).

    python3 scripts/make_demo_authority.py [--seed 2026] [--registry data/demo] [--out data/demo]

Reads the demo SIRENE legal units (StockUniteLegale_demo.zip, written by make_demo_sirene.py) and
writes, next to them:

- rne_representatives.csv (siren, nom, prenoms, qualite, date_naissance as YYYY-MM): one or two
  directors for every legal unit that is not a sole trader (legal form 1000: the SIRENE person is
  the representative, the platform knows it without a register);
- bank_accounts.csv (iban, titulaire): one French account per legal unit, held in its registry name
  (a few written as banks do: legal form added, an article left out, surname first), plus the
  personal accounts of a few directors of the fixed companies.

The fixed companies' directors are written here (FIXED_DIRECTORS): the demo accounts rely on them
(see data/demo/README.md). Everything else is drawn from the seed. Same inputs and seed, same bytes.

Standard library only: it runs without the project's virtualenv.
"""

import argparse
import csv
import io
import json
import random
import sys
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from make_demo_sirene import FIRST_NAMES_F, FIRST_NAMES_M, SURNAMES  # noqa: E402

from tremplin.demo.bank import company_iban, personal_iban  # noqa: E402

RNE_COLUMNS = ("siren", "nom", "prenoms", "qualite", "date_naissance")
BANK_COLUMNS = ("iban", "titulaire")
SOLE_TRADER = "1000"

# Who runs the fixed companies of make_demo_sirene.py: (nom, prénoms, qualité, YYYY-MM).
# Camille Martin is the demo owner (dirigeante@…): the seed gives her files on her three companies.
FIXED_DIRECTORS = {
    "999900012": [("MARTIN", "Camille", "Gérant", "1979-05")],
    "999900020": [("MARTIN", "Camille", "Président", "1979-05")],
    "999900038": [
        ("MARTIN", "Camille", "Président", "1979-05"),
        ("GIRARD", "Karim", "Directeur général", "1984-11"),
    ],
    "999900046": [
        ("DUCRET", "Pierre Louis", "Gérant", "1961-02"),
        ("DUCRET", "Hugo", "Gérant", "1990-07"),
    ],
    "999900053": [("LEROY", "Anne Sophie", "Président", "1972-09")],
    "999900061": [("LE GOFF", "Yann", "Gérant", "1977-03")],
    "999900079": [("TANGUY", "Nolwenn", "Président", "1988-12")],
    "999900087": [
        ("MORVAN", "Erwan", "Gérant", "1966-06"),
        ("MORVAN", "Maëlle", "Gérant", "1969-01"),
    ],
    "999900095": [("VERNAY", "Claire", "Gérant", "1958-10")],
    "999900103": [
        ("BLANCHARD", "Sarah", "Président", "1981-04"),
        ("NICOLAS", "Julien", "Trésorier", "1975-08"),
    ],
    "999900111": [("ROCHE", "Lina", "Président", "1996-02")],
    "999900137": [
        ("RIOU", "Gaël", "Président", "1963-05"),
        ("CADIOU", "Aurélie", "Directeur général", "1974-09"),
    ],
}
# Directors of fixed companies whose own account the bank also knows (siren → the director's index).
PERSONAL_ACCOUNTS = {"999900046": 0}

# (first role, second role, probability of a second director) per legal form.
ROLES = {
    "5499": ("Gérant", "Gérant", 0.3),  # SARL: co-gérance
    "5498": ("Gérant", None, 0),  # EURL
    "5710": ("Président", "Directeur général", 0.4),  # SAS
    "5720": ("Président", "Directeur général", 0.15),  # SASU
    "6540": ("Gérant", "Gérant", 0.3),  # SCI
    "5202": ("Gérant", "Associé en nom", 0.6),  # SNC
    "9220": ("Président", "Trésorier", 0.5),  # association
    "7210": ("Maire", None, 0),  # commune
    "7348": ("Président", None, 0),  # syndicat intercommunal
}
DEFAULT_ROLES = ("Représentant légal", None, 0)
# How a bank may write a company's name: the legal form before it (still a MATCH once legal-form
# words are set aside), or without its article (a CLOSE MATCH).
LEGAL_FORM_NAMES = {
    "5499": "SARL",
    "5498": "EURL",
    "5710": "SAS",
    "5720": "SASU",
    "6540": "SCI",
    "5202": "SNC",
}
ARTICLES = {"DE", "DES", "DU", "LA", "LE", "LES", "L", "D"}


def legal_units(path):
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        with archive.open(member) as raw:
            yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))


class Generator:
    def __init__(self, seed, today):
        self.rng = random.Random(seed)
        self.today = today

    def birth_month(self):
        age = self.rng.randint(24, 68)
        return f"{self.today.year - age}-{self.rng.randint(1, 12):02d}"

    def person(self, family_name=None):
        rng = self.rng
        names = FIRST_NAMES_F if rng.random() < 0.5 else FIRST_NAMES_M
        given = rng.choice(names)
        if rng.random() < 0.35:  # the register lists every given name
            given += " " + rng.choice([n for n in names if n != given])
        return (family_name or rng.choice(SURNAMES)).upper(), given

    def directors(self, unit):
        siren, form = unit["siren"], unit["categorieJuridiqueUniteLegale"]
        if siren in FIXED_DIRECTORS:
            return FIXED_DIRECTORS[siren]
        first_role, second_role, second_chance = ROLES.get(form, DEFAULT_ROLES)
        family, given = self.person()
        people = [(family, given, first_role, self.birth_month())]
        if second_role and self.rng.random() < second_chance:
            # Often a relative: a family business.
            family, given = self.person(family if self.rng.random() < 0.4 else None)
            people.append((family, given, second_role, self.birth_month()))
        return people

    def holder(self, unit):
        """The account holder's name as the bank wrote it."""
        rng = self.rng
        if unit["categorieJuridiqueUniteLegale"] == SOLE_TRADER:
            if unit["nomUniteLegale"] == "[ND]":
                # SIRENE hides the name; the bank knows it.
                family, given = self.person()
                return f"{given.split()[0].upper()} {family}"
            given, family = unit["prenom1UniteLegale"], unit["nomUniteLegale"]
            return f"{family} {given}" if rng.random() < 0.06 else f"{given} {family}"
        name = unit["denominationUniteLegale"]
        draw = rng.random()
        form = LEGAL_FORM_NAMES.get(unit["categorieJuridiqueUniteLegale"])
        if draw < 0.05 and form:
            return f"{form} {name}"
        words = name.split()
        if draw < 0.09 and len(words) > 2 and any(w in ARTICLES for w in words[1:]):
            return " ".join(w for i, w in enumerate(words) if i == 0 or w not in ARTICLES)
        return name


def generate(units, seed, today):
    """(RNE rows, bank rows) for the legal units, in their order."""
    generator = Generator(seed, today)
    representatives, accounts = [], []
    for unit in units:
        siren = unit["siren"]
        directors = []
        if unit["categorieJuridiqueUniteLegale"] != SOLE_TRADER:
            directors = generator.directors(unit)
            representatives.extend((siren, *director) for director in directors)
        accounts.append((company_iban(siren), generator.holder(unit)))
        if siren in PERSONAL_ACCOUNTS:
            family, given, _role, _month = directors[PERSONAL_ACCOUNTS[siren]]
            accounts.append((personal_iban(siren), f"{given.split()[0].upper()} {family}"))
    return representatives, accounts


def write_csv(path, columns, rows):
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--registry", type=Path, default=ROOT / "data" / "demo", help="folder of the SIRENE zips"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "demo")
    args = parser.parse_args()
    manifest_path = args.registry / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    today = date.fromisoformat(manifest["reference_date"])
    units = list(legal_units(args.registry / "StockUniteLegale_demo.zip"))
    representatives, accounts = generate(units, args.seed, today)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "rne_representatives.csv", RNE_COLUMNS, representatives)
    write_csv(args.out / "bank_accounts.csv", BANK_COLUMNS, accounts)
    manifest.update(
        authority_seed=args.seed, representatives=len(representatives), bank_accounts=len(accounts)
    )
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps({k: manifest[k] for k in ("authority_seed", "representatives", "bank_accounts")}))


if __name__ == "__main__":
    main()
