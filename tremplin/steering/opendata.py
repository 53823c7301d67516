"""The programme's open data: the granted vouchers in the SCDL "subventions" format, and three aggregated
datasets (applications, payments, diagnostics by département x NAF section x month) with statistical
secrecy under 10. Each dataset has its Table Schema in `schemas/`; docs/open-data.md describes them.

The files are public. They are kept in `settings.OPEN_DATA_DIR`, rebuilt there by the task queue when a
download finds them older than `settings.OPEN_DATA_MAX_AGE` seconds (`published`), or written all at once
by `export_open_data DIR` (`export`).
The figures are national whoever asks: open data is not scoped.
"""

import csv
import io
import json
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count, F, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from tremplin.diagnostics.models import Diagnostic
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.payments.models import PaymentBatch, PaymentLine
from tremplin.registry.models import Diffusion
from tremplin.registry.reference import naf_sections_by_division
from tremplin.schemes.models import SpendCategory
from tremplin.vouchers.models import GRANTED, Application, states_tagged

SCHEMAS = Path(__file__).parent / "schemas"
# A cell counting fewer than this many files, payments or diagnostics is published without its figures.
SECRECY_THRESHOLD = 10
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    formats: tuple

    @property
    def schema(self):
        return load_schema(self.slug)

    @property
    def fields(self):
        return [field["name"] for field in self.schema["fields"]]

    def rows(self):
        """(rows as dicts of typed values, facts about them). The SCDL rows come as a generator, read once,
        and their facts are complete once it is exhausted."""
        return BUILDERS[self.slug]()

    def readable_rows(self):
        """`rows()`, kept in memory only when several formats must read them."""
        rows, facts = self.rows()
        return (list(rows) if len(self.formats) > 1 else rows), facts


DATASETS = {
    d.slug: d
    for d in (
        Dataset(
            "subventions",
            _("Chèques accordés (format SCDL subventions)"),
            _(
                "Un chèque accordé par ligne, au format national des données essentielles des conventions de "
                "subvention (SCDL 2.1.1). Les entrepreneurs individuels dont l'INSEE ne diffuse pas "
                "l'identité en sont exclus."
            ),
            ("csv",),
        ),
        Dataset(
            "demandes",
            _("Demandes déposées"),
            _("Nombre de demandes déposées par département, section NAF et mois de dépôt."),
            ("csv", "parquet"),
        ),
        Dataset(
            "paiements",
            _("Chèques payés"),
            _("Nombre et montant des chèques payés par département, section NAF et mois du virement."),
            ("csv", "parquet"),
        ),
        Dataset(
            "diagnostics",
            _("Diagnostics terminés"),
            _("Nombre de diagnostics de maturité numérique terminés par département, section NAF et mois."),
            ("csv", "parquet"),
        ),
    )
}


@cache
def load_schema(slug):
    return json.loads((SCHEMAS / f"{slug}.json").read_text(encoding="utf-8"))


def euros(cents):
    """Integer cents -> Decimal euros with two places, exactly."""
    return (Decimal(cents) / 100).quantize(CENT)


# --- the SCDL "subventions" file -----------------------------------------------------------------


def is_hidden(application):
    """The beneficiary is a sole trader whose identity SIRENE does not publish (diffusion partielle)."""
    establishment = application.establishment
    return application.company.diffusion == Diffusion.PARTIAL or (
        establishment is not None and establishment.diffusion == Diffusion.PARTIAL
    )


def beneficiary_siret(application):
    if application.establishment is not None:
        return application.establishment.siret
    return application.company.siren + application.company.head_office_nic


def payment_period(application, convention_day):
    """The transfer's date once paid; before, the period in which it may come: from the grant to the claim
    deadline plus the scheme's payment target (for an expired voucher, the period that was planned)."""
    line = getattr(application, "payment_line", None)
    if line is not None and line.batch.state == PaymentBatch.State.PAID and line.batch.paid_at:
        return timezone.localdate(line.batch.paid_at).isoformat()
    last = (application.valid_until or convention_day) + timedelta(
        days=application.scheme.payment_target_days
    )
    return f"{convention_day.isoformat()}/{last.isoformat()}"


def spend_labels():
    with translation.override("fr"):
        return {value: str(label) for value, label in SpendCategory.choices}


def grant_row(application, spend_labels):
    convention_day = timezone.localdate(application.decided_at)
    spend = spend_labels.get(application.spend_category, "")
    subject = f"Chèque numérique « {application.scheme.name} »" + (f" : {spend}" if spend else "")
    return {
        "nomAttribuant": settings.GRANTOR_NAME,
        "idAttribuant": settings.GRANTOR_SIRET,
        "dateConvention": convention_day,
        "referenceDecision": application.reference,
        "nomBeneficiaire": application.company.display_name,
        "idBeneficiaire": beneficiary_siret(application),
        "rnaBeneficiaire": None,
        "objet": subject[:256],
        "montant": euros(application.amount_cents),
        "nature": "aide en numéraire",
        "conditionsVersement": "unique",
        "datesPeriodeVersement": payment_period(application, convention_day),
        "idRAE": None,
        # De minimis aid (Regulation 2023/2831) is exempt from notification to the Commission.
        "notificationUE": False,
        "pourcentageSubvention": Decimal("1.00"),
        "dispositifAide": application.scheme.slug,
    }


def grants():
    """One row per granted voucher (approved and beyond), sole traders with a hidden identity left out."""
    files = (
        Application.objects.filter(
            state__in=states_tagged(GRANTED), decided_at__isnull=False, amount_cents__isnull=False
        )
        .select_related("company", "establishment", "scheme", "payment_line__batch")
        # Only what a row needs: a batch holds its whole SEPA file, a file dozens of columns.
        .only(
            "created_at",
            "decided_at",
            "amount_cents",
            "valid_until",
            "spend_category",
            "scheme__name",
            "scheme__slug",
            "scheme__payment_target_days",
            "company__siren",
            "company__head_office_nic",
            "company__denomination",
            "company__first_name",
            "company__last_name",
            "company__diffusion",
            "establishment__siret",
            "establishment__diffusion",
            "payment_line__batch__state",
            "payment_line__batch__paid_at",
        )
        .order_by("decided_at", "pk")
    )
    facts = {"rows": 0, "left_out": 0}
    labels = spend_labels()

    def rows():
        # Streamed (a server-side cursor on PostgreSQL): the file is written as the rows come.
        for application in files.iterator(chunk_size=2000):
            if is_hidden(application):
                facts["left_out"] += 1
            else:
                facts["rows"] += 1
                yield grant_row(application, labels)

    return rows(), facts


# --- aggregated datasets -----------------------------------------------------------------------


def suppress(cells, count_field, figures=()):
    """Statistical secrecy: a cell with fewer than SECRECY_THRESHOLD items loses its count and its other
    `figures` (left empty) and says so in `secretStatistique`. No secondary suppression: the files carry
    no totals or margins from which a hidden cell could be worked out (docs/open-data.md)."""
    for cell in cells:
        secret = cell[count_field] < SECRECY_THRESHOLD
        if secret:
            for name in (count_field, *figures):
                cell[name] = None
        cell["secretStatistique"] = secret
    return cells


def _cells(queryset, company, moment, measures):
    """Group `queryset` by the company's département, NAF section and the month of `moment`: the database
    groups by NAF division, this folds divisions into sections (at most 88 groups a month and département)."""
    sections = naf_sections_by_division()
    grouped = (
        queryset.annotate(
            dep=F(f"{company}__departement_id"),
            division=Substr(f"{company}__naf_code", 1, 2),
            month=TruncMonth(moment),
        )
        .values("dep", "division", "month")
        .annotate(**measures)
        .order_by()
    )
    cells = defaultdict(lambda: dict.fromkeys(measures, 0))
    for group in grouped:
        month = timezone.localtime(group["month"]) if timezone.is_aware(group["month"]) else group["month"]
        key = (group["dep"] or "", sections.get(group["division"] or "", ""), month.strftime("%Y-%m"))
        for name in measures:
            cells[key][name] += group[name] or 0
    return [
        {"departement": dep, "sectionNaf": section, "mois": month, **values}
        for (dep, section, month), values in sorted(
            cells.items(), key=lambda item: (item[0][2], *item[0][:2])
        )
    ]


def applications():
    cells = _cells(
        Application.objects.filter(submitted_at__isnull=False),
        "company",
        "submitted_at",
        {"nombreDemandes": Count("pk")},
    )
    return suppress(cells, "nombreDemandes"), {"rows": len(cells)}


def payments():
    cells = _cells(
        PaymentLine.objects.filter(batch__state=PaymentBatch.State.PAID, batch__paid_at__isnull=False),
        "application__company",
        "batch__paid_at",
        {"nombrePaiements": Count("pk"), "montantPaye": Sum("amount_cents")},
    )
    for cell in cells:
        cell["montantPaye"] = euros(cell["montantPaye"])
    return suppress(cells, "nombrePaiements", ["montantPaye"]), {"rows": len(cells)}


def diagnostics():
    cells = _cells(
        Diagnostic.objects.filter(state=DiagnosticState.COMPLETED, completed_at__isnull=False),
        "company",
        "completed_at",
        {"nombreDiagnostics": Count("pk")},
    )
    return suppress(cells, "nombreDiagnostics"), {"rows": len(cells)}


BUILDERS = {
    "subventions": grants,
    "demandes": applications,
    "paiements": payments,
    "diagnostics": diagnostics,
}


# --- files -----------------------------------------------------------------------------------------


def csv_text(value):
    """A typed value as the schemas write it: empty for missing, oui/non, point decimals, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_csv(dataset, rows, out):
    """UTF-8, comma, a header line with the schema's field names (as SCDL asks), into the binary `out`."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(dataset.fields)
    for row in rows:
        writer.writerow([csv_text(row[name]) for name in dataset.fields])
    text.detach()


def to_csv(dataset, rows):
    out = io.BytesIO()
    write_csv(dataset, rows, out)
    return out.getvalue()


def arrow_type(field):
    import pyarrow as pa

    return {
        "integer": pa.int64(),
        "number": pa.decimal128(14, 2),
        "boolean": pa.bool_(),
        "date": pa.date32(),
    }.get(field["type"], pa.string())


def write_parquet(dataset, rows, generated_at, out):
    """Columns typed from the schema (numbers as decimal(14,2), yearmonth as text); the generation time and
    the schema's name in the file's metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = dataset.schema["fields"]
    schema = pa.schema([pa.field(f["name"], arrow_type(f)) for f in fields])
    table = pa.Table.from_pylist([{f["name"]: row[f["name"]] for f in fields} for row in rows], schema=schema)
    table = table.replace_schema_metadata(
        {"generated_at": generated_at.isoformat(), "table_schema": dataset.schema["name"]}
    )
    pq.write_table(table, out)


def write(dataset, fmt, rows, generated_at, out):
    if fmt == "parquet":
        write_parquet(dataset, rows, generated_at, out)
    else:
        write_csv(dataset, rows, out)


def render(dataset, fmt, rows, generated_at):
    out = io.BytesIO()
    write(dataset, fmt, rows, generated_at, out)
    return out.getvalue()


def stamp(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def download_name(dataset, fmt, generated_at):
    return f"tremplin-{dataset.slug}-{stamp(generated_at)}.{fmt}"


def _write_atomically(path, content):
    """Write `content` (bytes, or a function writing to a binary file) to `path`: readers see the old
    file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            content(out) if callable(content) else out.write(content)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _writer(dataset, fmt, rows, generated_at):
    return lambda out: write(dataset, fmt, rows, generated_at, out)


@dataclass(frozen=True)
class Published:
    path: Path
    dataset: Dataset
    fmt: str
    generated_at: datetime
    facts: dict

    @property
    def filename(self):
        return download_name(self.dataset, self.fmt, self.generated_at)


def _meta_path(directory, dataset):
    return directory / f"{dataset.slug}.meta.json"


def rebuild(dataset, directory=None, now=None):
    """Every format of `dataset` built from one reading of the database, with a note of when and what."""
    directory = Path(directory or settings.OPEN_DATA_DIR)
    generated_at = now or timezone.now()
    rows, facts = dataset.readable_rows()
    for fmt in dataset.formats:
        _write_atomically(directory / f"{dataset.slug}.{fmt}", _writer(dataset, fmt, rows, generated_at))
    meta = {"generated_at": generated_at.isoformat(), **facts}
    _write_atomically(_meta_path(directory, dataset), json.dumps(meta).encode())
    return meta


def last_build(dataset, directory=None):
    """The note of the last build of `dataset` ({"generated_at": datetime, ...}), or None."""
    try:
        meta = json.loads(_meta_path(Path(directory or settings.OPEN_DATA_DIR), dataset).read_text())
    except (OSError, ValueError):
        return None
    meta["generated_at"] = datetime.fromisoformat(meta["generated_at"])
    return meta


def clear(directory=None):
    """Remove the built files and their notes (a new demo database must not serve the old one's)."""
    directory = Path(directory or settings.OPEN_DATA_DIR)
    for dataset in DATASETS.values():
        for path in (
            _meta_path(directory, dataset),
            *(directory / f"{dataset.slug}.{f}" for f in dataset.formats),
        ):
            path.unlink(missing_ok=True)


def published(dataset, fmt):
    """The public file of `dataset` in `fmt`. Missing, it is built now; older than OPEN_DATA_MAX_AGE, the
    task queue rebuilds it (asked once per REBUILD_PATIENCE) and this download gets the current one, so a
    visitor never waits for a national build."""
    directory = Path(settings.OPEN_DATA_DIR)
    meta = last_build(dataset)
    path = directory / f"{dataset.slug}.{fmt}"
    if meta is None or not path.exists():
        rebuild(dataset)
    elif timezone.now() - meta["generated_at"] > timedelta(seconds=settings.OPEN_DATA_MAX_AGE):
        ask_for_rebuild(dataset, directory)
    meta = last_build(dataset)
    facts = {k: v for k, v in meta.items() if k != "generated_at"}
    return Published(path, dataset, fmt, meta["generated_at"], facts)


# A rebuild asked for and not done after this long is asked for again (a worker may have died).
REBUILD_PATIENCE = timedelta(minutes=15)


def ask_for_rebuild(dataset, directory):
    asked = directory / f"{dataset.slug}.asked"
    try:
        asked_at = datetime.fromtimestamp(asked.stat().st_mtime, UTC)
    except OSError:
        asked_at = None
    if asked_at and timezone.now() - asked_at < REBUILD_PATIENCE:
        return
    asked.touch()
    rebuild_task.enqueue(slug=dataset.slug)


@task()
def rebuild_task(slug):
    directory = Path(settings.OPEN_DATA_DIR)
    rebuild(DATASETS[slug], directory)
    (directory / f"{slug}.asked").unlink(missing_ok=True)


def export(directory, now=None):
    """Every file of every dataset, with its schema and a Data Package (datapackage.json) listing them,
    into `directory`; file names carry the generation time. Returns the paths written."""
    directory = Path(directory)
    generated_at = now or timezone.now()
    with translation.override("fr"):
        return _export(directory, generated_at)


def _export(directory, generated_at):
    written, resources = [], []
    for dataset in DATASETS.values():
        rows, _ = dataset.readable_rows()
        schema_name = f"tremplin-{dataset.slug}-schema.json"
        _write_atomically(
            directory / schema_name, json.dumps(dataset.schema, ensure_ascii=False, indent=2).encode()
        )
        written.append(directory / schema_name)
        for fmt in dataset.formats:
            name = download_name(dataset, fmt, generated_at)
            _write_atomically(directory / name, _writer(dataset, fmt, rows, generated_at))
            written.append(directory / name)
            resources.append(
                {
                    "name": f"{dataset.slug}-{fmt}",
                    "path": name,
                    "format": fmt,
                    "schema": schema_name,
                    "title": str(dataset.title),
                    **({"encoding": "utf-8"} if fmt == "csv" else {}),
                }
            )
    package = {
        "name": "tremplin-numerique",
        "title": "Tremplin Numérique : données ouvertes",
        "created": generated_at.isoformat(),
        "licenses": load_schema("demandes")["licenses"],
        "resources": resources,
    }
    _write_atomically(
        directory / "datapackage.json", json.dumps(package, ensure_ascii=False, indent=2).encode()
    )
    written.append(directory / "datapackage.json")
    return written
