"""Load the geography and NAF reference files shipped in data/reference/.

The files are produced by scripts/refdata/regenerate.py; data/README.md gives
their sources and licences. Loading is an upsert, so it can run at every set-up.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tremplin.registry.bulk import Upsert
from tremplin.registry.models import Commune, Departement, NafCode, NafSection, Region

REFERENCE_DIR = Path(settings.BASE_DIR) / "data" / "reference"


@dataclass
class ReferenceCounts:
    regions: int = 0
    departements: int = 0
    communes: int = 0
    naf_sections: int = 0
    naf_codes: int = 0

    def __str__(self):
        return (
            f"{self.regions} régions, {self.departements} départements, {self.communes} communes, "
            f"{self.naf_sections} sections NAF, {self.naf_codes} codes NAF"
        )


def read_rows(name, data_dir=None):
    with (Path(data_dir or REFERENCE_DIR) / name).open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def _upsert(model, fields, records):
    return Upsert(model, fields, "code", fields[1:]).run(records)


@transaction.atomic
def load_reference_data(only_departements=None, data_dir=None):
    """Upsert régions, départements, communes and NAF codes; return the counts.

    Régions and départements are always loaded whole (they are small and other
    tables point at them). `only_departements` (iterable of codes, e.g. ["69", "2A"])
    restricts the communes, which keeps tests that need a little geography fast.
    A full load also removes communes that no longer exist (merged communes);
    nothing refers to Commune by key, so that is safe.
    """
    counts = ReferenceCounts()
    counts.regions = _upsert(Region, ["code", "name"], list(read_rows("regions.csv", data_dir)))
    counts.departements = _upsert(
        Departement, ["code", "name", "region"], list(read_rows("departements.csv", data_dir))
    )

    wanted = set(only_departements) if only_departements is not None else None
    communes = [
        {**row, "postal_codes": row["postal_codes"].split()}
        for row in read_rows("communes.csv", data_dir)
        if wanted is None or row["departement"] in wanted
    ]
    counts.communes = _upsert(Commune, ["code", "name", "departement", "postal_codes"], communes)
    if wanted is None:
        stale = set(Commune.objects.values_list("code", flat=True)) - {c["code"] for c in communes}
        if stale:
            Commune.objects.filter(code__in=sorted(stale)).delete()

    counts.naf_sections = _upsert(
        NafSection, ["code", "label"], list(read_rows("naf_sections.csv", data_dir))
    )
    counts.naf_codes = _upsert(
        NafCode,
        ["code", "label", "section"],
        [row for row in read_rows("naf_rev2.csv", data_dir) if row["level"] == "subclass"],
    )
    return counts


def naf_sections_by_division(data_dir=None):
    """{"62": "J", ...} for every NAF rev. 2 division, read from the shipped file."""
    mapping = {}
    for row in read_rows("naf_sections.csv", data_dir):
        for division in range(int(row["first_division"]), int(row["last_division"]) + 1):
            mapping[f"{division:02d}"] = row["code"]
    return mapping
