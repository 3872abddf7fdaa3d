#!/usr/bin/env bash
# Peak memory of one GRPO policy update (forward, loss, backward, clipping, AdamW) on a Qwen2.5-0.5B-shaped model
# with random weights: full fine-tuning, LoRA (rank 16, every attention and MLP projection), and LoRA with activation
# checkpointing. Each mode runs in its own JVM (the peak resident set, VmHWM, only grows) and the table gives the
# ratios to full fine-tuning, beside what `zerorl plan` predicts for the same update (MiB). With ZERORL_BENCH_DEVICE=gpu
# the model and the update run on the GPU and the peak is device memory in use (cudaMemGetInfo, sampled every ms).
#
#   scripts/bench-lora-memory.sh                      # 4 rows x (64 prompt + 128 completion tokens), float32, CPU
#   scripts/bench-lora-memory.sh moe-shape 4 64 128   # the rollout benchmark's MoE shape
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
shape="${1:-qwen2.5-0.5b-shape}"; rows="${2:-4}"; prompt="${3:-64}"; completion="${4:-128}"; rank="${5:-16}"
[ -d target/lib ] || mvn -B -q -DskipTests package >&2
mvn -B -q -o test-compile >&2 2>/dev/null || mvn -B -q test-compile >&2
cp="target/test-classes:target/classes:$(find target/lib -name '*.jar' | tr '\n' ':')"
out=()
for mode in full lora lora-ckpt; do
  echo "bench-lora-memory: $mode on $shape ($rows x ($prompt + $completion) tokens)..." >&2
  line=$(OPT_OUT_TRACKING=true java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="${ZERORL_THREADS:-2}" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$cp" io.zerorl.train.MemoryStepBench \
    "$mode" "$shape" "$rows" "$prompt" "$completion" "$rank" "${ZERORL_BENCH_DEVICE:-cpu}" | grep '^MEMORY')
  out+=("$line")
done
label=RSS; [ "${ZERORL_BENCH_DEVICE:-cpu}" = cpu ] || label=GPU
printf '%s\n' "${out[@]}" | python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.startswith("MEMORY")]
full = float(rows[0][2])
print("%-11s%12s%12s%8s%16s%9s%13s" % ("mode", "peak " + sys.argv[1], "after load", "step", "trained params", "vs full",
                                        "zerorl plan"))
for r in rows:
    print(f"{r[1]:<11}{float(r[2]):>8.0f} MiB{float(r[3]):>8.0f} MiB{float(r[4]):>7.1f}s{int(r[5]):>16,}"
          f"{float(r[2]) / full:>8.0%}{float(r[6]):>9.0f} MiB")
' "$label"
