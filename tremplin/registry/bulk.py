"""Set-based writes for the registry's imports.

Reference data (a few thousand rows) goes through Upsert: one executemany on
SQLite, one statement fed with one array per column (unnest) on PostgreSQL.

A stock file goes first to a temporary staging table: PostgreSQL gets it
through `COPY` (psycopg's `cursor.copy`), SQLite through batched executemany,
which its driver loops over in C. Then it is merged into the real table:
one hash join of the staging table with the real one finds the new and changed
rows (counted from there: new, changed, ceased, unchanged), and one `INSERT ...
ON CONFLICT DO UPDATE` over those only writes them, so a newer stock rewrites
only what changed. The SQL is the same on both databases but for de-duplication, where
SQLite has no DISTINCT ON.

A first load (the table is empty) is a plain `INSERT ... SELECT`: every row is
new. On PostgreSQL it goes in pg_restore's order: the table's secondary indexes
and foreign keys are dropped first and built again once the rows are in, inside
the same transaction (so the table is locked until it commits), which is several
times faster than maintaining them row by row.
"""

import io
from contextlib import contextmanager

from django.db import OperationalError, connection, models, transaction
from pyarrow import csv as arrow_csv

from tremplin.registry.models import Company, Establishment

# "text" is never NULL (an empty field is an empty string); "varchar" may be NULL.
MERGE_WORK_MEM = "256MB"
# For the index builds of a first load (the server's memory, this transaction only).
INDEX_BUILD_MEMORY = "1GB"
OBJECT_IN_USE = "55006"  # "cannot ALTER TABLE ... because it has pending trigger events"
_TYPES = {"text", "varchar", "date", "integer", "bigint", "boolean", "timestamptz"}


def _qn(name):
    return connection.ops.quote_name(name)


def _sum(condition):
    return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


class StagingTable:
    """A temporary table (dropped at the end of the session at the latest) loaded from Arrow batches."""

    def __init__(self, name, columns):
        assert {kind for _name, kind in columns} <= _TYPES
        self.name, self.columns = name, columns
        self.names = [name for name, _kind in columns]
        self.rows = 0  # rows it holds
        definition = ", ".join(f"{_qn(column)} {kind}" for column, kind in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The merge's hash joins and sorts span millions of rows: in memory rather than spilled
                # (this transaction only; the server's memory, not the importing process's).
                cursor.execute(f"SET LOCAL work_mem = '{MERGE_WORK_MEM}'")
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
                # One commit at the end of a long import: waiting for its WAL flush buys nothing (a crash
                # before the flush loses the import, which is then run again).
                cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(f"DROP TABLE IF EXISTS {_qn(name)}")
            cursor.execute(f"CREATE TEMPORARY TABLE {_qn(name)} ({definition})")

    @contextmanager
    def loader(self):
        """Yield load(batch): appends an Arrow batch whose columns are `names`, in that order."""
        columns = ", ".join(_qn(c) for c in self.names)
        if connection.vendor == "postgresql":
            text = ", ".join(_qn(c) for c, kind in self.columns if kind == "text")
            connection.ensure_connection()
            options = arrow_csv.WriteOptions(include_header=False)
            # An unquoted empty field is NULL in COPY's CSV format; text columns are never NULL here.
            statement = f"COPY {_qn(self.name)} ({columns}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({text}))"
            with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:

                def load(batch):
                    sink = io.BytesIO()
                    arrow_csv.write_csv(batch, sink, options)
                    copy.write(sink.getbuffer())
                    self.rows += batch.num_rows

                yield load
        else:
            statement = (
                f"INSERT INTO {_qn(self.name)} ({columns}) VALUES ({', '.join(['%s'] * len(self.names))})"
            )
            with connection.cursor() as cursor:

                def load(batch):
                    cursor.executemany(
                        statement, zip(*(column.to_pylist() for column in batch.columns), strict=True)
                    )
                    self.rows += batch.num_rows

                yield load

    def analyze(self, columns):
        """Statistics for the planner on the columns the merge joins on: a temporary table has none until
        asked (autovacuum never sees it), and the other columns' would cost more than they help."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {_qn(self.name)} ({', '.join(_qn(c) for c in columns)})")
            else:  # SQLite analyzes a whole table (a small one, on SQLite)
                cursor.execute(f"ANALYZE {_qn(self.name)}")

    def keep_last_per(self, key):
        """A key repeated in the file: its last line wins (ON CONFLICT cannot touch a row twice)."""
        table = _qn(self.name)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} GROUP BY {key} HAVING count(*) > 1) AS d"
            )
            if cursor.fetchone()[0]:
                cursor.execute(
                    f"DELETE FROM {table} WHERE line NOT IN (SELECT max(line) FROM {table} GROUP BY {key})"
                )
                self.rows -= cursor.rowcount

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {_qn(self.name)}")


def merge(model, key, fields, source, rows, state_column, ceased=("A", "C"), defaults=()):
    """Upsert `fields` ([(column, SQL over `source`)]) into model's table; return (new, changed, ceased, unchanged).

    `source` is a FROM clause over the staging table aliased `s`, which has a unique `line`, and yields
    `rows` rows. Only the rows that differ are written: an unchanged row keeps its tuple (and its
    triggers, if any, stay quiet). One hash join of the source with the table finds them (their lines
    go to a small temporary table), rather than an index probe per row of the source.
    """
    table = _qn(model._meta.db_table)
    columns = [_qn(column) for column, _expression in fields]
    expressions = [expression for _column, expression in fields]
    owned = [c for c in columns if c != _qn(key)]
    owned_source = [e for (c, e) in fields if c != key]
    pk = _qn(model._meta.pk.column)
    was, becomes = ceased
    default_columns = "".join(f", {_qn(column)}" for column, _value in defaults)
    default_values = "".join(f", {value}" for _column, value in defaults)
    insert = (
        f"INSERT INTO {table} ({', '.join(columns)}{default_columns}) "
        f"SELECT {', '.join(expressions)}{default_values} FROM {source}"
    )
    if is_empty(model):
        with _bulk_loading(model, key), connection.cursor() as cursor:
            cursor.execute(insert)
            return cursor.rowcount, 0, 0, 0
    delta = _qn(f"{model._meta.db_table}_delta")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {delta}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {delta} AS SELECT s.line, t.{pk} IS NULL AS is_new, "
            f"t.{_qn(state_column)} = '{was}' AND {dict(fields)[state_column]} = '{becomes}' AS ceases "
            f"FROM {source} LEFT JOIN {table} AS t ON t.{_qn(key)} = s.{_qn(key)} "
            f"WHERE t.{pk} IS NULL OR ({_row('t', owned)}) IS DISTINCT FROM ({', '.join(owned_source)})"
        )
        cursor.execute(f"SELECT {_sum('is_new')}, {_sum('NOT is_new')}, {_sum('ceases')} FROM {delta}")
        new, changed, ceased_count = cursor.fetchone()
        cursor.execute(
            f"{insert} JOIN {delta} AS d ON d.line = s.line WHERE true "  # SQLite: WHERE before ON CONFLICT
            f"ON CONFLICT ({_qn(key)}) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in owned)}"
        )
        cursor.execute(f"DROP TABLE {delta}")
    return new, changed, ceased_count, rows - new - changed


def _row(alias, columns):
    return ", ".join(f"{alias}.{c}" for c in columns)


def is_empty(model):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {_qn(model._meta.db_table)})")
        return bool(cursor.fetchone()[0])


@contextmanager
def _bulk_loading(model, key):
    """PostgreSQL: drop the table's non-unique indexes and its foreign keys, load, then build them again.

    Unique indexes stay (they hold invariants, and the keys of other tables' foreign keys); the
    foreign keys are checked once, by one join, when they are added back, instead of row by row.
    """
    if connection.vendor != "postgresql":
        yield
        return
    table = _qn(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass AND NOT indisunique ORDER BY 1",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY 1",
            [table],
        )
        foreign_keys = cursor.fetchall()
        try:
            with transaction.atomic():
                for name, _definition in foreign_keys:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_qn(name)}")
                for name, _definition in indexes:
                    cursor.execute(f"DROP INDEX {name}")
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != OBJECT_IN_USE:
                raise
            # This transaction wrote rows whose foreign keys are not checked yet (deferred): the
            # tables cannot be altered, so the rows are loaded with everything maintained.
            indexes, foreign_keys = [], []
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_qn(name)} {definition}")
        # The column the next merge joins on; autovacuum analyzes the rest once the import commits.
        cursor.execute(f"ANALYZE {table} ({_qn(key)})")


# Columns the stock file owns. The head office's location is written by the
# establishment import, so re-importing legal units never clears it.
COMPANY_COLUMNS = [
    ("siren", "text"),
    ("diffusion", "text"),
    ("created_on", "date"),
    ("acronym", "text"),
    ("last_name", "text"),
    ("first_name", "text"),
    ("denomination", "text"),
    ("headcount_bracket", "text"),
    ("headcount_year", "integer"),
    ("category", "text"),
    ("state", "text"),
    ("legal_form", "text"),
    ("naf_code", "text"),
    ("naf_nomenclature", "text"),
    ("naf2025_code", "text"),
    ("head_office_nic", "text"),
    ("last_processed_at", "timestamptz"),
]
ESTABLISHMENT_COLUMNS = [
    ("siren", "text"),
    ("siret", "text"),
    ("nic", "text"),
    ("diffusion", "text"),
    ("is_head_office", "boolean"),
    ("state", "text"),
    ("created_on", "date"),
    ("sign_name", "text"),
    ("street", "text"),
    ("postal_code", "text"),
    ("commune_code", "text"),
    ("commune_name", "text"),
    ("naf_code", "text"),
    ("headcount_bracket", "text"),
    ("departement", "varchar"),  # None when no département could be found
]


class LegalUnitMerge:
    staging_columns = [("line", "bigint"), *COMPANY_COLUMNS]
    joined_on = ["line", "siren"]
    located = False  # whether run() wrote the head offices' locations

    def unknown_companies(self, staging):
        return []

    def run(self, staging, establishments=None):
        """Merge the staged legal units; `establishments`: the staged establishments of the same stock.

        On a first load, each company gets its head office's location from `establishments` as it is
        written, rather than every company being written a second time by the establishments' merge.
        """
        staging.keep_last_per("siren")
        fields = [(name, f"s.{_qn(name)}") for name, _kind in COMPANY_COLUMNS]
        source = f"{_qn(staging.name)} AS s"
        postal_code, commune_code, departement = "''", "''", "NULL"
        if establishments is not None and is_empty(Company):
            head_offices = _latest_head_offices(establishments, staging.name)
            source += f" LEFT JOIN ({head_offices}) AS h ON h.siren = s.siren"
            postal_code, commune_code = "coalesce(h.postal_code, '')", "coalesce(h.commune_code, '')"
            departement = "h.departement"
            self.located = True
        return merge(
            Company,
            "siren",
            fields,
            source,
            staging.rows,
            "state",
            ceased=(Company.State.ACTIVE, Company.State.CEASED),
            defaults=[
                ("head_office_postal_code", postal_code),
                ("head_office_commune_code", commune_code),
                ("departement_id", departement),
            ],
        )


def _latest_head_offices(staging, companies):
    """SELECT siren, postal_code, commune_code, departement: per company of the table `companies`, the last
    head office of `staging` (establishments), when it is the one the legal unit names (or it names none)."""
    head_offices = (
        f"FROM {_qn(staging.name)} AS s JOIN {_qn(companies)} AS o ON o.siren = s.siren "
        "AND o.head_office_nic IN ('', s.nic) WHERE s.is_head_office"
    )
    if connection.vendor == "postgresql":
        return (
            f"SELECT DISTINCT ON (s.siren) s.siren, s.postal_code, s.commune_code, s.departement "
            f"{head_offices} ORDER BY s.siren, s.line DESC"
        )
    # SQLite takes the other columns from the row holding max(line)
    return f"SELECT s.siren, s.postal_code, s.commune_code, s.departement, max(s.line) {head_offices} GROUP BY s.siren"


class EstablishmentMerge:
    staging_columns = [("line", "bigint"), *ESTABLISHMENT_COLUMNS]
    joined_on = ["line", "siren", "siret", "is_head_office"]

    def __init__(self, legal_units=None):
        # The legal units staged in the same transaction (not merged yet when the establishments are checked).
        self.legal_units = legal_units
        self.unknown = 0

    def unknown_companies(self, staging):
        """(line, siret, siren) of the establishments whose legal unit the registry does not hold."""
        company = _qn(Company._meta.db_table)
        staged = ""
        if self.legal_units is not None:
            staged = (
                f" AND NOT EXISTS (SELECT 1 FROM {_qn(self.legal_units.name)} AS u WHERE u.siren = s.siren)"
            )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.line, s.siret, s.siren FROM {_qn(staging.name)} AS s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {company} AS c WHERE c.siren = s.siren){staged} ORDER BY s.line"
            )
            for row in cursor:
                self.unknown += 1
                yield row

    def run(self, staging, located=False):
        """Merge the staged establishments; `located`: their companies have their head office's location already."""
        staging.keep_last_per("siret")
        company = _qn(Company._meta.db_table)
        fields = [("company_id", "c.id")] + [
            (name, f"s.{_qn(name)}")
            for name, _kind in ESTABLISHMENT_COLUMNS
            if name not in ("siren", "departement")
        ]
        fields.sort(key=lambda f: f[0] != "siret")  # the key first
        counts = merge(
            Establishment,
            "siret",
            fields,
            f"{_qn(staging.name)} AS s JOIN {company} AS c ON c.siren = s.siren",
            staging.rows - self.unknown,  # those are not imported
            "state",
            ceased=(Establishment.State.OPEN, Establishment.State.CLOSED),
        )
        if not located:
            self._locate_head_offices(staging)
        return counts

    def _locate_head_offices(self, staging):
        """The head office's location on its company, when it is the one the legal unit names (or it names none)."""
        company = _qn(Company._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {company} AS c SET head_office_postal_code = h.postal_code, "
                "head_office_commune_code = h.commune_code, departement_id = h.departement "
                f"FROM ({_latest_head_offices(staging, Company._meta.db_table)}) AS h WHERE c.siren = h.siren AND "
                "(c.head_office_postal_code, c.head_office_commune_code, c.departement_id) "
                "IS DISTINCT FROM (h.postal_code, h.commune_code, h.departement)"
            )


def _adapter(field):
    if isinstance(field, models.CharField | models.IntegerField | models.BooleanField | models.ForeignKey):
        return None  # the database driver takes these values as they are
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def _columns_as_arrays(fields, rows):
    """For PostgreSQL: FROM unnest(%s::type[], ...) and one list of values per column."""
    sql = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    return f"unnest({sql})", [list(column) for column in zip(*rows, strict=True)]


class Upsert:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET ... = EXCLUDED....

    It skips the ORM's per-object work, which dominates bulk_create at registry
    scale (Django also caps SQLite statements at 999 parameters).
    """

    def __init__(self, model, fields, key, update_fields, defaults=None):
        meta = model._meta
        self.fields = [meta.get_field(name) for name in fields]
        self.names = [field.name for field in self.fields]
        default_fields = [meta.get_field(name) for name in (defaults or {})]
        qn = connection.ops.quote_name
        columns = [f.column for f in self.fields + default_fields]
        self.all_fields = self.fields + default_fields
        self.insert = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        self.prefix = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "
        self.row_sql = f"({', '.join(['%s'] * len(columns))})"
        self.suffix = f" ON CONFLICT ({qn(meta.get_field(key).column)}) DO UPDATE SET " + ", ".join(
            f"{qn(c)} = EXCLUDED.{qn(c)}" for c in (meta.get_field(name).column for name in update_fields)
        )
        self.adapters = list(zip(map(_adapter, self.fields), self.names, strict=True))
        self.default_values = [
            value if adapt is None else adapt(value)
            for adapt, value in zip(map(_adapter, default_fields), (defaults or {}).values(), strict=True)
        ]

    def run(self, records):
        """Upsert records: dicts keyed by field name (a foreign key's value is the related pk)."""
        rows = [
            [record[name] if adapt is None else adapt(record[name]) for adapt, name in self.adapters]
            + self.default_values
            for record in records
        ]
        if not rows:
            return 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                source, arrays = _columns_as_arrays(self.all_fields, rows)
                cursor.execute(f"{self.insert}SELECT * FROM {source}{self.suffix}", arrays)
            else:
                cursor.executemany(self.prefix + self.row_sql + self.suffix, rows)
        return len(rows)


def update_by_pk(model, fields, rows):
    """Set `fields` on many rows at once; each row is (*values, pk)."""
    meta = model._meta
    table, pk = _qn(meta.db_table), _qn(meta.pk.column)
    columns = [_qn(meta.get_field(name).column) for name in fields]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, arrays = _columns_as_arrays([meta.get_field(name) for name in fields] + [meta.pk], rows)
            names = [f"c{i}" for i in range(len(fields))]
            assignments = ", ".join(f"{c} = v.{name}" for c, name in zip(columns, names, strict=True))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {source} AS v({', '.join(names)}, pk) "
                f"WHERE {table}.{pk} = v.pk",
                arrays,
            )
        else:
            assignments = ", ".join(f"{c} = %s" for c in columns)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)
