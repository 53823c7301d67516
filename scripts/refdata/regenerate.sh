#!/usr/bin/env bash
# Regenerate data/reference/ from the npm packages (see data/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 scripts/refdata/regenerate.py "$@"
