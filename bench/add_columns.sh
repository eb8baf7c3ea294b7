#!/usr/bin/env bash
# Time of a load that adds N columns to an existing table (the second of two runs):
#   bench/add_columns.sh <dlt binary> <N> [postgresql://... connection string]
# Without a connection string the destination is DuckDB. The first run loads two rows (id, name);
# the second loads N/100 rows, each with 100 columns of its own (c0..c<N-1>; short rows, which
# PostgreSQL's 8 KB pages hold). Prints "N seconds".
set -euo pipefail
dlt=$(realpath "$1"); n=$2; pg=${3:-}
ws=$(mktemp -d); trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/.dlt" "$ws/home"; touch "$ws/.dlt/.workspace"
if [ -n "$pg" ]; then
  printf '[destination.warehouse]\ndestination_type = "postgres"\ncredentials = "%s"\n' "$pg" >"$ws/.dlt/dev.secrets.toml"
else
  printf '[destination.warehouse]\ndestination_type = "duckdb"\n' >"$ws/.dlt/dev.secrets.toml"
fi
dataset="wide_$(date +%s%N)"
printf '[pipeline]\nname = "wide"\ndestination = "warehouse"\ndataset_name = "%s"\n\n[[resources]]\nname = "t"\npath = "rows.jsonl"\n' \
  "$dataset" >"$ws/wide.toml"
printf '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n' >"$ws/rows.jsonl"
(cd "$ws" && HOME="$ws/home" "$dlt" run wide.toml --quiet >/dev/null)
awk -v n="$n" 'BEGIN { for (r = 0; r * 100 < n; r++) { printf "{\"id\": %d", 100 + r;
  for (i = r * 100; i < n && i < r * 100 + 100; i++) printf ", \"c%d\": \"v%d\"", i, i; print "}" } }' >"$ws/rows.jsonl"
start=$(date +%s.%N)
(cd "$ws" && HOME="$ws/home" "$dlt" run wide.toml --quiet >/dev/null)
end=$(date +%s.%N)
echo "$n $(echo "$end - $start" | bc)"
