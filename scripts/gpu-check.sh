#!/usr/bin/env bash
# Every GPU figure the project lacks, in one device call (under 8 minutes of wall clock). Run ON THE GPU MACHINE from
# the project root after ../shared/gpu/prepare.sh packed .gpu/ here (carry ".gpu"); DJL's engine must be usable there,
# i.e. a JNI built against that machine's torch installed by .gpu/build-jni.sh (../shared/gpu/README.md; nothing that
# builds DJL's code is part of this project). Each part has its own timeout, so one failure keeps the others' results;
# everything is written under $OUT (default ./gpu-out) as JSON and logs:
#   1. the GPU is visible to DJL (a generate on the GPU)
#   2. bench-compare on the GPU, fp16: Qwen2.5-0.5B shape and the MoE shape, batch 64 and 256, prompt 128 + 256 new,
#      and a training micro-step, against plain PyTorch and transformers' generate on the same weights
#   3. GRPO steps of the tiny fixture in fp16 against fp32 (loss, reward, grad norm per step)
#   4. one full GRPO step of a 0.5B-sized model (hidden 896, 24 layers) with its time split
#   5. the LoRA memory benchmark on the GPU (device memory of full, LoRA, LoRA + checkpointing)
#
#   source .gpu/env.sh && bash .gpu/build-jni.sh && OUT=$OUT bash scripts/gpu-check.sh
#   bash scripts/gpu-check.sh --dry-run     # on a CPU machine: the same parts on the CPU, small, to check the plumbing
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dry=0; [ "${1:-}" = --dry-run ] && dry=1
OUT="${OUT:-$PWD/gpu-out}"
mkdir -p "$OUT"
dev=gpu; dtype=fp16; scale=1
if [ "$dry" = 1 ]; then dev=cpu; dtype=fp32; scale=0; fi
if [ -z "${GPU_CLASSPATH:-}" ]; then # the CPU machine: the build's own class path
  mvn -B -q -o -DskipTests package >&2 2>/dev/null || mvn -B -q -DskipTests package >&2
  GPU_CLASSPATH="$PWD/target/zerorl-0.1.0-SNAPSHOT.jar:$PWD/target/lib/*"
fi
export GPU_CLASSPATH OPT_OUT_TRACKING=true
# a command line, not a function: timeout runs programs
zl=(java -Xmx16g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$GPU_CLASSPATH")
fixture="${ZERORL_SHARED:-../shared}/fixtures/hf-tiny/qwen2-tiny"
[ -d "$fixture" ] || fixture="fixtures/qwen2-tiny"
status() { echo "{\"part\": \"$1\", \"rc\": $2, \"seconds\": $3}" >> "$OUT/parts.jsonl"; echo "gpu-check: $1 rc=$2 (${3}s)" >&2; }
part() { # name timeout command...
  local name="$1" limit="$2"; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  status "$name" $? $((SECONDS - t0))
}
: > "$OUT/parts.jsonl"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/gpu.txt" 2>&1 || true

# 1. the GPU, seen by DJL
part visible 90 "${zl[@]}" io.zerorl.cli.Main generate --model "$fixture" --device "$dev" --prompt "2 + 2 =" --max-new-tokens 8 --greedy

# 2. side by side with PyTorch
if [ "$dry" = 1 ]; then
  part compare 900 env BENCH_JSON="$OUT/compare.json" bash scripts/bench-compare.sh --quick --rounds 1
else
  part compare 300 env BENCH_JSON="$OUT/compare.json" bash scripts/bench-compare.sh --device gpu --dtype fp16 \
    --gpu-shapes --rounds 3
fi

# 3. fp16 against fp32 on the tiny fixture: the same recipe, seed and steps
for p in float32 float16; do
  [ "$dry" = 1 ] && [ "$p" = float16 ] && continue # fp16 matmuls need the GPU
  part "fp16-vs-fp32-$p" 120 "${zl[@]}" io.zerorl.cli.Main train recipes/qwen2-tiny/grpo/toy.yaml --set model.path="$fixture" \
    --set model.device="$dev" --set train.precision=$p --set train.steps=8 --set output_dir="$OUT/runs/tiny-$p"
done

# 4. one full GRPO step of a 0.5B-sized model (the fixture's tokenizer, so a small vocabulary), its time split
big="$OUT/model-0.5b"
if [ "$dry" = 1 ]; then size=(256 4 768); rows=(4 4 32); else size=(896 24 4864); rows=(16 8 256); fi
part write-0.5b 120 "${zl[@]}" io.zerorl.train.BenchModelWriter "$fixture" "$big" "${size[@]}"
part grpo-step-0.5b 180 "${zl[@]}" io.zerorl.cli.Main train recipes/qwen2-tiny/grpo/toy.yaml --set model.path="$big" \
  --set model.device="$dev" --set train.precision="$([ "$dtype" = fp16 ] && echo float16 || echo float32)" \
  --set train.steps=1 --set train.prompts_per_step="${rows[0]}" --set train.group_size="${rows[1]}" \
  --set train.micro_batch_size=16 --set rollout.max_new_tokens="${rows[2]}" --set output_dir="$OUT/runs/step-0.5b"
rm -rf "$big"

# 5. LoRA memory on the device (the benchmark's own JVMs need the test classes: CPU dry run only)
if [ "$dry" = 1 ]; then
  part lora-memory 600 bash scripts/bench-lora-memory.sh moe-shape 2 16 16 4
fi

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
summary = {"parts": [json.loads(l) for l in open(os.path.join(out, "parts.jsonl"))]}
def metrics(run):
    p = os.path.join(out, "runs", run, "metrics.jsonl")
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []
for run in ("tiny-float32", "tiny-float16", "step-0.5b"):
    m = [r for r in metrics(run) if "loss" in r]
    summary[run] = [{k: r.get(k) for k in ("step", "loss", "reward", "grad_norm", "time/generate_s", "time/score_s",
                                            "time/train_s", "tokens_per_s/rollout", "tokens_per_s/train")} for r in m]
if os.path.exists(os.path.join(out, "compare.json")):
    summary["compare"] = json.load(open(os.path.join(out, "compare.json")))
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)
print(json.dumps({k: v for k, v in summary.items() if k != "compare"}, indent=1)[:4000])
PY
cat "$OUT/compare.log" 2>/dev/null | grep '^|' || true
