"""CSV import of the advisor network: one row per advisor; a file with any bad row imports nothing."""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from tremplin.accounts.models import Role, User
from tremplin.core import audit
from tremplin.core.errors import ServiceError
from tremplin.network.models import AdvisorProfile, Antenna, Organisation, Theme
from tremplin.registry.models import Departement

COLUMNS = ["organisation", "type", "antenne", "departements", "email", "prenom", "nom", "themes"]
KINDS = {
    "cci": Organisation.Kind.CCI,
    "cma": Organisation.Kind.CMA,
    "incubateur": Organisation.Kind.INCUBATOR,
    "incubator": Organisation.Kind.INCUBATOR,
    "autre": Organisation.Kind.OTHER,
    "other": Organisation.Kind.OTHER,
}


class ImportRefused(ServiceError):
    """The file was refused as a whole; `errors` lists (line number, French message)."""

    def __init__(self, errors):
        super().__init__(
            "import_refused",
            f"Fichier refusé, rien n'a été importé : {len(errors)} ligne(s) à corriger.",
        )
        self.errors = errors


@dataclass
class ImportReport:
    organisations: int
    antennas: int
    advisors: int
    created_advisors: int


def _read(text):
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in headers]
    if missing:
        raise ImportRefused(
            [(1, "Colonnes manquantes : " + ", ".join(missing) + ". Attendu : " + ";".join(COLUMNS))]
        )
    reader.fieldnames = headers
    return [
        (index, {k: (v or "").strip() for k, v in row.items() if k}) for index, row in enumerate(reader, 2)
    ]


def _check(rows):
    known_departements = set(Departement.objects.values_list("code", flat=True))
    known_themes = set(Theme.objects.values_list("code", flat=True))
    other_roles = {
        email.lower() for email in User.objects.exclude(role=Role.ADVISOR).values_list("email", flat=True)
    }
    errors, seen = [], {}
    for line, row in rows:
        problems = []
        for column in ("organisation", "antenne", "email", "prenom", "nom"):
            if not row.get(column):
                problems.append(f"la colonne « {column} » est vide")
        if row.get("type", "").lower() not in KINDS:
            problems.append(
                f"type « {row.get('type', '')} » inconnu (attendu : CCI, CMA, incubateur ou autre)"
            )
        departements = row.get("departements", "").split()
        if not departements:
            problems.append("aucun département")
        unknown = [d for d in departements if d.upper() not in known_departements]
        if unknown:
            problems.append("département(s) inconnu(s) : " + ", ".join(unknown))
        unknown_themes = [t for t in row.get("themes", "").split() if t not in known_themes]
        if unknown_themes:
            problems.append("thème(s) inconnu(s) : " + ", ".join(unknown_themes))
        email = row.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"adresse électronique « {email} » invalide")
            if email in seen:
                problems.append(f"adresse « {email} » déjà utilisée ligne {seen[email]}")
            else:
                seen[email] = line
            if email in other_roles:
                problems.append(f"« {email} » appartient déjà à un compte qui n'est pas un conseiller")
        if problems:
            errors.append((line, "Ligne {} : {}.".format(line, " ; ".join(problems))))
    return errors


def import_network(text, *, actor=None):
    """Import the CSV text; raises ImportRefused (nothing imported) when any row is wrong."""
    rows = _read(text)
    if not rows:
        raise ImportRefused([(1, "Le fichier ne contient aucune ligne de conseiller.")])
    errors = _check(rows)
    if errors:
        raise ImportRefused(errors)
    themes = {t.code: t for t in Theme.objects.all()}
    organisations, antennas, created = {}, {}, 0
    with transaction.atomic():
        for _line, row in rows:
            departements = [d.upper() for d in row["departements"].split()]
            name = row["organisation"]
            organisation = organisations.get(name)
            if organisation is None:
                organisation, _ = Organisation.objects.get_or_create(
                    name=name, defaults={"kind": KINDS[row["type"].lower()]}
                )
                organisations[name] = organisation
            organisation.departements.add(*departements)
            antenna = antennas.get((name, row["antenne"]))
            if antenna is None:
                antenna, _ = Antenna.objects.get_or_create(organisation=organisation, name=row["antenne"])
                antennas[(name, row["antenne"])] = antenna
            antenna.departements.add(*departements)
            user, was_created = User.objects.update_or_create(
                email=row["email"].lower(),
                defaults={
                    "first_name": row["prenom"],
                    "last_name": row["nom"],
                    "role": Role.ADVISOR,
                    "organisation": organisation,
                },
            )
            if was_created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                created += 1
            profile, _ = AdvisorProfile.objects.update_or_create(user=user, defaults={"antenna": antenna})
            profile.specialties.set([themes[code] for code in row["themes"].split()])
        report = ImportReport(len(organisations), len(antennas), len(rows), created)
        if actor is not None:
            audit.record(actor, actor=actor, action="import_network", **report.__dict__)
    return report
