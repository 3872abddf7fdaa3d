#!/usr/bin/env bash
# The quickstart over the CPU float paths and seeds a user can hit, with one table of what each run measured.
#
# PyTorch picks its CPU kernels by the CPU's features; ATEN_CPU_CAPABILITY=default|avx2|avx512 forces a path on one
# machine, so this script shows what users with other CPUs will see. Each capability pretrains its own base model
# (in its own cache under OUT/cache-CAP: the float path changes the weights); the seeds then share it. Capabilities
# run in parallel (--jobs, default 2: each run uses one PyTorch thread), seeds one after another.
#
#   scripts/quickstart-spread.sh                                   # avx2 and default (and avx512 when the CPU has it), seeds 0 1 2
#   scripts/quickstart-spread.sh --caps "avx2" --seeds "0" --out /tmp/spread -- --set train.steps=100
#
# Prints one row per run (capability, seed, the pretraining step where the stop rule fired, held-out accuracy
# before -> after, gain, format, times) and the
# min / median / max of the gain; the runs stay in OUT (default target/quickstart-spread).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

caps=""
seeds="0 1 2"
jobs=2
out="target/quickstart-spread"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --caps) caps="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "quickstart-spread: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$caps" ]; then
  caps="avx2 default"
  grep -q avx512f /proc/cpuinfo 2>/dev/null && caps="avx512 $caps"
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# build once, before the runs start in parallel
./zerorl --version >/dev/null

run_cap() {
  local cap="$1"
  for seed in $seeds; do
    local dir="$out/$cap-seed$seed"
    rm -rf "$dir"
    echo "quickstart-spread: $cap seed $seed -> $dir" >&2
    if ! ATEN_CPU_CAPABILITY="$cap" ZERORL_NO_PROGRESS=1 ./zerorl quickstart --seed "$seed" --output "$dir" \
        --cache-dir "$out/cache-$cap" "${extra[@]}" > "$out/$cap-seed$seed.log" 2>&1; then
      echo "quickstart-spread: $cap seed $seed failed, see $out/$cap-seed$seed.log" >&2
    fi
  done
}

running=0
for cap in $caps; do
  run_cap "$cap" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

python3 - "$out" $caps -- $seeds <<'EOF'
import json, os, statistics, sys
out = sys.argv[1]
i = sys.argv.index('--')
caps, seeds = sys.argv[2:i], sys.argv[i + 1:]
print(f"{'capability':<11}{'seed':>5}{'stop':>6}{'before':>9}{'after':>8}{'gain':>8}{'format':>13}{'pretrain':>10}{'grpo':>7}{'total':>8}")
gains = []
for cap in caps:
    for seed in seeds:
        f = os.path.join(out, f"{cap}-seed{seed}", "quickstart.json")
        if not os.path.exists(f):
            print(f"{cap:<11}{seed:>5}   (no result: see {cap}-seed{seed}.log)")
            continue
        r = json.load(open(f))
        s = r["seconds"]
        gain = 100 * (r["accuracyAfter"] - r["accuracyBefore"])
        gains.append(gain)
        fmt = f"{100 * r['formatBefore']:.0f}->{100 * r['formatAfter']:.0f}%"
        stop = r.get("pretrainStoppedAt")
        stop = "-" if stop is None else ("none" if stop < 0 else str(stop))
        print(f"{cap:<11}{seed:>5}{stop:>6}{100 * r['accuracyBefore']:>8.1f}%{100 * r['accuracyAfter']:>7.1f}%{gain:>+8.1f}"
              f"{fmt:>13}{s['pretrain']:>9.0f}s{s['grpo']:>6.0f}s{sum(s.values()):>7.0f}s")
if gains:
    print(f"gain over {len(gains)} runs: min {min(gains):+.1f}, median {statistics.median(gains):+.1f}, max {max(gains):+.1f} points")
EOF
