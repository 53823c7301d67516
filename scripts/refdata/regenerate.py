#!/usr/bin/env python3
"""Regenerate the reference data shipped in data/reference/ from its npm sources.

    python3 scripts/refdata/regenerate.py [--latest] [--keep-temp]

Needs node/npm and network access to the npm registry; everything else is the
standard library, so it runs without the project's virtualenv. The output is
deterministic for a given package version: re-running it without a new release
leaves the files unchanged.

Sources (see data/README.md):
- @etalab/decoupage-administratif (MIT): régions, départements, communes;
- @socialgouv/codes-naf (Apache-2.0): NAF rev. 2 labels.
"""

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "reference"

# Pinned so that a regeneration is reproducible; bump deliberately (--latest shows what changed).
PACKAGES = {
    "@etalab/decoupage-administratif": ("6.0.0", "MIT"),
    "@socialgouv/codes-naf": ("1.1.1", "Apache-2.0"),
}

# Zones kept: metropolitan France (Corsica included) and the five overseas
# départements-régions. Overseas collectivities (975, 977, 978, 98x) are not
# départements and are left out on purpose.
KEPT_ZONES = {"metro", "drom"}
# Paris, Lyon and Marseille are split into arrondissements in SIRENE's
# codeCommuneEtablissement, so those codes are kept alongside current communes.
KEPT_COMMUNE_TYPES = {"commune-actuelle", "arrondissement-municipal"}

# NAF rev. 2 sections by 2-digit division (INSEE nomenclature).
NAF_SECTIONS = [
    ("A", "Agriculture, sylviculture et pêche", 1, 3),
    ("B", "Industries extractives", 5, 9),
    ("C", "Industrie manufacturière", 10, 33),
    ("D", "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné", 35, 35),
    (
        "E",
        "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
        36,
        39,
    ),
    ("F", "Construction", 41, 43),
    ("G", "Commerce ; réparation d'automobiles et de motocycles", 45, 47),
    ("H", "Transports et entreposage", 49, 53),
    ("I", "Hébergement et restauration", 55, 56),
    ("J", "Information et communication", 58, 63),
    ("K", "Activités financières et d'assurance", 64, 66),
    ("L", "Activités immobilières", 68, 68),
    ("M", "Activités spécialisées, scientifiques et techniques", 69, 75),
    ("N", "Activités de services administratifs et de soutien", 77, 82),
    ("O", "Administration publique", 84, 84),
    ("P", "Enseignement", 85, 85),
    ("Q", "Santé humaine et action sociale", 86, 88),
    ("R", "Arts, spectacles et activités récréatives", 90, 93),
    ("S", "Autres activités de services", 94, 96),
    (
        "T",
        "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages "
        "en tant que producteurs de biens et services pour usage propre",
        97,
        98,
    ),
    ("U", "Activités extra-territoriales", 99, 99),
]

NAF_LEVELS = [
    ("subclass", re.compile(r"\d\d\.\d\d[A-Z]")),
    ("class", re.compile(r"\d\d\.\d\d")),
    ("group", re.compile(r"\d\d\.\d")),
    ("division", re.compile(r"\d\d")),
]


def section_of(code):
    division = int(code[:2])
    for section, _label, first, last in NAF_SECTIONS:
        if first <= division <= last:
            return section
    raise ValueError(f"NAF division {division} has no section")


def npm_install(workdir, latest=False):
    specs = [name if latest else f"{name}@{version}" for name, (version, _licence) in PACKAGES.items()]
    subprocess.run(["npm", "init", "-y"], cwd=workdir, check=True, capture_output=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", *specs],
        cwd=workdir,
        check=True,
    )
    return workdir / "node_modules"


def write_csv(name, header, rows):
    path = OUT / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows", file=sys.stderr)


def build(modules):
    geo = modules / "@etalab" / "decoupage-administratif" / "data"
    regions = [r for r in json.loads((geo / "regions.json").read_text()) if r["zone"] in KEPT_ZONES]
    region_codes = {r["code"] for r in regions}
    departements = [
        d for d in json.loads((geo / "departements.json").read_text()) if d["region"] in region_codes
    ]
    departement_codes = {d["code"] for d in departements}
    communes = [
        c
        for c in json.loads((geo / "communes.json").read_text())
        if c["type"] in KEPT_COMMUNE_TYPES and c["departement"] in departement_codes
    ]

    write_csv("regions.csv", ["code", "name"], sorted((r["code"], r["nom"]) for r in regions))
    write_csv(
        "departements.csv",
        ["code", "name", "region"],
        sorted((d["code"], d["nom"], d["region"]) for d in departements),
    )
    write_csv(
        "communes.csv",
        ["code", "name", "departement", "postal_codes"],
        sorted(
            (c["code"], c["nom"], c["departement"], " ".join(sorted(set(c.get("codesPostaux", [])))))
            for c in communes
        ),
    )

    write_csv(
        "naf_sections.csv",
        ["code", "label", "first_division", "last_division"],
        [(s, label, f"{first:02d}", f"{last:02d}") for s, label, first, last in NAF_SECTIONS],
    )
    naf_rows = []
    for item in json.loads((modules / "@socialgouv" / "codes-naf" / "index.json").read_text()):
        code = item["id"].strip()
        level = next((name for name, pattern in NAF_LEVELS if pattern.fullmatch(code)), None)
        if level is None:
            raise ValueError(f"Unexpected NAF code {code!r}")
        naf_rows.append((code, " ".join(item["label"].split()), level, section_of(code)))
    write_csv("naf_rev2.csv", ["code", "label", "level", "section"], sorted(naf_rows))

    # Files written by hand (INSEE's legal categories) keep their entry: they name their source.
    previous = OUT / "sources.json"
    sources = {
        name: entry
        for name, entry in (json.loads(previous.read_text()) if previous.exists() else {}).items()
        if "source" in entry
    }
    for package, (_version, licence) in PACKAGES.items():
        meta = json.loads((modules / package / "package.json").read_text())
        sources[package] = {"version": meta["version"], "license": meta.get("license", licence)}
    (OUT / "sources.json").write_text(
        json.dumps(sources, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-temp", action="store_true", help="keep the npm working directory")
    parser.add_argument("--latest", action="store_true", help="use the latest releases, not the pinned ones")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="tremplin-refdata-"))
    try:
        build(npm_install(workdir, latest=args.latest))
    finally:
        if args.keep_temp:
            print(f"npm directory kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
