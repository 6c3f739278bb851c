#!/usr/bin/env bash
# Parse throughput beside its floor (`cat` of the same files), the parse rows of
# bench/run.sh on their own, for quick before/after runs of parser work.
#
#   bench/parse-floor.sh [--bin BIN] [--other BIN] [--count N] [--work DIR]
#
# BIN (default target/release/cablescope, not built here) generates N cables
# (default 25,000) once; then `cat` and `BIN parse --no-merge -q` read them, in one
# process and in two at once (the month folders split in two halves by bytes). One
# `parse` process parses small files on every core; `cat` reads on one.
# `--other BIN` times a second binary on the same files in the same run (the
# ratio column compares each with `cat` of that run). Best of 2 runs each, page
# cache warm, output to /dev/null.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/release/cablescope"
other=""
count=25000
work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --other) other="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "usage: bench/parse-floor.sh [--bin BIN] [--other BIN] [--count N] [--work DIR]" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release -p cablescope)" >&2; exit 2; }
work="${work:-$(mktemp -d /tmp/cablescope-parse-floor.XXXXXX)}"
rm -rf "$work/corpus"; mkdir -p "$work"
corpus="$work/corpus"
echo "generating $count cables in $corpus..." >&2
"$bin" generate --count "$count" --out "$corpus" >/dev/null
rm -f "$corpus/truth.jsonl"
bytes=$(find "$corpus" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "$corpus" -type f | wc -l)

# Two halves of the month folders, greedily by bytes.
mapfile -t halves < <(find "$corpus" -type f -printf '%h %s\n' \
  | awk '{b[$1]+=$2} END {for (d in b) print b[d], d}' | sort -rn \
  | awk '{ if (h0 <= h1) { h0 += $1; a = a " " $2 } else { h1 += $1; c = c " " $2 } }
         END { print a; print c }')

now() { date +%s.%N; }
# best of two wall times of a command line run through bash
best() {
  local b="" t0 t1 d
  for _ in 1 2; do
    t0=$(now); bash -c "$1" >/dev/null; t1=$(now)
    d=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$d < $b" | bc -l)" = 1 ]; then b=$d; fi
  done
  echo "$b"
}
cat1="find $corpus -type f -print0 | xargs -0 cat"
cat2="(find ${halves[0]} -type f -print0 | xargs -0 cat) & (find ${halves[1]} -type f -print0 | xargs -0 cat) & wait"
bash -c "$cat1" >/dev/null # warm the page cache
t_cat1=$(best "$cat1")
t_cat2=$(best "$cat2")
mb=$(echo "$bytes / 1000000" | bc -l)
printf '%s\n' "parse floor: $files files, $(printf '%.1f' "$mb") MB, $count generated cables"
printf '| binary | processes | MB/s | cables/s | cat MB/s | ratio to cat |\n|---|---|---|---|---|---|\n'
for b in "$bin" $other; do
  p1="$b parse --no-merge -q $corpus"
  p2="($b parse --no-merge -q ${halves[0]}) & ($b parse --no-merge -q ${halves[1]}) & wait"
  for procs in 1 2; do
    if [ "$procs" = 1 ]; then tp=$(best "$p1"); tc=$t_cat1; else tp=$(best "$p2"); tc=$t_cat2; fi
    printf '| %s | %s | %.1f | %.0f | %.0f | %.3fx |\n' "$b" "$procs" \
      "$(echo "$mb / $tp" | bc -l)" "$(echo "$count / $tp" | bc -l)" \
      "$(echo "$mb / $tc" | bc -l)" "$(echo "$tc / $tp" | bc -l)"
  done
done
