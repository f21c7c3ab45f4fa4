#!/usr/bin/env bash
# Stone Soup's GNN and ours on the same scenarios, GOSPA and throughput side by side.
#   cargo xtask peers && cargo build --release -p cli
#   crates/fusion/bench/stonesoup/compare.sh [N:CLUTTER ...]     (default 10/50/200 x 0/10/50, 1000 x 0/10/50)
# Stone Soup is skipped (reported "-") above SS_MAX_TARGETS (default 200): it does not finish
# 1,000 targets in 5 minutes (see RESULTS.md of the harness). Data under target/stonesoup-data.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"; ROOT="$(cd "$HERE/../../../.." && pwd)"
PY="${PY:-$ROOT/target/peers/stonesoup/bin/python}"
G="${G:-$ROOT/target/release/guarantor}"
DATA="${DATA:-$ROOT/target/stonesoup-data}"
SS_MAX_TARGETS="${SS_MAX_TARGETS:-200}"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
[ $# -eq 0 ] && set -- 10:0 10:10 10:50 50:0 50:10 50:50 200:0 200:10 200:50 1000:0 1000:10 1000:50
field() { "$PY" -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], '-'))" "$1" "$2"; }
printf '%-6s %-7s %-10s %-12s %-12s %-12s %-12s %-10s\n' N clutter dets ss_gospa our_gospa ss_dets/s our_dets/s speedup
for c in "$@"; do
  IFS=: read -r N CL <<<"$c"; D="$DATA/n${N}_c${CL}_s1"
  [ -f "$D/detections.csv" ] || "$PY" "$HERE/bench.py" gen --out "$D" --targets "$N" --clutter "$CL" --seed 1 >/dev/null
  OURS="$("$G" track --input "$D/detections.csv" --output "$D/tracks_ours.csv" --threads 2)"
  OURS="${OURS%%$'\n'*}"
  OUR_RATE="$(sed -E 's/.*\(([0-9]+) detections\/s\).*/\1/' <<<"$OURS")"
  OUR_G="$(field "$("$PY" "$HERE/bench.py" score --truth "$D/truth.csv" --tracks "$D/tracks_ours.csv")" mean_gospa)"
  SS_G=-; SS_RATE=-; SPEED=-
  if [ "$N" -le "$SS_MAX_TARGETS" ]; then
    SS="$("$PY" "$HERE/bench.py" track --data "$D" --assoc gnn --max-seconds 300 2>/dev/null)"
    SS_RATE="$(field "$SS" dets_per_s)"
    SS_G="$(field "$("$PY" "$HERE/bench.py" score --truth "$D/truth.csv" --tracks "$D/tracks_gnn.csv")" mean_gospa)"
    SPEED="$("$PY" -c "print(f'{$OUR_RATE/$SS_RATE:.0f}x')")"
  fi
  printf '%-6s %-7s %-10s %-12s %-12s %-12s %-12s %-10s\n' "$N" "$CL" "$(($(wc -l <"$D/detections.csv") - 1))" "$SS_G" "$OUR_G" "$SS_RATE" "$OUR_RATE" "$SPEED"
done
