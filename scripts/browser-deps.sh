#!/usr/bin/env bash
# What the browser tests need besides the Python packages:
# - Debian's Chromium, which they drive (Playwright's own browser builds cannot be downloaded here);
# - axe-core, the accessibility engine they inject into each page: the npm package pinned in
#   tests/browser/axe/package-lock.json, installed with `npm ci` (Node.js and npm from Debian when missing).
# Installed with apt when missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHROMIUM:-/usr/bin/chromium}

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installation de $* pour les tests dans le navigateur"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "$* manque pour les tests dans le navigateur. Installez-le (ex. sudo apt-get install $*) puis relancez." >&2
    exit 1
  fi
}

if [ ! -x "$chromium" ]; then
  apt_install chromium
  [ -x "$chromium" ] || { echo "Chromium est installé, mais pas à $chromium (variable CHROMIUM)." >&2; exit 1; }
fi

axe=tests/browser/axe
want=$(sed -n 's/.*"axe-core": "\(.*\)".*/\1/p' "$axe/package.json")
have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$axe/node_modules/axe-core/package.json" 2>/dev/null || true)
if [ ! -f "$axe/node_modules/axe-core/axe.min.js" ] || [ "$want" != "$have" ]; then
  command -v npm >/dev/null || apt_install nodejs npm
  npm ci --prefix "$axe" --no-audit --no-fund --silent
fi
