#!/usr/bin/env bash
# Debian's Chromium, which the browser tests drive (Playwright's own browser builds cannot be downloaded here).
# Installed with apt when missing and we are root.
set -euo pipefail
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installation de Chromium pour les tests dans le navigateur"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x "$chromium" ] || { echo "Chromium est installé, mais pas à $chromium (variable CHROMIUM)." >&2; exit 1; }
else
  echo "Chromium manque pour les tests dans le navigateur ($chromium)." >&2
  echo "Installez-le (ex. sudo apt-get install chromium) puis relancez." >&2
  exit 1
fi
