"""Portable bulk writes for the registry's large imports.

SQLite runs one prepared statement per row through executemany, which its
driver loops over in C. PostgreSQL would pay a round trip per row that way, so
it gets one statement per batch instead, fed with one array per column
(unnest): a handful of parameters however many rows.
"""

from django.db import connection, models


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
    qn = connection.ops.quote_name
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    columns = [qn(meta.get_field(name).column) for name in fields]
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
