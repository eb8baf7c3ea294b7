#!/usr/bin/env bash
# The README's main job: runs the demo pipeline in demo/ under the dev profile, into
# demo/_local/dev/warehouse.duckdb, and shows what it did.
set -euo pipefail
dlt=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../demo"
export WORKSPACE__PROFILE=dev
run() { echo "\$ dlt $*"; "$dlt" "$@"; echo; }
run profile list
run run github_events.toml
run pipeline github_events info
echo "Data is in $(pwd)/_local/dev/warehouse.duckdb (dataset github_events_data)."
