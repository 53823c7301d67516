"""gunicorn's settings for `make serve` and production (docs/deploy.md); each can be set from the environment.

Sync workers: every request is short (the long work goes to the task queue), and the database, not the
Python process, is what a request waits on. Behind nginx, which buffers slow clients.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# gunicorn's rule of thumb, (2 × cores) + 1, unless WEB_CONCURRENCY says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (a slow leak never grows for long), not all at once.
max_requests = 20_000
max_requests_jitter = 2_000
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Errors to the standard error; access lines are nginx's (they would only repeat them).
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
proc_name = "tremplin"
