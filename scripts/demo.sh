#!/usr/bin/env bash
# The README's main job, in demo/ under the dev profile:
#  1. the declarative pipeline github_events.toml into demo/_local/dev/warehouse.duckdb;
#  2. the seed page's Python script, pokemon_api_pipeline.py (what `dlt init dlthub:pokemon_api
#     duckdb` writes), run with python3 and this build's `dlt` package, into the same DuckDB file.
#     There is no network here: the PokeAPI is a local stand-in (demo/pokeapi_standin.py) and the
#     script's base_url is pointed at it through the profile's configuration (an env var).
set -euo pipefail
dlt=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
build=$(dirname "$dlt")
cd "$(dirname "$0")/../demo"
export WORKSPACE__PROFILE=dev
run() { echo "\$ dlt $*"; "$dlt" "$@"; echo; }
run profile list
run run github_events.toml
run pipeline github_events info

python=/usr/bin/python3
[[ -x $python ]] || python=python3
url_file=$(mktemp)
"$python" pokeapi_standin.py > "$url_file" &
standin=$!
trap 'kill $standin 2>/dev/null || true; rm -f "$url_file"' EXIT
for _ in $(seq 50); do [[ -s $url_file ]] && break; sleep 0.1; done
export SOURCES__POKEMON_API__BASE_URL=$(cat "$url_file")
echo "\$ python pokemon_api_pipeline.py      # PokeAPI stand-in at $SOURCES__POKEMON_API__BASE_URL"
PYTHONPATH="$build/python" "$python" pokemon_api_pipeline.py
echo
run pipeline pokemon_api_pipeline info
echo "Data is in $(pwd)/_local/dev/warehouse.duckdb (datasets github_events_data and pokemon_api_data)."
