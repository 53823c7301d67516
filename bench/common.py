"""What every benchmark shares: a throw-away database and valid identifiers."""

import atexit
import os
import tempfile

from tremplin.registry.identifiers import with_check_digit as luhn  # noqa: F401 (used by the benches)


def prepare_database(label):
    """SQLite in a temp folder, or a fresh database on the PostgreSQL server of DATABASE_URL.

    The PostgreSQL database is named after the bench and the process, so two benches
    never drop each other's data, and it is dropped when the bench exits.
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix=f"tn-bench-{label}-")
        return "sqlite"
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"tremplin_bench_{label}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")

    def drop():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    atexit.register(drop)
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    return "postgresql"
