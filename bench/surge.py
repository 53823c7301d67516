#!/usr/bin/env python
"""Launch-day surge: many clients submit their drafts at once through the API, over HTTP, on PostgreSQL.

The production stack on the loopback: gunicorn (config/gunicorn.py, DEBUG off, persistent connections),
one app server or several behind nginx (`--servers 3`), one PostgreSQL. Each company's owner has an API
token and a complete draft (a director of the company in an extract of the business register, the
company's account in an extract of the banks' accounts, as in bench/budget_race.py); the envelope funds
`--capacity` files and waitlists the rest.

An async load generator in a separate process (aiohttp, `--clients` connections at once, at most
`--submissions` files and `--max-seconds` per phase) sends each file's `POST
/api/v1/applications/{id}/submit` with an `Idempotency-Key`, and sends it again with the same key after
a dropped connection, a timeout or a 5xx. In the same run, first, the same load against the baseline
endpoint of the same stack (bench/surge_urls.py: same middleware, same token, the submission's writes in
raw SQL, nothing else), after which the drafts are put back as they were. `--kill` sends SIGKILL to one
app server (its master and its workers) a third of the way through each phase, and starts it again
between the phases.

Afterwards the database is checked: overspend (committed beyond the envelope), duplicates (a file
reserved twice, a receipt number given twice or taken for nothing, a submission audited twice), lost
(a submission acknowledged to its client but not submitted). Prints one JSON line last.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/surge.py
    .venv/bin/python bench/surge.py --servers 3 --kill
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
VOUCHER_CENTS = 200_000
SUBMIT_PATH = "/api/v1/applications/{id}/submit"
BASELINE_PATH = "/api/bench/submit/{id}"
# A client gives up on a file after this many sends (each with the file's one key).
MAX_ATTEMPTS = 20
REQUEST_TIMEOUT_S = 15


# --- the load generator (its own process) --------------------------------------------------------


async def _fire(spec):
    import aiohttp

    jobs = list(reversed(spec["jobs"]))
    deadline = time.monotonic() + spec["max_seconds"]
    results = []
    connector = aiohttp.TCPConnector(limit=spec["clients"], ttl_dns_cache=None)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)

    async def client(session):
        while jobs and time.monotonic() < deadline:
            token, path, key, pk = jobs.pop()
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
            started = time.perf_counter()
            attempts, status, replayed, state = 0, 0, False, None
            while True:
                attempts += 1
                try:
                    async with session.post(spec["base"] + path, headers=headers, data=b"") as response:
                        status = response.status
                        body = await response.read()
                        replayed = response.headers.get("Idempotent-Replayed") == "true"
                    if 200 <= status < 300:
                        state = json.loads(body).get("state")
                except (TimeoutError, aiohttp.ClientError, ConnectionError):
                    status = 0  # dropped or timed out: the first send may have been done, or not
                if (status == 0 or status >= 500) and attempts < MAX_ATTEMPTS and time.monotonic() < deadline:
                    await asyncio.sleep(min(0.02 * attempts, 0.5))
                    continue
                break
            results.append(
                [pk, status, round((time.perf_counter() - started) * 1000, 2), attempts, replayed, state]
            )

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        began = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(spec["clients"])))
        seconds = time.perf_counter() - began
    return {"seconds": seconds, "results": results, "unsent": len(jobs)}


def load_generator(spec_path, out_path):
    spec = json.loads(Path(spec_path).read_text())
    Path(out_path).write_text(json.dumps(asyncio.run(_fire(spec))))


# --- app servers and nginx -------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, seconds=60):
    """Until something answers HTTP on the port (any status)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /api/v1/schemes HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


class AppServer:
    """One gunicorn (its master and workers in their own process group, so one SIGKILL ends them all)."""

    def __init__(self, port, env, args, logs):
        self.port, self.env, self.args, self.logs = port, env, args, logs
        self.process = None

    def start(self):
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "config" / "gunicorn.py"),
            "--chdir",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.args.workers),
            "--worker-class",
            self.args.worker_class,
            "--threads",
            str(self.args.threads),
            # Several servers on one machine: no shared control socket in the home folder.
            "--no-control-socket",
            "config.wsgi",
        ]
        log = open(Path(self.logs, f"gunicorn-{self.port}.log"), "ab")  # noqa: SIM115 (the child keeps it)
        self.process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        return self

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def nginx_config(folder, port, upstream_ports):
    """What docs/deploy.md shows: the app servers as one upstream; a POST already sent to a server that
    died is not sent to another (nginx does not resend a non-idempotent request): its client resends it
    with its Idempotency-Key, and nginx, which has marked the dead server down, sends it elsewhere."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstream_ports)
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes auto;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temp}
    upstream tremplin {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{
            proxy_pass http://tremplin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
        }}
    }}
}}
"""


def ensure_nginx():
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        return shutil.which("nginx") or "/usr/sbin/nginx"
    print("# nginx is missing: installing the Debian package", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def start_nginx(folder, port, upstream_ports):
    config = Path(folder, "nginx.conf")
    config.write_text(nginx_config(folder, port, upstream_ports))
    log = open(Path(folder, "nginx.out"), "ab")  # noqa: SIM115 (the child keeps it)
    process = subprocess.Popen(
        [ensure_nginx(), "-p", folder, "-c", str(config), "-e", f"{folder}/error.log"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return process


# --- data, checks --------------------------------------------------------------------------------


def issue_tokens(owner_ids):
    """One API token per owner, as the admin makes them (only the digest stored); the raw values."""
    from tremplin.accounts.models import ApiToken

    raws = {owner: "tn_" + secrets.token_urlsafe(32) for owner in owner_ids}
    ApiToken.objects.bulk_create(
        ApiToken(user_id=owner, name="surge", prefix=raw[:8], digest=ApiToken.hash(raw))
        for owner, raw in raws.items()
    )
    return raws


def check_invariants(envelope_id, acknowledged_ids):
    """What the database says after a phase: overspend_cents, duplicates, lost, and the counts."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count, Q, Sum

    from tremplin.core.models import AuditEvent
    from tremplin.schemes.models import Envelope, LedgerEntry
    from tremplin.vouchers.models import Application, State

    envelope = Envelope.objects.get(pk=envelope_id)
    files = Application.objects.filter(envelope_id=envelope_id)
    ledger = LedgerEntry.objects.filter(envelope_id=envelope_id).aggregate(
        reserved=Sum("amount_cents", filter=Q(kind="reserve"), default=0),
        released=Sum("amount_cents", filter=Q(kind="release"), default=0),
    )
    reserved_on_files = files.aggregate(total=Sum("reserved_cents", default=0))["total"]
    overspend = max(
        envelope.committed_cents - envelope.total_cents,
        ledger["reserved"] - ledger["released"] - envelope.total_cents,
        reserved_on_files - envelope.total_cents,
        0,
    )
    reserved_twice = (
        LedgerEntry.objects.filter(envelope_id=envelope_id, kind="reserve")
        .values("application")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    ranked = files.exclude(queue_rank=None)
    rank_twice = ranked.values("queue_rank").annotate(n=Count("id")).filter(n__gt=1).count()
    # A receipt number taken by a send whose file kept none (or kept another).
    receipts_for_nothing = max(envelope.receipt_counter - ranked.count(), 0)
    audited_twice = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Application), from_state="draft"
        )
        .exclude(to_state="draft")
        .values("object_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    acknowledged = set(acknowledged_ids)
    not_submitted = set(
        Application.objects.filter(pk__in=acknowledged)
        .filter(Q(state=State.DRAFT) | ~Q(envelope_id=envelope_id))
        .values_list("pk", flat=True)
    )
    return {
        "overspend_cents": overspend,
        "duplicates": reserved_twice + rank_twice + receipts_for_nothing + audited_twice,
        "lost": len(not_submitted),
        "reserved": files.filter(reserved_cents__gt=0).count(),
        "waitlisted": files.filter(state=State.WAITLISTED).count(),
        "other_states": files.exclude(state__in=[State.SUBMITTED, State.WAITLISTED]).count(),
    }


def put_drafts_back(envelope_id, application_ids):
    """After the baseline: the drafts, the envelope and the tokens as before it, and no key kept."""
    from django.db import connection, transaction

    from tremplin.accounts.models import ApiToken
    from tremplin.core.models import IdempotencyRecord
    from tremplin.schemes.models import Envelope, LedgerEntry
    from tremplin.vouchers.models import Application, State

    with transaction.atomic():
        LedgerEntry.objects.filter(envelope_id=envelope_id).delete()
        Application.objects.filter(pk__in=application_ids).update(
            state=State.DRAFT,
            queue_rank=None,
            envelope=None,
            amount_cents=None,
            reserved_cents=0,
            submitted_at=None,
        )
        Envelope.objects.filter(pk=envelope_id).update(committed_cents=0, receipt_counter=0)
        ApiToken.objects.update(last_used_at=None)
        IdempotencyRecord.objects.all().delete()
    vacuum(connection)


def vacuum(connection):
    with connection.cursor() as cur:
        for model in (
            "vouchers.Application",
            "schemes.Envelope",
            "schemes.LedgerEntry",
            "core.IdempotencyRecord",
        ):
            from django.apps import apps

            cur.execute(f"VACUUM ANALYZE {apps.get_model(model)._meta.db_table}")


# --- a phase ---------------------------------------------------------------------------------------


class Killer(threading.Thread):
    """SIGKILL to one app server a third of the way through the phase: when a third of its files have left
    the draft state, or a third of its time has passed, whichever comes first."""

    def __init__(self, server, application_ids, max_seconds, at_fraction=1 / 3):
        super().__init__(daemon=True)
        self.server, self.ids = server, list(application_ids)
        self.threshold, self.at_s = int(len(self.ids) * at_fraction), max_seconds * at_fraction
        self.stopped, self.killed_after_s = threading.Event(), None

    def run(self):
        import psycopg

        began = time.perf_counter()
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            while not self.stopped.is_set():
                (done,) = conn.execute(
                    "SELECT count(*) FROM vouchers_application WHERE id = ANY(%s) AND state <> 'draft'",
                    [self.ids],
                ).fetchone()
                if done >= self.threshold or time.perf_counter() - began >= self.at_s:
                    self.server.kill()
                    self.killed_after_s = round(time.perf_counter() - began, 2)
                    return
                time.sleep(0.05)


def run_phase(name, base, path, drafts, tokens, args, folder, victim=None):
    jobs = [[tokens[owner], path.format(id=pk), f"{name}-{uuid.uuid4()}", pk] for pk, owner in drafts]
    spec_path, out_path = Path(folder, f"{name}.json"), Path(folder, f"{name}-results.json")
    spec_path.write_text(
        json.dumps({"base": base, "clients": args.clients, "max_seconds": args.max_seconds, "jobs": jobs})
    )
    killer = Killer(victim, [pk for pk, _ in drafts], args.max_seconds) if victim else None
    if killer:
        killer.start()
    subprocess.run(
        [sys.executable, __file__, "--load-generator", str(spec_path), str(out_path)], check=True, cwd=ROOT
    )
    if killer:
        killer.stopped.set()
        killer.join()
    out = json.loads(out_path.read_text())
    results = out["results"]
    ok = [r for r in results if 200 <= r[1] < 300]
    latencies = sorted(r[2] for r in ok)

    def percentile(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1) if latencies else None

    statuses = {}
    for r in results:
        if not 200 <= r[1] < 300:
            statuses[str(r[1])] = statuses.get(str(r[1]), 0) + 1
    return {
        "sent": len(results),
        "ok": len(ok),
        "acknowledged": [r[0] for r in ok],
        "per_s": round(len(ok) / out["seconds"], 1) if out["seconds"] else 0.0,
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "errors": len(results) - len(ok),
        "unsent": out["unsent"],
        "error_statuses": statuses,
        "retried": sum(1 for r in results if r[3] > 1),
        "replayed": sum(1 for r in results if r[4]),
        "killed_after_s": killer.killed_after_s if killer else None,
        "seconds": round(out["seconds"], 2),
    }


def warm_up(base, drafts, tokens, args):
    """Each worker loads the app and opens its connection before the clock starts: authenticated reads."""
    import urllib.request

    from tremplin.accounts.models import ApiToken

    for pk, owner in drafts[: 50 * args.servers]:
        request = urllib.request.Request(
            f"{base}/api/v1/applications/{pk}", headers={"Authorization": f"Bearer {tokens[owner]}"}
        )
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except OSError:
            pass
    ApiToken.objects.update(last_used_at=None)  # each phase's first use of a token writes it


def server_env(folder, extracts, amount):
    env = {
        key: value
        for key, value in os.environ.items()
        # The servers run production's task backend (tasks are rows); the set-up's dummy one stays here.
        if not key.startswith(("GUNICORN", "WEB_CONCURRENCY", "DJANGO_SETTINGS_MODULE", "TASKS_BACKEND"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.surge_settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_ROOT="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        CONN_MAX_AGE="60",
        RNE_FILE=str(extracts[0]),
        BANK_ACCOUNTS_FILE=str(extracts[1]),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        VAR_DIR=folder,
        SURGE_AMOUNT_CENTS=str(amount),
        # Each owner submits once: the per-token limit is not what the surge measures.
        API_RATE_LIMIT_TOKEN="6000/m",
    )
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--servers", type=int, default=1, help="app servers (behind nginx when more than one)"
    )
    parser.add_argument(
        "--kill", action="store_true", help="SIGKILL one app server a third of the way through"
    )
    parser.add_argument("--submissions", type=int, default=2000, help="files submitted in each phase")
    parser.add_argument("--capacity", type=int, default=500, help="files the envelope funds")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients")
    parser.add_argument("--max-seconds", type=float, default=60, help="each phase stops sending after this")
    parser.add_argument("--workers", type=int, help="workers per app server (2 for one server, else 1)")
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--load-generator", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_generator:
        load_generator(*args.load_generator)
        return
    if args.kill and args.servers < 2:
        parser.error("--kill needs --servers 2 or more: the clients retry on the servers left")
    if args.workers is None:
        # Measured here: every submission waits for the envelope row's lock, and its holder for a core;
        # more workers than cores only make the holder wait longer (docs/deploy.md, "Capacity").
        args.workers = 2 if args.servers == 1 else 1

    from bench.common import build_data, prepare_database, write_extracts

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        parser.error("the surge runs on PostgreSQL: DATABASE_URL=postgres://…")
    prepare_database("surge")
    folder = tempfile.mkdtemp(prefix="tn-bench-surge-")
    extracts = write_extracts(folder, args.submissions)
    os.environ["RNE_FILE"], os.environ["BANK_ACCOUNTS_FILE"] = map(str, extracts)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["VAR_DIR"] = folder
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from tremplin.schemes.models import Scheme
    from tremplin.vouchers.models import Application

    call_command("migrate", verbosity=0)
    built = time.perf_counter()
    envelope_id, _ = build_data(args.submissions, args.capacity, VOUCHER_CENTS)
    drafts = list(Application.objects.order_by("id").values_list("pk", "owner_id"))
    tokens = issue_tokens([owner for _, owner in drafts])
    amount = Scheme.objects.get(slug="bench").voucher_amount_cents(VOUCHER_CENTS * 2)
    vacuum(connection)
    print(f"# {len(drafts)} drafts and tokens built in {time.perf_counter() - built:.1f} s", file=sys.stderr)
    connections.close_all()

    env = server_env(folder, extracts, amount)
    servers = [AppServer(free_port(), env, args, folder).start() for _ in range(args.servers)]
    nginx = None
    try:
        for server in servers:
            wait_http(server.port)
        if args.servers > 1:
            port = free_port()
            nginx = start_nginx(folder, port, [s.port for s in servers])
            wait_http(port)
        else:
            port = servers[0].port
        base = f"http://127.0.0.1:{port}"
        warm_up(base, drafts, tokens, args)
        victim = servers[-1] if args.kill else None
        ids = [pk for pk, _ in drafts]

        baseline = run_phase("baseline", base, BASELINE_PATH, drafts, tokens, args, folder, victim)
        baseline_checks = check_invariants(envelope_id, baseline["acknowledged"])
        put_drafts_back(envelope_id, ids)
        connections.close_all()
        if victim:
            victim.start()
            wait_http(victim.port)
            # New nginx workers forget that the server failed (else it waits out fail_timeout).
            nginx.send_signal(signal.SIGHUP)
            time.sleep(1)
        real = run_phase("submit", base, SUBMIT_PATH, drafts, tokens, args, folder, victim)
        checks = check_invariants(envelope_id, real["acknowledged"])
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        for server in servers:
            server.stop()
        connections.close_all()
    shutil.rmtree(folder, ignore_errors=True)  # on a failure it stays, with the servers' logs
    for label, phase, check in (("baseline", baseline, baseline_checks), ("submit", real, checks)):
        shown = {k: v for k, v in phase.items() if k != "acknowledged"}
        print(f"# {label}: {json.dumps({**shown, **check})}", file=sys.stderr)
    ratio = round(real["per_s"] / baseline["per_s"], 3) if baseline["per_s"] else None
    print(
        json.dumps(
            {
                "servers": args.servers,
                "workers": f"{args.workers}x{args.worker_class}"
                + (f"x{args.threads}" if args.threads > 1 else ""),
                "clients": args.clients,
                "kill": args.kill,
                "submissions": real["ok"],
                "reserved": checks["reserved"],
                "waitlisted": checks["waitlisted"],
                "per_s": real["per_s"],
                "baseline_per_s": baseline["per_s"],
                "ratio": ratio,
                "p50_ms": real["p50_ms"],
                "p99_ms": real["p99_ms"],
                "baseline_p99_ms": baseline["p99_ms"],
                "errors": real["errors"],
                "unsent": real["unsent"],
                "retried": real["retried"],
                "replayed": real["replayed"],
                "overspend_cents": checks["overspend_cents"] + baseline_checks["overspend_cents"],
                "duplicates": checks["duplicates"] + baseline_checks["duplicates"],
                "lost": checks["lost"] + baseline_checks["lost"],
            }
        )
    )


if __name__ == "__main__":
    main()
