#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine.
# Idempotent: packages already present and a DuckDB already unpacked are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: compilers and libraries for the build; postgresql for the destination tests;
# clang and its runtime libraries for the sanitizer and libFuzzer build (make sanitize, fuzz-smoke);
# git and python3 for the tests of `dlt workspace check` and `dlt run script.py`; tzdata for
# time zone names (DLT_INTERVAL_TIMEZONE, zoned timestamps).
PACKAGES=(
  build-essential cmake ccache pkg-config git python3
  libtomlplusplus-dev libcli11-dev libsimdjson-dev nlohmann-json3-dev libfmt-dev
  libcurl4-openssl-dev libcpp-httplib-dev libpq-dev zlib1g-dev
  libgtest-dev libgmock-dev postgresql
  libsqlite3-dev sqlite3 libmariadb-dev mariadb-server
  clang libclang-rt-14-dev
  python3-dev python3-venv python-is-python3 pybind11-dev python3-pendulum tzdata
  chromium chromium-driver
  nodejs npm
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from outside Debian's packages; only install them when the commands are missing.
if command -v npm >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

scripts/fetch-duckdb.sh

# The local S3-compatible server the S3 tests start (tests/s3_server.cc): s3rver at the version
# pinned in tools/s3rver/package-lock.json.
if [[ ! -f tools/s3rver/node_modules/s3rver/bin/s3rver.js ]]; then
  (cd tools/s3rver && npm ci --no-audit --no-fund)
fi
