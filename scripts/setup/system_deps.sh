#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests, nginx for the
# deployment test, Java for the Nu HTML checker, Node/npm for axe-core.
# As root they are installed with apt-get; otherwise the script names the command.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
# apache2-bin: the Apache binary and modules only (no service), to syntax-check .htaccess
[ -x /usr/sbin/apache2 ] || need+=(apache2-bin)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)  # web.config well-formedness
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
fonts=(fonts-dejavu-core)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=("${fonts[@]}")
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]}. Run: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
