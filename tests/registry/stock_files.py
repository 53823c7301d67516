"""Build small SIRENE stock files for tests, in INSEE's format."""

import csv
import zipfile

from tremplin.registry.identifiers import with_check_digit as luhn_complete
from tremplin.registry.sirene import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS

# Valid SIRENs (Luhn) and the SIRETs of their head offices.
SIRENS = ["732829320", "552032534", "542051180", "443061841", "383474814"]


def head_office_nic(siren):
    return luhn_complete(siren + "0001")[9:]


def legal_unit(siren=SIRENS[0], **values):
    row = dict.fromkeys(UNITE_LEGALE_COLUMNS, "")
    row.update(
        siren=siren,
        statutDiffusionUniteLegale="O",
        dateCreationUniteLegale="2015-03-02",
        trancheEffectifsUniteLegale="02",
        anneeEffectifsUniteLegale="2023",
        dateDernierTraitementUniteLegale="2025-06-14T10:22:31.000",
        categorieEntreprise="PME",
        etatAdministratifUniteLegale="A",
        denominationUniteLegale="BOULANGERIE DU PARC",
        categorieJuridiqueUniteLegale="5499",
        activitePrincipaleUniteLegale="10.71C",
        nomenclatureActivitePrincipaleUniteLegale="NAFRev2",
        nicSiegeUniteLegale=head_office_nic(siren),
        activitePrincipaleNAF25UniteLegale="10.71C",
    )
    row.update(values)
    return row


def establishment(siren=SIRENS[0], nic=None, **values):
    nic = nic or head_office_nic(siren)
    row = dict.fromkeys(ETABLISSEMENT_COLUMNS, "")
    row.update(
        siren=siren,
        nic=nic,
        siret=siren + nic,
        statutDiffusionEtablissement="O",
        dateCreationEtablissement="2015-03-02",
        trancheEffectifsEtablissement="02",
        etablissementSiege="true",
        numeroVoieEtablissement="12",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="DE LA REPUBLIQUE",
        codePostalEtablissement="69001",
        libelleCommuneEtablissement="LYON 1ER ARRONDISSEMENT",
        codeCommuneEtablissement="69381",
        etatAdministratifEtablissement="A",
        activitePrincipaleEtablissement="10.71C",
        nomenclatureActivitePrincipaleEtablissement="NAFRev2",
    )
    row.update(values)
    return row


def write_stock(path, rows, columns=None, zipped=False):
    """Write dict rows (or raw lists, for malformed lines) under a header; zip it if asked."""
    columns = columns or list(rows[0])
    lines = []

    class Sink:
        def write(self, text):
            lines.append(text)

    writer = csv.writer(Sink(), lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row if isinstance(row, list) else [row.get(c.strip(), "") for c in columns])
    content = "".join(lines)
    if zipped:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(path.with_suffix(".csv").name, content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
