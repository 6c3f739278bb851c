#!/usr/bin/env bash
# Search throughput of a shared deployment beside the embedded archive, on one
# machine (BENCHMARKS.md, "Shared deployments"):
#
#   scripts/bench-shared.sh ADMIN_URL [COUNT] [SECONDS]
#
# ADMIN_URL: a PostgreSQL URL allowed to create databases (scripts/pg-cluster.sh
# start DIR prints one). Generates COUNT cables (default 25000), ingests them into an
# embedded archive and into a database `bench_shared`, adds a reader cleared C to
# each, then runs wrk (2 threads, 32 connections, SECONDS each, default 15) with
# distinct one-word searches as that reader: the embedded server; one node of the
# database; two nodes at once (32 connections each). Needs a release build
# (cargo build --release -p cablescope), wrk, curl, psql and python3.
set -euo pipefail
admin="${1:?usage: $0 ADMIN_URL [COUNT] [SECONDS]}"; count="${2:-25000}"; secs="${3:-15}"
bin="$(cd "$(dirname "$0")/.." && pwd)/target/release/cablescope"
[ -x "$bin" ] || { echo "build first: cargo build --release -p cablescope" >&2; exit 2; }
work="$(mktemp -d /tmp/cablescope-bench-shared.XXXXXX)"
db="${admin%/*}/bench_shared"
echo "working in $work"
"$bin" generate --count "$count" --out "$work/corpus" >/dev/null
rm -f "$work/corpus/truth.jsonl"
psql -q "$admin" -c "DROP DATABASE IF EXISTS bench_shared" -c "CREATE DATABASE bench_shared"
/usr/bin/time -f "ingest, embedded: %e s, peak %M KB" "$bin" ingest --archive "$work/emb" "$work/corpus" >/dev/null
/usr/bin/time -f "ingest, PostgreSQL: %e s, peak %M KB" "$bin" ingest --archive "$work/cli" --database "$db" "$work/corpus" >/dev/null
te="$("$bin" users add reader-c --clearance C --archive "$work/emb" 2>/dev/null)"
tp="$("$bin" users add reader-c --clearance C --archive "$work/cli" --database "$db" 2>/dev/null)"
mkdir -p "$work/n1" "$work/n2"
cp "$work/cli/audit.key" "$work/n1/"; cp "$work/cli/audit.key" "$work/n2/"
# 1,000 distinct words of the corpus, the 200 most frequent left out.
python3 - "$work" "$te" "$tp" <<'PY'
import collections, os, random, re, sys
work, te, tp = sys.argv[1:4]
files = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(work, "corpus")) for f in fs]
random.seed(7)
c = collections.Counter()
for f in random.sample(files, min(2000, len(files))):
    c.update(re.findall(r"[a-z]{5,}", open(f, errors="ignore").read().lower()))
words = [w for w, _ in c.most_common(1200)][200:]
random.shuffle(words)
for name, token in (("e", te), ("p", tp)):
    with open(os.path.join(work, name + ".lua"), "w") as out:
        out.write("local words = {" + ",".join('"%s"' % w for w in words) + "}\n")
        out.write('local i = 0\nrequest = function()\n  i = i + 1\n'
                  '  return wrk.format("GET", "/api/search?q=" .. words[(i %% #words) + 1] .. "&limit=20",'
                  ' {["Authorization"] = "Bearer %s"})\nend\n' % token)
PY
up() { for _ in $(seq 600); do curl -sf "localhost:$1/healthz" >/dev/null && return; sleep 0.5; done; echo "port $1 not up" >&2; exit 1; }
load() { wrk -t2 -c32 -d"${secs}s" --latency -s "$2" "http://127.0.0.1:$1" | grep -E "Requests/sec|  50%|  99%|Non-2xx" | tr '\n' ' '; echo; }
"$bin" serve --archive "$work/emb" --addr 127.0.0.1:7821 >"$work/emb.log" 2>&1 & p=$!; up 7821
echo -n "embedded, /healthz floor: "; wrk -t2 -c32 -d"${secs}s" http://127.0.0.1:7821/healthz | grep Requests/sec
echo -n "embedded, search: "; load 7821 "$work/e.lua"
kill $p; wait $p 2>/dev/null || true
"$bin" serve --archive "$work/n1" --database "$db" --addr 127.0.0.1:7822 >"$work/n1.log" 2>&1 & p1=$!; up 7822
"$bin" serve --archive "$work/n2" --database "$db" --addr 127.0.0.1:7823 >"$work/n2.log" 2>&1 & p2=$!; up 7823
echo -n "PostgreSQL, one node: "; load 7822 "$work/p.lua"
load 7822 "$work/p.lua" >"$work/w1" & w1=$!; load 7823 "$work/p.lua" >"$work/w2" & w2=$!
wait $w1 $w2
echo -n "PostgreSQL, two nodes at once, node 1: "; cat "$work/w1"
echo -n "PostgreSQL, two nodes at once, node 2: "; cat "$work/w2"
kill $p1 $p2; wait $p1 $p2 2>/dev/null || true
psql -q "$admin" -c "DROP DATABASE bench_shared"
rm -rf "$work"
