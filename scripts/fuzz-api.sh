#!/usr/bin/env bash
# Fuzz the whole API (/api/v1/openapi.json) with schemathesis, once per role, against a real server on
# the demo data: every check (`--checks all`), a fixed seed and a bounded number of examples per operation.
# Exits non-zero on any failure. `make fuzz`; FUZZ_EXAMPLES=… FUZZ_SEED=… FUZZ_ROLES="manager owner" to vary,
# FUZZ_ARGS="--include-path-regex documents" to pass schemathesis more options (one operation, say).
#
# Each role starts from the same freshly seeded database (a copy taken after seed_demo), so one role's
# writes never change what the next one meets, and a run replays the same requests every time.
set -euo pipefail
cd "$(dirname "$0")/.."
# Generators for the formats the OpenAPI document names (SIREN, IBAN, PDF parts…): see the module.
export SCHEMATHESIS_HOOKS=scripts/schemathesis_hooks.py

PY=.venv/bin/python
EXAMPLES=${FUZZ_EXAMPLES:-25}
MAX_TIME=${FUZZ_MAX_TIME:-90}
SEED=${FUZZ_SEED:-20261202}
ROLES=${FUZZ_ROLES:-"manager owner"}
declare -A EMAILS=(
  [manager]=gestionnaire@demo.tremplin-numerique.fr
  [owner]=dirigeante@demo.tremplin-numerique.fr
  [advisor]=conseiller2@demo.tremplin-numerique.fr
)

WORK=$(mktemp -d /tmp/tremplin-fuzz.XXXXXX)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The server as deployed (DEBUG off, no HTTPS redirect on loopback), its own database and files, and an
# API rate limit no fuzz run reaches: the throttle stays on, tests/api/test_throttle.py covers it.
export VAR_DIR=$WORK/var DEBUG=false SECURE_SSL_REDIRECT=false CACHE_URL=locmem://
export API_RATE_LIMIT_TOKEN=100000/m API_RATE_LIMIT_ANONYMOUS=100000/m
unset DATABASE_URL
DB=$VAR_DIR/tremplin.sqlite3

started=$(date +%s)
echo "-- demo database in $VAR_DIR"
$PY manage.py migrate --no-input -v0
$PY manage.py seed_demo >/dev/null
$PY - "$DB" "$WORK/seeded.sqlite3" <<'EOF'
import sqlite3, sys
with sqlite3.connect(sys.argv[2]) as copy:
    sqlite3.connect(sys.argv[1]).backup(copy)
EOF
cp -a "$VAR_DIR/media" "$WORK/seeded-media" 2>/dev/null || mkdir -p "$WORK/seeded-media"

free_port() {
  $PY -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

failed=0
for role in $ROLES; do
  # Back to the seeded state: database (and its WAL), uploads.
  rm -rf "$DB" "$DB-wal" "$DB-shm" "$VAR_DIR/media"
  $PY - "$WORK/seeded.sqlite3" "$DB" <<'EOF'
import sqlite3, sys
with sqlite3.connect(sys.argv[2]) as copy:
    sqlite3.connect(sys.argv[1]).backup(copy)
EOF
  cp -a "$WORK/seeded-media" "$VAR_DIR/media"
  token=$($PY manage.py shell -v0 -c "
from tremplin.accounts.models import ApiToken, User
print(ApiToken.issue(User.objects.get(email='${EMAILS[$role]}'), 'fuzz')[1])")

  port=$(free_port)
  $PY manage.py runserver --noreload "127.0.0.1:$port" >"$WORK/server-$role.log" 2>&1 &
  SERVER_PID=$!
  echo "== $role (${EMAILS[$role]}): schemathesis, $EXAMPLES examples per operation, seed $SEED"
  status=0
  .venv/bin/schemathesis --config-file scripts/schemathesis.toml run \
    "http://127.0.0.1:$port/api/v1/openapi.json" \
    --wait-for-schema 30 \
    --checks all \
    --header "Authorization: Bearer $token" \
    --max-examples "$EXAMPLES" \
    --max-time "$MAX_TIME" \
    --seed "$SEED" \
    --generation-database none \
    --workers 1 \
    --no-color \
    --output-truncate false \
    ${FUZZ_ARGS:-} || status=$?
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "-- $role: schemathesis exited $status; the server's log ends with:"
    tail -n 60 "$WORK/server-$role.log"
  fi
done

echo "-- API fuzzing took $(($(date +%s) - started)) s"
exit $failed
