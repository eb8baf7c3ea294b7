#!/usr/bin/env bash
# 8. sql_database (BENCH_ONLY=sql_database, run from bench/run.sh): a PostgreSQL table of
#    BENCH_SQL_ROWS rows (default 5M) x 10 typed columns into a new DuckDB file with
#    `dlt run` of a `[source] type = "sql_database"` pipeline file, against the two-step
#    baseline `psql \copy (SELECT ...) TO` a CSV file + DuckDB's
#    CREATE TABLE AS SELECT * FROM read_csv(...), timed in the same run (targets: >= 1M rows/s
#    and no slower than the baseline).
#   bench/sql_database_bench.sh BUILD_DIR WORK_DIR ROWS REPS   (BENCH_SQL_PARALLEL: parallel_chunks)
set -euo pipefail
build=$1 work=$2 rows=$3 reps=$4
dlt="$build/dlt"
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
secs() { sed -E 's/.*: ([0-9.]+) s.*/\1/' "$1" | tail -1; }

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -1)
pgdir="$work/sqlpg"
port=$((20000 + RANDOM % 20000))
mkdir -p "$pgdir"
as=()
if [[ $(id -u) -eq 0 ]]; then chown postgres "$pgdir"; as=(runuser -u postgres --); fi
cd /
"${as[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
trap '"${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT
psql=(psql -X -q -h 127.0.0.1 -p "$port" -U postgres)
"${psql[@]}" -c "CREATE DATABASE src" >/dev/null
echo
echo "== sql_database: PostgreSQL table of $rows rows x 10 typed columns into DuckDB, $reps runs of each"
"${psql[@]}" -d src -c "CREATE TABLE t AS SELECT i::bigint AS id, (i % 1000)::int AS user_id,
  'name ' || i AS name, ((i % 100000) / 100.0)::numeric(12,2) AS amount, i * 0.5::float8 AS score,
  i % 2 = 0 AS active, TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * interval '1 second' AS created_at,
  DATE '2000-01-01' + (i % 9000) AS day, ('c' || (i % 50))::varchar(8) AS country,
  TIMESTAMP '2020-01-01 00:00:00' + i * interval '1 millisecond' AS seen_at
  FROM generate_series(1, $rows) i; ALTER TABLE t ADD PRIMARY KEY (id)" >/dev/null
"${psql[@]}" -d src -c "VACUUM ANALYZE t" >/dev/null

ws="$work/sqlws"
mkdir -p "$ws/.dlt" "$work/home"
touch "$ws/.dlt/.workspace"
printf '[destination.warehouse]\ndestination_type = "duckdb"\n\n[sources.sql_database]\ncredentials = "postgresql://postgres@127.0.0.1:%s/src"\n' \
  "$port" > "$ws/.dlt/dev.secrets.toml"
cat > "$ws/bench_sql.toml" <<TOML
[pipeline]
name = "bench_sql"
destination = "warehouse"
dataset_name = "bench_data"

[source]
type = "sql_database"
table_names = ["t"]
parallel_chunks = ${BENCH_SQL_PARALLEL:-0}
TOML
csv="$work/sql_t.csv"
cat > "$work/sql_baseline.sh" <<SH
set -e
${psql[*]} -d src -c "\\\\copy (SELECT * FROM t) TO '$csv' WITH (FORMAT csv, HEADER true)"
"$build/dlt_bench_duckdb" "$work/sql_baseline.duckdb" "CREATE TABLE t AS SELECT * FROM read_csv('$csv')"
SH
cd "$ws"
bs=() os=() ratios=()
for ((i = 1; i <= reps; i++)); do
  rm -f "$work/sql_baseline.duckdb" "$csv"
  sync
  "$build/dlt_bench_measure" "baseline psql \\copy TO csv + duckdb read_csv" bash "$work/sql_baseline.sh" \
    | tee "$work/sql_base.txt"
  rm -rf "$ws/_local" "$ws/.dlt/.var"
  sync
  HOME="$work/home" "$build/dlt_bench_measure" "dlt run sql_database" ${BENCH_SQL_WRAP:-} "$dlt" run "$ws/bench_sql.toml" --quiet \
    | tee "$work/sql_ours.txt"
  HOME="$work/home" "$dlt" pipeline bench_sql trace | sed -n '/^  /p'
  b=$(secs "$work/sql_base.txt") o=$(secs "$work/sql_ours.txt")
  bs+=("$b") os+=("$o") ratios+=("$(awk -v b="$b" -v o="$o" 'BEGIN { printf "%.2f", o / b }')")
done
med_b=$(median "${bs[@]}") med_o=$(median "${os[@]}") med_r=$(median "${ratios[@]}")
echo "ratios dlt/baseline of the $reps runs: ${ratios[*]}"
awk -v b="$med_b" -v o="$med_o" -v r="$med_r" -v rows="$rows" 'BEGIN {
  printf "median: baseline %.2f s (%.0f rows/s), dlt %.2f s (%.0f rows/s), ratio %.2fx\n", b, rows / b, o, rows / o, r }'

# Against Python dlt 1.26's sql_database (../shared/peer-dlt.md; needs SQLAlchemy, Debian's
# python3-sqlalchemy), when DLT_PEER_PYTHONPATH is set: the first BENCH_SQL_PEER_ROWS rows
# (default 200k: the peer reads about 2-5k rows/s here) as a table of their own, read by both.
# The peer has no duckdb module here, so it runs extract + normalize only and we run the whole
# load: the ratio is a lower bound (target: >= 20x).
[[ -n "${DLT_PEER_PYTHONPATH:-}" ]] || { echo "(DLT_PEER_PYTHONPATH unset: no peer run)"; exit 0; }
if ! PYTHONPATH="$DLT_PEER_PYTHONPATH" /usr/bin/python3 -c "import sqlalchemy" 2>/dev/null; then
  echo "(the peer has no sqlalchemy module: install Debian's python3-sqlalchemy for the peer run)"; exit 0
fi
peer_rows=${BENCH_SQL_PEER_ROWS:-200000}
(( peer_rows > rows )) && peer_rows=$rows
"${psql[@]}" -d src -c "CREATE TABLE t_peer AS SELECT * FROM t WHERE id <= $peer_rows; ALTER TABLE t_peer ADD PRIMARY KEY (id)" >/dev/null
sed -i 's/table_names = \["t"\]/table_names = ["t_peer"]/' "$ws/bench_sql.toml"
cat > "$work/sql_peer.py" <<PY
import time, dlt
from dlt.sources.sql_database import sql_database
p = dlt.pipeline(pipeline_name="peer_sql", destination="duckdb", dataset_name="peer_data",
                 pipelines_dir="$work/peer_pipelines")
t = time.time()
p.extract(sql_database("postgresql://postgres@127.0.0.1:$port/src", table_names=["t_peer"]))
p.normalize()
print("peer: %.2f s" % (time.time() - t))
PY
echo
echo "== sql_database against Python dlt 1.26: $peer_rows rows"
rm -rf "$ws/_local" "$ws/.dlt/.var" "$work/peer_pipelines"
HOME="$work/home" "$build/dlt_bench_measure" "dlt run sql_database ($peer_rows rows)" "$dlt" run "$ws/bench_sql.toml" --quiet \
  | tee "$work/sql_ours_small.txt"
(cd "$work" && PYTHONPATH="$DLT_PEER_PYTHONPATH" DLT_USE_JSON=simplejson RUNTIME__DLTHUB_TELEMETRY=false \
  "$build/dlt_bench_measure" "python dlt 1.26 sql_database (extract + normalize)" /usr/bin/python3 "$work/sql_peer.py") \
  | tee "$work/sql_peer.txt"
awk -v p="$(secs "$work/sql_peer.txt")" -v o="$(secs "$work/sql_ours_small.txt")" 'BEGIN {
  printf "peer (extract + normalize) / ours (full run): %.1fx (target >= 20x)\n", p / o }'
