#!/usr/bin/env bash
# Ingest into PostgreSQL beside the embedded store, on one machine (BENCHMARKS.md,
# "Shared deployments"):
#
#   scripts/bench-pg-ingest.sh ADMIN_URL [COUNT] [SHARD_ADMIN_URL]
#
# ADMIN_URL: a PostgreSQL URL allowed to create databases (scripts/pg-cluster.sh
# start DIR prints one). Generates COUNT cables (default 25000) and ingests them,
# timed, into: an embedded archive (the baseline); a database `bench_ingest`; and,
# with SHARD_ADMIN_URL (a second server), a database `bench_ingest_part` whose
# records are partitioned across a database on each server (`cablescope
# partition`, done while empty). Prints wall time, cables/s and peak RSS of each,
# and each ratio to the embedded ingest. Needs a release build (cargo build
# --release -p cablescope), psql and GNU time.
set -euo pipefail
admin="${1:?usage: $0 ADMIN_URL [COUNT] [SHARD_ADMIN_URL]}"; count="${2:-25000}"; shard="${3:-}"
bin="$(cd "$(dirname "$0")/.." && pwd)/target/release/cablescope"
[ -x "$bin" ] || { echo "build first: cargo build --release -p cablescope" >&2; exit 2; }
work="$(mktemp -d /tmp/cablescope-bench-pg-ingest.XXXXXX)"
trap 'rm -rf "$work"' EXIT
base="${admin%/*}"
echo "working in $work; $count cables"
"$bin" generate --count "$count" --out "$work/corpus" >/dev/null
rm -f "$work/corpus/truth.jsonl"
fresh() { psql -q "$1/postgres" -c "DROP DATABASE IF EXISTS $2" -c "CREATE DATABASE $2"; }
fresh "$base" bench_ingest
run() { # NAME ARGS...: one timed ingest; prints "NAME SECONDS PEAK_KB"
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" ingest --quiet "$@" "$work/corpus" >/dev/null
  echo "$name $(cat "$work/time")"
}
{
  run embedded --archive "$work/emb"
  run postgres --archive "$work/pg" --database "$base/bench_ingest"
  if [ -n "$shard" ]; then
    sbase="${shard%/*}"
    fresh "$base" bench_ingest_part; fresh "$base" bench_ingest_s0; fresh "$sbase" bench_ingest_s1
    "$bin" partition --database "$base/bench_ingest_part" \
      --shard "$base/bench_ingest_s0" --shard "$sbase/bench_ingest_s1" >/dev/null
    run "partitioned (2 servers)" --archive "$work/part" --database "$base/bench_ingest_part"
  fi
} | tee "$work/runs"
python3 - "$work/runs" "$count" <<'PY'
import sys
rows = [l.rsplit(" ", 2) for l in open(sys.argv[1]).read().splitlines()]
n = int(sys.argv[2]); base = float(rows[0][1])
print("\n| store | wall time | cables/s | peak RSS | time vs embedded |\n|---|---|---|---|---|")
for name, secs, kb in rows:
    s = float(secs)
    print(f"| {name} | {s:.1f} s | {n / s:,.0f} | {int(kb) // 1024} MiB | {s / base:.2f}x |")
PY
