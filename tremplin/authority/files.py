"""A CSV file an adapter reads: columns checked by name, parsed once, read again when it changes on disk."""

import csv
import threading
from pathlib import Path


class WatchedCsv:
    """`WatchedCsv(path, columns, build).get()` is `build(rows)` of the file's current content ({} when absent).

    Rows are dicts with stripped names and values; a file without one of `columns` is refused.
    """

    def __init__(self, path, columns, build):
        self.path = Path(path)
        self.columns = columns
        self.build = build
        self._lock = threading.Lock()
        self._stamp = None
        self._value = {}

    def get(self):
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                with self.path.open(newline="", encoding="utf-8") as stream:
                    reader = csv.DictReader(stream)
                    missing = set(self.columns) - {name.strip() for name in reader.fieldnames or ()}
                    if missing:
                        raise ValueError(f"{self.path}: missing columns {sorted(missing)}")
                    rows = ({k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader)
                    self._value = self.build(rows)
                self._stamp = stamp
            return self._value
