#!/usr/bin/env bash
# Runs the benchmarks and prints their figures. Usage: bench/run.sh [BUILD_DIR]
# Targets (see README, "Performance"): `dlt profile list` in a workspace under 10 ms.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
dlt="$build/dlt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== start-up: dlt profile list in a workspace (target: median < 10 ms)"
mkdir -p "$work/ws/.dlt" "$work/home"
touch "$work/ws/.dlt/.workspace"
printf '[destination.warehouse]\ndestination_type = "duckdb"\n' > "$work/ws/.dlt/dev.secrets.toml"
cd "$work/ws"
echo -n "baseline /bin/true:        "; HOME="$work/home" "$build/dlt_bench_startup" 200 /bin/true
echo -n "dlt profile list:          "; HOME="$work/home" "$build/dlt_bench_startup" 200 "$dlt" profile list
echo -n "dlt workspace info:        "; HOME="$work/home" "$build/dlt_bench_startup" 200 "$dlt" workspace info
