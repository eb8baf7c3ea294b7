#!/usr/bin/env bash
# Puts DuckDB 1.4.4 (shared library + C header) under third_party/duckdb/.
# Uses an installed DuckDB when one is found (DUCKDB_PREFIX, or duckdb.h + libduckdb.so in /usr
# or /usr/local); otherwise fetches the pinned npm packages and checks their checksums.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=third_party/duckdb
if [[ -f $dest/include/duckdb.h && -f $dest/lib/libduckdb.so ]]; then exit 0; fi

for prefix in "${DUCKDB_PREFIX:-}" /usr/local /usr; do
  [[ -n "$prefix" ]] || continue
  lib=""
  for cand in "$prefix/lib/libduckdb.so" "$prefix/lib/x86_64-linux-gnu/libduckdb.so"; do
    [[ -f $cand ]] && lib=$cand && break
  done
  if [[ -n "$lib" && -f $prefix/include/duckdb.h ]]; then
    echo "bootstrap: using installed DuckDB from $prefix"
    mkdir -p "$dest/include" "$dest/lib"
    ln -sf "$prefix/include/duckdb.h" "$dest/include/duckdb.h"
    ln -sf "$lib" "$dest/lib/libduckdb.so"
    exit 0
  fi
done

BINDINGS=@duckdb/node-bindings-linux-x64@1.4.4-r.4
BINDINGS_SHA256=732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b
HEADERS=duckdb@1.4.4
HEADERS_SHA256=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "bootstrap: fetching DuckDB 1.4.4 from the npm registry"
(cd "$work" && npm pack --silent "$BINDINGS" "$HEADERS" >/dev/null)
check() {
  local file=$1 want=$2 got
  got=$(sha256sum "$file" | cut -d' ' -f1)
  if [[ "$got" != "$want" ]]; then
    echo "bootstrap: checksum mismatch for $(basename "$file"): got $got, expected $want" >&2
    exit 1
  fi
}
check "$work/duckdb-node-bindings-linux-x64-1.4.4-r.4.tgz" "$BINDINGS_SHA256"
check "$work/duckdb-1.4.4.tgz" "$HEADERS_SHA256"
mkdir -p "$work/b" "$work/h" "$dest.tmp/include" "$dest.tmp/lib"
tar xzf "$work/duckdb-node-bindings-linux-x64-1.4.4-r.4.tgz" -C "$work/b" package/libduckdb.so
tar xzf "$work/duckdb-1.4.4.tgz" -C "$work/h" package/src/duckdb/src/include/duckdb.h
cp "$work/b/package/libduckdb.so" "$dest.tmp/lib/"
cp "$work/h/package/src/duckdb/src/include/duckdb.h" "$dest.tmp/include/"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "bootstrap: DuckDB unpacked in $dest"
