#!/usr/bin/env bash
# Debian libraries WeasyPrint needs (PDF letters). Installed with apt when missing and we are root.
set -euo pipefail
need=()
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installation des bibliothèques système : ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Bibliothèques système manquantes pour WeasyPrint : ${need[*]}" >&2
  echo "Installez-les (ex. sudo apt-get install ${need[*]}) puis relancez." >&2
  exit 1
fi
