#!/usr/bin/env bash
# Benchmark table for cablescope (issue 5 §3).
#   bench/run.sh           full: 251,287 generated cables
#   bench/run.sh --quick   25,000 generated cables
# Builds the release binary once, generates one corpus, and prints one table whose
# figures all come from this run on that corpus. WORK defaults to a temp dir
# (set BENCH_WORK=DIR to keep it; it is wiped first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
count=251287
case "${1:-}" in
  --quick) count=25000 ;;
  "") ;;
  *) echo "usage: bench/run.sh [--quick]" >&2; exit 2 ;;
esac
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 2; }
for tool in rg wrk; do command -v $tool >/dev/null || echo "note: $tool not installed (apt-get install -y ripgrep wrk); its baseline rows will be empty" >&2; done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is required (apt-get install -y time)" >&2; exit 2; }
echo "building release binary..." >&2
(cd "$root" && cargo build --release -q -p cablescope && cargo build --release -q -p cablescope-archive --example tantivy_floor --example search_loop)
bin="$root/target/release/cablescope"
floor="$root/target/release/examples/tantivy_floor"
search_loop="$root/target/release/examples/search_loop"
work="${BENCH_WORK:-$(mktemp -d /tmp/cablescope-bench.XXXXXX)}"
rm -rf "$work"; mkdir -p "$work"
exec python3 "$here/bench.py" --bin "$bin" --floor "$floor" --search-loop "$search_loop" --count "$count" --work "$work"
