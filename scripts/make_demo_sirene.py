#!/usr/bin/env python3
"""Generate the demo SIRENE registry: fake companies in INSEE's real stock-file format.

    python3 scripts/make_demo_sirene.py [--count 3000] [--seed 2026] [--today YYYY-MM-DD] [--out data/demo]

Writes StockUniteLegale_demo.zip and StockEtablissement_demo.zip (full INSEE
headers, one CSV per zip) and manifest.json (reference date, seed, counts).
Everything is invented (names, addresses) except the geography (real commune
codes from data/reference/) and the nomenclatures. Same seed and date, same bytes.

Standard library only: it runs without the project's virtualenv. For millions of rows,
bench/registry_import.py generates its files in DuckDB SQL instead.
"""

import argparse
import csv
import io
import json
import random
import unicodedata
import zipfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "data" / "reference"

# Kept in step with tremplin/registry/sirene.py (tests check they match).
UNITE_LEGALE_COLUMNS = (
    "siren statutDiffusionUniteLegale unitePurgeeUniteLegale dateCreationUniteLegale sigleUniteLegale "
    "sexeUniteLegale prenom1UniteLegale prenom2UniteLegale prenom3UniteLegale prenom4UniteLegale "
    "prenomUsuelUniteLegale pseudonymeUniteLegale identifiantAssociationUniteLegale "
    "trancheEffectifsUniteLegale anneeEffectifsUniteLegale dateDernierTraitementUniteLegale "
    "nombrePeriodesUniteLegale categorieEntreprise anneeCategorieEntreprise dateDebut "
    "etatAdministratifUniteLegale nomUniteLegale nomUsageUniteLegale denominationUniteLegale "
    "denominationUsuelle1UniteLegale denominationUsuelle2UniteLegale denominationUsuelle3UniteLegale "
    "categorieJuridiqueUniteLegale activitePrincipaleUniteLegale nomenclatureActivitePrincipaleUniteLegale "
    "nicSiegeUniteLegale economieSocialeSolidaireUniteLegale societeMissionUniteLegale "
    "caractereEmployeurUniteLegale activitePrincipaleNAF25UniteLegale"
).split()
ETABLISSEMENT_COLUMNS = (
    "siren nic siret statutDiffusionEtablissement dateCreationEtablissement trancheEffectifsEtablissement "
    "anneeEffectifsEtablissement activitePrincipaleRegistreMetiersEtablissement "
    "dateDernierTraitementEtablissement etablissementSiege nombrePeriodesEtablissement "
    "complementAdresseEtablissement numeroVoieEtablissement indiceRepetitionEtablissement "
    "dernierNumeroVoieEtablissement indiceRepetitionDernierNumeroVoieEtablissement typeVoieEtablissement "
    "libelleVoieEtablissement codePostalEtablissement libelleCommuneEtablissement "
    "libelleCommuneEtrangerEtablissement distributionSpecialeEtablissement codeCommuneEtablissement "
    "codeCedexEtablissement libelleCedexEtablissement codePaysEtrangerEtablissement "
    "libellePaysEtrangerEtablissement identifiantAdresseEtablissement coordonneeLambertAbscisseEtablissement "
    "coordonneeLambertOrdonneeEtablissement complementAdresse2Etablissement numeroVoie2Etablissement "
    "indiceRepetition2Etablissement typeVoie2Etablissement libelleVoie2Etablissement codePostal2Etablissement "
    "libelleCommune2Etablissement libelleCommuneEtranger2Etablissement distributionSpeciale2Etablissement "
    "codeCommune2Etablissement codeCedex2Etablissement libelleCedex2Etablissement "
    "codePaysEtranger2Etablissement libellePaysEtranger2Etablissement dateDebut "
    "etatAdministratifEtablissement enseigne1Etablissement enseigne2Etablissement enseigne3Etablissement "
    "denominationUsuelleEtablissement activitePrincipaleEtablissement "
    "nomenclatureActivitePrincipaleEtablissement caractereEmployeurEtablissement "
    "activitePrincipaleNAF25Etablissement"
).split()

REGIONS = {
    "84": ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    "53": ["22", "29", "35", "56"],
}
REGION_WEIGHTS = {"84": 0.7, "53": 0.3}
# Large towns get a bigger share of businesses than their commune count suggests.
TOWNS = {
    "84": [
        "69381",
        "69382",
        "69383",
        "69384",
        "69385",
        "69386",
        "69387",
        "69388",
        "69389",
        "69266",
        "38185",
        "42218",
        "63113",
        "74010",
        "73065",
        "26362",
        "01053",
        "03185",
        "07186",
        "15014",
        "43157",
    ],
    "53": ["35238", "29019", "29232", "56260", "56121", "22278", "35288", "29103"],
}
# Whole communes split into arrondissements in SIRENE (Paris, Marseille, Lyon).
SPLIT_COMMUNES = {"75056", "13055", "69123"}

# (NAF rev. 2 code, weight, words for a trade name)
ACTIVITIES = [
    ("10.71C", 6, ["Boulangerie", "Fournil", "Au bon pain"]),
    ("10.71D", 2, ["Pâtisserie", "Douceurs"]),
    ("10.13B", 1, ["Charcuterie"]),
    ("47.22Z", 2, ["Boucherie"]),
    ("47.11C", 2, ["Épicerie", "Supérette"]),
    ("47.71Z", 4, ["Boutique", "Mode", "Dressing"]),
    ("47.78C", 2, ["Comptoir", "Bazar"]),
    ("47.73Z", 1, ["Pharmacie"]),
    ("47.76Z", 2, ["Fleurs", "L'Atelier floral"]),
    ("47.61Z", 1, ["Librairie"]),
    ("47.59B", 1, ["Maison et déco", "Intérieurs"]),
    ("47.29Z", 1, ["Cave", "Fromagerie"]),
    ("47.24Z", 1, ["Chocolaterie"]),
    ("47.91B", 2, ["Boutique en ligne", "E-shop"]),
    ("43.21A", 3, ["Électricité"]),
    ("43.22A", 3, ["Plomberie", "Chauffage"]),
    ("43.32A", 2, ["Menuiserie"]),
    ("43.34Z", 2, ["Peinture", "Décoration"]),
    ("43.99C", 2, ["Maçonnerie", "Bâti"]),
    ("16.23Z", 1, ["Charpente"]),
    ("25.62B", 1, ["Mécanique de précision"]),
    ("32.12Z", 1, ["Bijouterie", "Atelier d'orfèvre"]),
    ("14.13Z", 1, ["Couture", "Atelier textile"]),
    ("96.02A", 5, ["Coiffure", "Salon", "Studio coiffure"]),
    ("96.02B", 3, ["Institut", "Beauté"]),
    ("96.09Z", 1, ["Services"]),
    ("45.20A", 3, ["Garage", "Auto services"]),
    ("95.29Z", 1, ["Cordonnerie", "Retouches"]),
    ("56.10A", 6, ["Restaurant", "Bistrot", "Auberge", "Crêperie", "Brasserie"]),
    ("56.10C", 3, ["Snack", "Pizzeria", "Food truck"]),
    ("56.30Z", 2, ["Bar", "Café"]),
    ("55.10Z", 1, ["Hôtel"]),
    ("79.11Z", 1, ["Voyages"]),
    ("69.20Z", 2, ["Cabinet comptable", "Expertise"]),
    ("70.22Z", 3, ["Conseil", "Stratégie"]),
    ("71.11Z", 1, ["Architecture", "Atelier d'architecture"]),
    ("74.10Z", 1, ["Design", "Studio graphique"]),
    ("74.20Z", 1, ["Photographie", "Studio photo"]),
    ("73.11Z", 1, ["Communication", "Agence"]),
    ("62.01Z", 1, ["Logiciels", "Numérique"]),
    ("68.31Z", 2, ["Immobilier", "Agence immobilière"]),
    ("81.21Z", 2, ["Nettoyage", "Propreté"]),
    ("85.59A", 1, ["Formation"]),
    ("93.13Z", 1, ["Forme", "Fitness"]),
    ("49.32Z", 1, ["Taxi"]),
    ("86.21Z", 1, ["Cabinet médical"]),
    ("86.90E", 1, ["Kinésithérapie"]),
    ("90.01Z", 1, ["Compagnie", "Théâtre"]),
    ("01.21Z", 1, ["Domaine", "Vignoble"]),
]
ASSOCIATION_NAF = ["94.99Z", "93.12Z", "88.99B", "90.01Z", "85.59B"]
ASSOCIATION_WORDS = ["Association", "Amicale", "Club", "Comité des fêtes", "Les amis du patrimoine"]
PUBLIC_BODIES = [("7210", "84.11Z", "Commune de"), ("7348", "84.11Z", "Syndicat intercommunal de")]

LEGAL_FORMS = [("1000", 40), ("5499", 14), ("5498", 8), ("5710", 16), ("5720", 12), ("6540", 2), ("5202", 1)]
HEADCOUNTS = [("NN", 34), ("00", 14), ("01", 21), ("02", 14), ("03", 9), ("11", 5), ("12", 2), ("21", 1)]

SURNAMES = """Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre Leroy
Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefevre Faure
Andre Mercier Blanc Guerin Boyer Garnier Chevalier Francois Legrand Gauthier Garcia Perrin Robin Clement Morin
Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noel Meyer Dufour Meunier
Brun Blanchard Giraud Joly Riviere Lucas Brunet Gaillard Barbier Arnaud Martinez Gerard Roche Renard Schmitt Roy
Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre
LeGall LeGoff Tanguy Guillou Jaouen Kerbrat Quere Morvan Riou Cadiou Jezequel Pichon Chapuis Vial Bouvier Perret
Fayolle Chabert Rey Reynaud Jacquet Berthet Magnin Cottin Vernay Ducret Grange""".split()
FIRST_NAMES_M = "Pierre Jean Louis Paul Hugo Lucas Thomas Nicolas Julien Antoine Yann Erwan Gaël Mathis Karim Samir".split()
FIRST_NAMES_F = "Marie Anne Sophie Camille Léa Manon Julie Claire Emma Chloé Nolwenn Maëlle Inès Sarah Lina Aurélie".split()
PLACE_WORDS = [
    "du Centre",
    "de la Place",
    "des Halles",
    "du Marché",
    "du Port",
    "de la Gare",
    "du Parc",
    "des Lilas",
    "du Vieux Bourg",
    "des Canuts",
    "de la Croix-Rousse",
    "des Monts",
    "du Lac",
    "de l'Océan",
    "des Remparts",
    "de la Colline",
    "du Vallon",
]
STREET_TYPES = [("RUE", 55), ("AV", 12), ("BD", 6), ("PL", 6), ("CHE", 8), ("RTE", 8), ("ALL", 3), ("IMP", 2)]
STREET_NAMES = """de la République|Victor Hugo|Jean Jaurès|du Général de Gaulle|de la Gare|Pasteur|des Écoles|
de l'Église|du Moulin|des Tilleuls|de la Mairie|Gambetta|Carnot|des Acacias|de Bretagne|du Stade|des Lavandières|
Saint-Michel|de la Libération|des Forges|du Port|des Vignes|Émile Zola|de Verdun|des Peupliers""".replace(
    "\n", ""
).split("|")

# Fixed companies the demo accounts rely on (documented in data/demo/README.md).
# Fields: siren, denomination (or "" for a sole trader), naf, legal form, headcount,
# commune code, months since creation, state, diffusion, note.
FIXED = [
    ("999900012", "Boulangerie des Canuts", "10.71C", "5499", "02", "69384", 96, "A", "O", "eligible-69"),
    ("999900020", "Salon Lumière Coiffure", "96.02A", "5720", "01", "69266", 60, "A", "O", "eligible-69"),
    ("999900038", "Bistrot de la Guillotière", "56.10A", "5710", "03", "69387", 40, "A", "O", "eligible-69"),
    ("999900046", "Plomberie Ducret et Fils", "43.22A", "5499", "02", "69259", 150, "A", "O", "eligible-69"),
    ("999900053", "Librairie des Terreaux", "47.61Z", "5710", "01", "69381", 30, "A", "O", "eligible-69"),
    ("999900061", "Crêperie du Thabor", "56.10A", "5499", "02", "35238", 84, "A", "O", "eligible-35"),
    ("999900079", "Fleurs des Remparts", "47.76Z", "5720", "01", "35288", 26, "A", "O", "eligible-35"),
    ("999900087", "Menuiserie Morvan", "43.32A", "5499", "03", "35115", 200, "A", "O", "eligible-35"),
    ("999900095", "Atelier Vernay", "47.71Z", "5499", "01", "69383", 110, "C", "O", "ceased"),
    (
        "999900103",
        "Association Lyon Numérique Solidaire",
        "94.99Z",
        "9220",
        "01",
        "69382",
        72,
        "A",
        "O",
        "association",
    ),
    (
        "999900111",
        "Jeune Pousse Studio",
        "74.10Z",
        "5720",
        "NN",
        "69386",
        2,
        "A",
        "O",
        "created-2-months-ago",
    ),
    ("999900129", "", "96.02B", "1000", "NN", "69388", 48, "A", "P", "sole-trader-not-diffusible"),
    (
        "999900137",
        "Conserverie de la Rance",
        "10.20Z",
        "5710",
        "12",
        "35288",
        180,
        "A",
        "O",
        "too-large-20-49",
    ),
]


def luhn_complete(prefix):
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)


def plain(text):
    """SIRENE writes addresses in capitals without accents."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def months_before(day, months):
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, 28))


def read_communes():
    by_departement = {}
    names = {}
    with (REFERENCE_DIR / "communes.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["code"] in SPLIT_COMMUNES or not row["postal_codes"]:
                continue
            commune = (row["code"], row["name"], row["postal_codes"].split()[0])
            by_departement.setdefault(row["departement"], []).append(commune)
            names[row["code"]] = commune
    return by_departement, names


def naf_codes():
    with (REFERENCE_DIR / "naf_rev2.csv").open(newline="", encoding="utf-8") as f:
        return {row["code"] for row in csv.DictReader(f) if row["level"] == "subclass"}


class Generator:
    def __init__(self, seed, today):
        self.rng = random.Random(seed)
        self.today = today
        self.communes_by_departement, self.communes = read_communes()
        known = naf_codes()
        for code, *_ in ACTIVITIES:
            assert code in known, code
        self.used_sirens = {f[0] for f in FIXED}

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights)[0]

    def new_siren(self):
        while True:
            siren = luhn_complete(f"{self.rng.randrange(80_000_000, 98_999_999):08d}")
            if siren not in self.used_sirens:
                self.used_sirens.add(siren)
                return siren

    def nic(self, siren, rank):
        # NICs are sequence numbers whose last digit makes the SIRET pass the Luhn check.
        return luhn_complete(siren + f"{rank:04d}")[9:]

    def commune(self):
        region = self.weighted(REGION_WEIGHTS.items())
        if self.rng.random() < 0.4:
            return self.communes[self.rng.choice(TOWNS[region])]
        departement = self.rng.choice(REGIONS[region])
        return self.rng.choice(self.communes_by_departement[departement])

    def creation_date(self):
        if self.rng.random() < 0.05:  # young businesses, less than six months old
            return self.today - timedelta(days=self.rng.randrange(5, 180))
        return self.today - timedelta(days=self.rng.randrange(180, 45 * 365))

    def timestamp(self, created):
        start = max(created, self.today - timedelta(days=3 * 365))
        day = start + timedelta(days=self.rng.randrange(0, max(1, (self.today - start).days)))
        return f"{day.isoformat()}T{self.rng.randrange(6, 22):02d}:{self.rng.randrange(60):02d}:{self.rng.randrange(60):02d}.000"

    def person(self):
        sex = self.rng.choice("MF")
        first = self.rng.choice(FIRST_NAMES_M if sex == "M" else FIRST_NAMES_F)
        return sex, first.upper(), self.rng.choice(SURNAMES).upper()

    def company(
        self,
        *,
        siren=None,
        denomination=None,
        naf=None,
        legal_form=None,
        headcount=None,
        commune=None,
        created=None,
        state=None,
        diffusion=None,
    ):
        rng = self.rng
        siren = siren or self.new_siren()
        kind = rng.random()
        if legal_form is None:
            if kind < 0.03:
                legal_form = "9220"
            elif kind < 0.04:
                legal_form = "public"
            else:
                legal_form = self.weighted(LEGAL_FORMS)
        commune = commune or self.commune()
        words = None
        if legal_form == "9220":
            naf = naf or rng.choice(ASSOCIATION_NAF)
            words = ASSOCIATION_WORDS
        elif legal_form == "public":
            legal_form, naf, prefix = rng.choice(PUBLIC_BODIES)
            denomination = denomination or f"{prefix} {commune[1]}".upper()
        elif naf is None:
            naf, _weight, words = rng.choices(ACTIVITIES, [a[1] for a in ACTIVITIES])[0]
        else:
            words = next((a[2] for a in ACTIVITIES if a[0] == naf), ["Entreprise"])
        created = created or self.creation_date()
        state = state or ("C" if rng.random() < 0.04 else "A")
        headcount = headcount or self.weighted(HEADCOUNTS)
        sole_trader = legal_form == "1000"
        diffusion = diffusion or ("P" if sole_trader and rng.random() < 0.2 else "O")

        sex = first = last = ""
        if sole_trader:
            sex, first, last = self.person()
            denomination = ""
        elif denomination is None:
            word = rng.choice(words)
            tail = rng.choice([rng.choice(SURNAMES), rng.choice(PLACE_WORDS), commune[1]])
            denomination = f"{word} {tail}".upper()
        denomination = denomination.upper()

        nic = self.nic(siren, 1)
        year_of_count = str(self.today.year - 2) if headcount != "NN" else ""
        hidden = diffusion == "P"
        nd = "[ND]"
        unit = dict.fromkeys(UNITE_LEGALE_COLUMNS, "")
        unit.update(
            siren=siren,
            statutDiffusionUniteLegale=diffusion,
            dateCreationUniteLegale=created.isoformat(),
            sexeUniteLegale=nd if hidden and sole_trader else sex,
            prenom1UniteLegale=nd if hidden and sole_trader else first,
            prenomUsuelUniteLegale=nd if hidden and sole_trader else first,
            nomUniteLegale=nd if hidden and sole_trader else last,
            identifiantAssociationUniteLegale=(
                f"W{commune[0][:2].replace('A', '0').replace('B', '0')}{rng.randrange(10**6, 10**7)}"
                if legal_form == "9220"
                else ""
            ),
            trancheEffectifsUniteLegale=headcount,
            anneeEffectifsUniteLegale=year_of_count,
            dateDernierTraitementUniteLegale=self.timestamp(created),
            nombrePeriodesUniteLegale=str(rng.randint(1, 4)),
            categorieEntreprise="PME" if created < self.today - timedelta(days=730) else "",
            anneeCategorieEntreprise=str(self.today.year - 3)
            if created < self.today - timedelta(days=730)
            else "",
            dateDebut=created.isoformat(),
            etatAdministratifUniteLegale=state,
            denominationUniteLegale=denomination,
            categorieJuridiqueUniteLegale=legal_form,
            activitePrincipaleUniteLegale=naf,
            nomenclatureActivitePrincipaleUniteLegale="NAFRev2",
            nicSiegeUniteLegale=nic,
            economieSocialeSolidaireUniteLegale="O" if legal_form == "9220" else "N",
            societeMissionUniteLegale="" if sole_trader else "N",
            caractereEmployeurUniteLegale="N" if headcount in ("NN", "00") else "O",
            unitePurgeeUniteLegale="",
        )

        establishments = [
            self.establishment(
                siren,
                nic,
                unit,
                commune,
                created,
                head_office=True,
                closed=state == "C",
                hidden=hidden,
                words=words,
            )
        ]
        if state == "A" and rng.random() < 0.1:
            # A second, older establishment: a former site now closed, or a second shop.
            closed = rng.random() < 0.5
            other = self.commune() if rng.random() < 0.3 else commune
            establishments.append(
                self.establishment(
                    siren,
                    self.nic(siren, 2),
                    unit,
                    other,
                    created,
                    head_office=False,
                    closed=closed,
                    hidden=hidden,
                    words=words,
                )
            )
        return unit, establishments

    def establishment(self, siren, nic, unit, commune, created, *, head_office, closed, hidden, words):
        rng = self.rng
        nd = "[ND]"
        row = dict.fromkeys(ETABLISSEMENT_COLUMNS, "")
        street_type = self.weighted(STREET_TYPES)
        number = str(rng.randint(1, 180))
        sign = rng.choice(words).upper() if words and rng.random() < 0.3 and not hidden else ""
        headcount = unit["trancheEffectifsUniteLegale"]
        row.update(
            siren=siren,
            nic=nic,
            siret=siren + nic,
            statutDiffusionEtablissement=unit["statutDiffusionUniteLegale"],
            dateCreationEtablissement=created.isoformat(),
            trancheEffectifsEtablissement=headcount,
            anneeEffectifsEtablissement=unit["anneeEffectifsUniteLegale"],
            dateDernierTraitementEtablissement=unit["dateDernierTraitementUniteLegale"],
            etablissementSiege="true" if head_office else "false",
            nombrePeriodesEtablissement=str(rng.randint(1, 3)),
            numeroVoieEtablissement=nd if hidden else number,
            typeVoieEtablissement=nd if hidden else street_type,
            libelleVoieEtablissement=nd if hidden else plain(rng.choice(STREET_NAMES)),
            codePostalEtablissement=commune[2],
            libelleCommuneEtablissement=plain(commune[1]),
            codeCommuneEtablissement=commune[0],
            dateDebut=created.isoformat(),
            etatAdministratifEtablissement="F" if closed else "A",
            enseigne1Etablissement=sign,
            activitePrincipaleEtablissement=unit["activitePrincipaleUniteLegale"],
            nomenclatureActivitePrincipaleEtablissement="NAFRev2",
            caractereEmployeurEtablissement=unit["caractereEmployeurUniteLegale"],
        )
        return row

    def fixed(self):
        for siren, name, naf, form, headcount, commune, months, state, diffusion, _note in FIXED:
            yield self.company(
                siren=siren,
                denomination=name or None,
                naf=naf,
                legal_form=form,
                headcount=headcount,
                commune=self.communes[commune],
                created=months_before(self.today, months),
                state=state,
                diffusion=diffusion,
            )


def generate(count, seed=2026, today=None):
    """Yield (legal unit row, [establishment rows]) for `count` companies, fixed ones first."""
    generator = Generator(seed, today or date.today())
    produced = 0
    for item in generator.fixed():
        if produced >= count:
            return
        produced += 1
        yield item
    while produced < count:
        produced += 1
        yield generator.company()


def write_zip(path, member, columns, rows):
    """Write rows (dicts) as the single CSV `member` of a zip, like INSEE's stock files."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))  # fixed: reproducible bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, buffer.getvalue().encode("utf-8"), compresslevel=9)


def write_files(out, count, seed, today, suffix="demo"):
    units, establishments = [], []
    for unit, rows in generate(count, seed, today):
        units.append(unit)
        establishments.extend(rows)
    out.mkdir(parents=True, exist_ok=True)
    legal_units_path = out / f"StockUniteLegale_{suffix}.zip"
    establishments_path = out / f"StockEtablissement_{suffix}.zip"
    write_zip(legal_units_path, f"StockUniteLegale_{suffix}.csv", UNITE_LEGALE_COLUMNS, units)
    write_zip(establishments_path, f"StockEtablissement_{suffix}.csv", ETABLISSEMENT_COLUMNS, establishments)
    return legal_units_path, establishments_path, len(units), len(establishments)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(), help="reference date")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "demo")
    args = parser.parse_args()
    _, _, units, establishments = write_files(args.out, args.count, args.seed, args.today)
    manifest = {
        "reference_date": args.today.isoformat(),
        "seed": args.seed,
        "legal_units": units,
        "establishments": establishments,
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
