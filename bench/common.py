"""What every benchmark shares: a throw-away database and valid identifiers."""

import atexit
import os
import tempfile


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


def luhn(prefix):
    """Append the Luhn check digit (SIREN, SIRET)."""
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return prefix + str((10 - total % 10) % 10)
