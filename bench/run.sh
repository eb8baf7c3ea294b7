#!/usr/bin/env bash
# Runs the benchmarks and prints their figures. Usage: bench/run.sh [BUILD_DIR] [--quick]
#  1. start-up: `dlt profile list` in a workspace (target: median under 10 ms)
#  2. nested load: ~500k GitHub-event-like records (~350 MB JSON Lines) into a new DuckDB file
#     with full normalization (child tables), against DuckDB's own
#     CREATE TABLE t AS SELECT * FROM read_json_auto(...) in the same run (target: <= 1.5x)
#  3. flat load: 2M records with 10 scalar columns, same comparison
#  4. flat load into PostgreSQL against psql \copy (BENCH_ONLY=duckdb|postgres: only those)
#  5. the Python package (BENCH_ONLY=python): bench/py_events.py, a generator of 1M nested dicts
#     into DuckDB, against Python alone making the dicts (target: <= 1.5x) and, when
#     DLT_PEER_PYTHONPATH is set, Python dlt 1.26 running the same script (target: >= 10x faster)
#  7. Parquet files (BENCH_ONLY=parquet): the nested input into the filesystem destination as
#     Parquet, against DuckDB's own COPY (SELECT * FROM read_json_auto(...)) TO ... (FORMAT
#     parquet) in the same run (target: <= 1.2x)
#  8. sql_database (BENCH_ONLY=sql_database): bench/sql_database_bench.sh, a PostgreSQL table of
#     5M rows x 10 typed columns into DuckDB against psql \copy TO csv + DuckDB read_csv
#  6. workers and memory (BENCH_ONLY=workers): the nested load with [normalize] workers = 1, 2,
#     4, ... up to the machine's cores (the curve: each doubling should be >= 1.6x faster in
#     normalize until I/O bound), and peak RSS for 1x and 2x the input (target: within 1.15x)
#  Each DuckDB load runs BENCH_REPS times (default 3), alternating with its baseline; the
#  median ratio is reported with every run's ratio.
# --quick uses 1/10 of the rows and one run (for a smoke run).
# BENCH_PY_ROWS overrides the row count of 5.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
scale=1
reps=${BENCH_REPS:-3}
[[ "${2:-}" == "--quick" ]] && scale=10 && reps=1
dlt="$build/dlt"
out="$root/bench/out"
mkdir -p "$out"
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# Start-up runs with every BENCH_ONLY but python.
if [[ "${BENCH_ONLY:-}" != python ]]; then
  echo "== start-up: dlt profile list in a workspace (target: median < 10 ms)"
  mkdir -p "$work/ws/.dlt" "$work/home"
  touch "$work/ws/.dlt/.workspace"
  printf '[destination.warehouse]\ndestination_type = "duckdb"\n' > "$work/ws/.dlt/dev.secrets.toml"
  cd "$work/ws"
  echo -n "baseline /bin/true:        "; HOME="$work/home" "$build/dlt_bench_startup" 200 /bin/true
  echo -n "dlt profile list:          "; HOME="$work/home" "$build/dlt_bench_startup" 200 "$dlt" profile list
  echo -n "dlt workspace info:        "; HOME="$work/home" "$build/dlt_bench_startup" 200 "$dlt" workspace info
fi

# The median of the arguments (numbers).
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Adds the times of the last baseline and dlt runs ($work/base.txt, $work/ours.txt) and their
# ratio to the caller's arrays bs, os and ratios.
record_pair() {
  local b o
  b=$(sed -E 's/.*: ([0-9.]+) s.*/\1/' "$work/base.txt" | tail -1)
  o=$(grep -E '^dlt run' "$work/ours.txt" | sed -E 's/.*: ([0-9.]+) s.*/\1/')
  bs+=("$b") os+=("$o")
  ratios+=("$(awk -v b="$b" -v o="$o" 'BEGIN { printf "%.2f", o / b }')")
}

load_bench() {
  local kind=$1 rows=$2 file="$out/$1_$2.jsonl"
  [[ -f "$file" ]] || "$build/dlt_bench_gen" "$kind" "$rows" > "$file"
  local mb
  mb=$(( $(stat -c %s "$file") / 1000000 ))
  echo
  echo "== $kind load: $rows records, $mb MB of JSON Lines (file in page cache), $reps runs of each"
  cat "$file" > /dev/null
  cat > "$work/ws/bench_$kind.toml" <<TOML
[pipeline]
name = "bench_$kind"
destination = "warehouse"
dataset_name = "bench_data"

[[resources]]
name = "$kind"
path = "$file"
TOML
  # Baseline and dlt alternate, each into a new database, so that both see the same machine.
  local ratios=() bs=() os=()
  for ((i = 1; i <= reps; i++)); do
    rm -f "$work/baseline.duckdb"
    sync  # each measured run starts with nothing of the previous one left to write back
    "$build/dlt_bench_measure" "baseline duckdb read_json_auto" \
      "$build/dlt_bench_duckdb" "$work/baseline.duckdb" \
      "CREATE TABLE t AS SELECT * FROM read_json_auto('$file')" | tee "$work/base.txt"
    rm -rf "$work/ws/_local" "$work/ws/.dlt/.var"
    sync
    HOME="$work/home" "$build/dlt_bench_measure" "dlt run (extract+normalize+load)" \
      "$dlt" run "$work/ws/bench_$kind.toml" --quiet | tee "$work/ours.txt"
    record_pair
    HOME="$work/home" "$dlt" pipeline "bench_$kind" trace | sed -n '/^  /p'
  done
  local med_b med_o med_r
  med_b=$(median "${bs[@]}") med_o=$(median "${os[@]}") med_r=$(median "${ratios[@]}")
  echo "ratios dlt/baseline of the $reps runs: ${ratios[*]}"
  awk -v b="$med_b" -v o="$med_o" -v r="$med_r" -v mb="$mb" -v rows="$rows" 'BEGIN {
    printf "median: baseline %.2f s, dlt %.2f s, ratio %.2fx   dlt throughput: %.1f MB/s, %.0f records/s\n",
      b, o, r, mb / o, rows / o }'
}

# BENCH_ONLY=duckdb or BENCH_ONLY=postgres runs only those loads (start-up always runs).
if [[ "${BENCH_ONLY:-duckdb}" == duckdb ]]; then
  load_bench events $((500000 / scale))
  load_bench flat $((2000000 / scale))
fi

# 4. flat load into PostgreSQL (BENCH_REPS runs, median): dlt against `psql \copy` of the
#    same records as one CSV file into the same server, in the same run (target: <= 1.5x).
pg_bench() {
  local rows=$1
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -1)
  pgdir="$work/pg"
  local port=$((20000 + RANDOM % 20000))
  mkdir -p "$pgdir"
  as=()
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$pgdir"; as=(runuser -u postgres --); fi
  cd /
  "${as[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
  trap '"${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$work"' EXIT
  local psql=(psql -X -q -h 127.0.0.1 -p "$port" -U postgres)
  "${psql[@]}" -c "CREATE DATABASE bench" >/dev/null
  local csv="$out/flatcsv_$rows.csv" jsonl="$out/flat_$rows.jsonl"
  [[ -f "$csv" ]] || "$build/dlt_bench_gen" flatcsv "$rows" > "$csv"
  [[ -f "$jsonl" ]] || "$build/dlt_bench_gen" flat "$rows" > "$jsonl"
  echo
  echo "== flat load into PostgreSQL: $rows records"
  "${psql[@]}" -d bench -c "CREATE TABLE t (id bigint, user_id bigint, name varchar, score double precision,
    active boolean, created_at timestamptz, country varchar, amount double precision, category varchar, note varchar)"
  printf '[destination.warehouse]\ndestination_type = "postgres"\ncredentials = "postgresql://postgres@127.0.0.1:%s/bench"\n' \
    "$port" > "$work/ws/.dlt/pgbench.secrets.toml"
  cd "$work/ws"
  local ratios=() bs=() os=()
  for ((i = 1; i <= reps; i++)); do
    "${psql[@]}" -d bench -c "TRUNCATE t" >/dev/null
    "${psql[@]}" -d bench -c "DROP SCHEMA IF EXISTS bench_data CASCADE" >/dev/null 2>&1
    rm -rf "$work/ws/.dlt/.var"
    # Each measured run starts with the server's and the files' earlier writes on disk.
    "${psql[@]}" -d bench -c "CHECKPOINT" >/dev/null
    sync
    "$build/dlt_bench_measure" "baseline psql \\copy (CSV)" "${psql[@]}" -d bench \
      -c "\\copy t FROM '$csv' WITH (FORMAT csv, HEADER true)" | tee "$work/base.txt"
    cat > "$work/ws/bench_pg.toml" <<TOML
[pipeline]
name = "bench_pg"
destination = "warehouse"
dataset_name = "bench_data"

[[resources]]
name = "flat"
path = "$jsonl"
TOML
    "${psql[@]}" -d bench -c "CHECKPOINT" >/dev/null
    sync
    HOME="$work/home" "$build/dlt_bench_measure" "dlt run into postgres" \
      "$dlt" --profile pgbench run "$work/ws/bench_pg.toml" --quiet | tee "$work/ours.txt"
    record_pair
    HOME="$work/home" "$dlt" --profile pgbench pipeline bench_pg trace 2>/dev/null | sed -n '/^  /p'
  done
  local med_b med_o med_r
  med_b=$(median "${bs[@]}") med_o=$(median "${os[@]}") med_r=$(median "${ratios[@]}")
  echo "ratios dlt/psql-copy of the $reps runs: ${ratios[*]}"
  echo "median: psql \\copy $med_b s, dlt $med_o s, ratio ${med_r}x"
}
if [[ "${BENCH_ONLY:-postgres}" == postgres ]]; then pg_bench $((2000000 / scale)); fi

# 5. The Python package: bench/py_events.py makes GitHub-event-like nested dicts in a
#    generator and runs them through dlt.pipeline(..., destination="duckdb").run(...). The same
#    script runs under our package (PYTHONPATH=$build/python) and, when DLT_PEER_PYTHONPATH is
#    set, under Python dlt 1.26 (with its environment, e.g. DLT_USE_JSON=simplejson
#    RUNTIME__DLTHUB_TELEMETRY=false, passed through). Each run gets a new folder and HOME.
#    A peer without the `duckdb` Python module cannot load into DuckDB: then it runs its
#    extract + normalize steps only (no destination library), which is less than the full run of
#    ours that it is compared with. Times are the script's own (after `import dlt`).
py_run() {  # LABEL PYTHONPATH ARGS... -> $work/py.txt (the script's lines, then measure's)
  local label=$1 pp=$2
  shift 2
  rm -rf "$work/py" && mkdir -p "$work/py/home" "$work/py/run"
  sync
  (cd "$work/py/run" && HOME="$work/py/home" PYTHONPATH="$pp" \
    "$build/dlt_bench_measure" "$label process" /usr/bin/python3 "$root/bench/py_events.py" "$@") \
    > "$work/py.txt" 2> "$work/py.err" || { cat "$work/py.txt" "$work/py.err"; return 1; }
  cat "$work/py.txt"
}
py_secs() { sed -nE 's/^(gen-only|run|extract-normalize): ([0-9.]+) s.*/\2/p' "$work/py.txt"; }
py_bench() {
  local rows=$1 gen ours peer peer_steps=run
  echo
  echo "== Python package: $rows GitHub-like events from a generator into DuckDB"
  py_run "gen-only" "$build/python" "$rows" --gen-only
  gen=$(py_secs)
  py_run "ours" "$build/python" "$rows"
  ours=$(py_secs)
  local ours_rows
  ours_rows=$(grep '^rows:' "$work/py.txt")
  awk -v g="$gen" -v o="$ours" 'BEGIN { printf "ours / gen-only: %.2fx (target <= 1.5x)\n", o / g }'
  [[ -n "${DLT_PEER_PYTHONPATH:-}" ]] || { echo "(DLT_PEER_PYTHONPATH unset: no peer run)"; return 0; }
  if ! PYTHONPATH="$DLT_PEER_PYTHONPATH" /usr/bin/python3 -c "import duckdb" 2>/dev/null; then
    peer_steps=extract-normalize
    echo "(the peer has no duckdb module: it runs pipeline.extract + pipeline.normalize only)"
  fi
  py_run "peer" "$DLT_PEER_PYTHONPATH" "$rows" --steps "$peer_steps"
  peer=$(py_secs)
  local peer_rows
  peer_rows=$(grep '^rows:' "$work/py.txt")
  if [[ "$peer_rows" == "$ours_rows" ]]; then echo "same row counts: ${ours_rows#rows: }"
  else echo "ROW COUNTS DIFFER: ours ${ours_rows#rows: }, peer ${peer_rows#rows: }"; fi
  awk -v p="$peer" -v o="$ours" -v s="$peer_steps" 'BEGIN {
    printf "peer (%s) / ours (full run): %.1fx (target >= 10x)\n", s, p / o }'
}
if [[ "${BENCH_ONLY:-python}" == python ]]; then py_bench "${BENCH_PY_ROWS:-$((1000000 / scale))}"; fi

# 6. Workers and memory: the nested load's normalize step with 1, 2, 4, ... workers (up to the
#    machine's cores; median of BENCH_REPS runs each), and the peak RSS of a whole run for 1x and
#    2x the input (the same records twice in one file).
workers_run() {  # WORKERS FILE -> prints "seconds-total normalize-seconds peak-MB"
  rm -rf "$work/ws/_local" "$work/ws/.dlt/.var"
  sed -i "s|^path = .*|path = \"$2\"|" "$work/ws/bench_events.toml"
  sync
  HOME="$work/home" NORMALIZE__WORKERS="$1" "$build/dlt_bench_measure" "w$1" \
    "$dlt" run "$work/ws/bench_events.toml" --quiet > "$work/w.txt"
  local total peak norm
  total=$(tail -1 "$work/w.txt" | sed -E 's/.*: ([0-9.]+) s,.*/\1/')
  peak=$(tail -1 "$work/w.txt" | sed -E 's/.*peak RSS ([0-9]+) MB.*/\1/')
  norm=$(HOME="$work/home" "$dlt" pipeline bench_events trace | sed -nE 's/^ *normalize[^0-9]*([0-9.]+) ?s.*/\1/p' | head -1)
  echo "$total $norm $peak"
}
workers_bench() {
  local rows=$1 file="$out/events_$1.jsonl" file2="$out/events_$1_x2.jsonl"
  [[ -f "$file" ]] || "$build/dlt_bench_gen" events "$rows" > "$file"
  [[ -f "$file2" ]] || cat "$file" "$file" > "$file2"
  cat > "$work/ws/bench_events.toml" <<TOML
[pipeline]
name = "bench_events"
destination = "warehouse"
dataset_name = "bench_data"

[[resources]]
name = "events"
path = "$file"
TOML
  echo
  echo "== workers: $rows nested records, [normalize] workers = 1, 2, ... (median of $reps runs)"
  local cores w prev=""
  cores=$(nproc)
  for ((w = 1; w <= cores; w *= 2)); do
    local ts=() ns=() ps=()
    for ((i = 1; i <= reps; i++)); do
      read -r t n p < <(workers_run "$w" "$file")
      ts+=("$t") ns+=("$n") ps+=("$p")
    done
    local mt mn mp
    mt=$(median "${ts[@]}") mn=$(median "${ns[@]}") mp=$(median "${ps[@]}")
    if [[ -n "$prev" ]]; then
      awk -v w="$w" -v t="$mt" -v n="$mn" -v p="$mp" -v prev="$prev" 'BEGIN {
        printf "workers %2d: run %.2f s, normalize %.2f s (%.2fx the half as many), peak RSS %d MB\n", w, t, n, prev / n, p }'
    else
      echo "workers  1: run $mt s, normalize $mn s, peak RSS $mp MB"
    fi
    prev=$mn
  done
  echo "== memory: peak RSS of a run with the machine's workers, 1x and 2x the input"
  local r1 r2
  read -r _ _ r1 < <(workers_run 0 "$file")
  read -r _ _ r2 < <(workers_run 0 "$file2")
  awk -v a="$r1" -v b="$r2" 'BEGIN { printf "1x: %d MB, 2x: %d MB, ratio %.2fx (target <= 1.15x)\n", a, b, b / a }'
}
if [[ "${BENCH_ONLY:-}" == workers ]]; then workers_bench $((500000 / scale)); fi

# 7. Parquet: the nested events into the filesystem destination (Parquet files in dlt's layout,
#    child tables apart) against DuckDB writing the same file's rows to one Parquet file.
parquet_bench() {
  local rows=$1 file="$out/events_$1.jsonl"
  [[ -f "$file" ]] || "$build/dlt_bench_gen" events "$rows" > "$file"
  cat "$file" > /dev/null
  printf '[destination.lake]\ndestination_type = "filesystem"\nbucket_url = "lake"\n' > "$work/ws/.dlt/parquet.secrets.toml"
  cat > "$work/ws/bench_parquet.toml" <<TOML
[pipeline]
name = "bench_parquet"
destination = "lake"
dataset_name = "bench_data"

[[resources]]
name = "events"
path = "$file"
TOML
  echo
  echo "== Parquet: $rows nested records into the filesystem destination, $reps runs of each"
  local ratios=() bs=() os=()
  for ((i = 1; i <= reps; i++)); do
    rm -rf "$work/pq" && mkdir -p "$work/pq"
    sync
    "$build/dlt_bench_measure" "baseline duckdb COPY TO parquet" "$build/dlt_bench_duckdb" ":memory:" \
      "COPY (SELECT * FROM read_json_auto('$file')) TO '$work/pq/events.parquet' (FORMAT parquet)" | tee "$work/base.txt"
    rm -rf "$work/ws/_local" "$work/ws/.dlt/.var"
    sync
    (cd "$work/ws" && HOME="$work/home" "$build/dlt_bench_measure" "dlt run (into parquet files)" \
      "$dlt" --profile parquet run "$work/ws/bench_parquet.toml" --quiet | tail -1 | sed 's/^dlt run (into/dlt run (into/') | tee "$work/ours.txt"
    record_pair
  done
  echo "ratios dlt/baseline of the $reps runs: ${ratios[*]}"
  echo "median: baseline $(median "${bs[@]}") s, dlt $(median "${os[@]}") s, ratio $(median "${ratios[@]}")x (target <= 1.2x)"
}
if [[ "${BENCH_ONLY:-}" == parquet ]]; then parquet_bench $((500000 / scale)); fi

# 8. sql_database: PostgreSQL -> DuckDB against psql \copy + read_csv (bench/sql_database_bench.sh).
if [[ "${BENCH_ONLY:-}" == sql_database ]]; then
  "$root/bench/sql_database_bench.sh" "$build" "$work" "${BENCH_SQL_ROWS:-$((5000000 / scale))}" "$reps"
fi
