#!/usr/bin/env bash
# Peak memory of `cablescope parse` streaming a large cables.csv-style dump.
#
# Writes a synthetic dump of SIZE_MB megabytes (default 2048) in the 2011 dump's
# shape (8 columns, backslash-escaped quotes, multi-line fields) from one invented
# fixture cable with varying ids, then parses it with --no-merge (records stream out)
# and reports wall time, rows/s and peak RSS beside the same run's baseline, `wc -l`
# over the same bytes.
#
# usage: bench/csv-memory.sh [SIZE_MB]      (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-2048}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p cablescope
python3 - "$work/cables.csv" "$size_mb" <<'PY'
import sys
path, size_mb = sys.argv[1], int(sys.argv[2])
header = ("VZCZCXRO0001\nPP RUEHWEB\nDE RUEHMO #{ssn:04d}/01 1571119\nZNY CCCCC ZZH\nR 051119Z JUN 08\n"
          "FM AMEMBASSY MOSCOW\nTO RUEHC/SECSTATE WASHDC 8123")
body = ("C O N F I D E N T I A L MOSCOW {serial:06d}\n\nSIPDIS\n\nE.O. 12958: DECL: 06/05/2018\n"
        "TAGS: PREL PGOV RS\nSUBJECT: A SYNTHETIC CABLE FOR THE MEMORY BENCHMARK\n\nREF: MOSCOW 1\n\n"
        "Classified By: Ambassador Jane Roe for reasons 1.4 (b) and (d).\n\n"
        + "".join(f"{n}. (C) Paragraph {n} says \\\"nothing\\\" at some length, the way a cable\n"
                  "would, with enough words to look like one and a quote or two.\n\n" for n in range(1, 30))
        + "ROE\n")
target = size_mb * 1024 * 1024
written = 0
row = 0
with open(path, "w", encoding="utf-8") as f:
    while written < target:
        row += 1
        serial = row % 999_999 + 1
        line = (f'"{row}","6/5/2008 11:19","08MOSCOW{serial}","Embassy Moscow","CONFIDENTIAL","",'
                f'"{header.format(ssn=serial % 10000)}","{body.format(serial=serial)}"\n')
        f.write(line)
        written += len(line)
print(f"{row} rows, {written / 1e6:.0f} MB", file=sys.stderr)
PY
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null
  read -r secs kb < "$work/time"
  echo "$secs $kb"
}
rows=$(grep -c '^"[0-9]*","6/5/2008' "$work/cables.csv")
read -r base_s base_kb < <(measure wc -l "$work/cables.csv")
read -r s kb < <(measure ./target/release/cablescope parse --no-merge -q "$work/cables.csv")
printf '%-34s %10s %12s %14s\n' "run" "seconds" "rows/s" "peak RSS (MB)"
printf '%-34s %10s %12s %14.1f\n' "baseline: wc -l" "$base_s" "-" "$(echo "$base_kb/1024" | bc -l)"
printf '%-34s %10s %12.0f %14.1f\n' "cablescope parse --no-merge" "$s" "$(echo "$rows/$s" | bc -l)" "$(echo "$kb/1024" | bc -l)"
echo "file: $(du -m "$work/cables.csv" | cut -f1) MB, $rows rows"
