#!/usr/bin/env bash
# zerorl next to PyTorch on the same weights: KV-cached batched sampling (tokens/s), one GRPO training micro-step
# (forward, token log-prob loss over the completion, backward, clip, AdamW; seconds) and each process's peak memory,
# for the qwen2-tiny fixture, a Qwen2.5-0.5B-shaped model and the rollout benchmark's MoE shape (Qwen3-MoE layout,
# 32 experts top-4), all with random weights written once in Hugging Face layout. The PyTorch side
# (scripts/torch_side.py) is a plain-PyTorch implementation of the same architectures loading the same safetensors;
# before any timing it must reproduce zerorl's logits on the same input within 1e-4 (fp32). Each measurement runs in
# its own process (peak memory), after a warm-up of at least 3 s that runs until two rounds agree within 5%; a timed
# round repeats the work until it lasts 0.5 s (a tiny model's step is ~40 ms: single runs swing with the machine) and
# reports the mean; the median of ROUNDS rounds counts. transformers' generate is added as a row when transformers is
# importable (the GPU machine).
#
#   scripts/bench-compare.sh                 # CPU, float32, one thread each (ZERORL_THREADS to change), 3 rounds
#   scripts/bench-compare.sh --quick         # the tiny fixture only
#   scripts/bench-compare.sh --device gpu --dtype fp16 --gpu-shapes   # the GPU plan (batch 64/256, 128 + 256)
#   BENCH_JSON=out.json scripts/bench-compare.sh ...                  # also write every figure as JSON
#
# PyTorch on a CPU machine: Debian's python3-torch (installed with apt-get when no python3 can import torch) with
# OpenBLAS: Debian's default BLAS is the netlib reference one, about 10x slower, which would flatter zerorl.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
device=cpu; dtype=fp32; rounds=3; quick=0; gpu_shapes=0
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --dtype) dtype="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --gpu-shapes) gpu_shapes=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
threads="${ZERORL_THREADS:-1}"
export OPT_OUT_TRACKING=true ZERORL_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads"

PY=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c "import torch" 2>/dev/null; then PY="$p"; break; fi
done
if [ -z "$PY" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench-compare: installing Debian's python3-torch for the PyTorch side..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch libopenblas0-pthread >&2 || {
      apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch libopenblas0-pthread >&2; }
    PY=/usr/bin/python3
  else
    echo "bench-compare: no python3 can import torch; install PyTorch (Debian: apt-get install python3-torch)" >&2
    exit 1
  fi
fi

if [ -z "${GPU_CLASSPATH:-}" ]; then
  # the runtime class path, as ./zerorl runs: no Spark, no test jars. Every jar on the path that a service lookup
  # opens keeps its central directory on the Java heap (11 MB for the test path's 197 jars, 2.6 MB for these 73)
  mvn -B -q -o compile dependency:build-classpath -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime \
    >&2 2>/dev/null || mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/runtime.classpath \
    -DincludeScope=runtime >&2
  # a copy of the classes: a build started while the benchmark runs must not pull them from under it
  snapshot="$(mktemp -d "${TMPDIR:-/tmp}/zerorl-compare-classes.XXXXXX")"
  cp -r target/classes "$snapshot/"
  CP="$snapshot/classes:$(cat target/runtime.classpath)"
else
  CP="$GPU_CLASSPATH" # the GPU machine: packed by ../shared/gpu/prepare.sh
fi
# the launcher's JVM flags (./zerorl: -Xms64m -Xmx8g -Xmn8m -XX:+UseSerialGC): keep the two in step
java_flags=(-Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error -Dai.djl.pytorch.num_threads="$threads"
  -Dai.djl.pytorch.num_interop_threads=1 -Dbench.device="$device" -Dbench.dtype="$dtype"
  -Xms64m -Xmx8g -Xmn8m -XX:+UseSerialGC)
pydev=cpu; [ "$device" = cpu ] || pydev=cuda
pydtype=float32; [ "$dtype" = fp16 ] && pydtype=float16

work="$(mktemp -d "${TMPDIR:-/tmp}/zerorl-compare.XXXXXX")"
trap 'rm -rf "$work" ${snapshot:+"$snapshot"}' EXIT
results="$work/results.jsonl"
: > "$results"

write_model() { # name config.json
  OPT_OUT_TRACKING=true java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error -Xmx8g -cp "$CP" \
    io.zerorl.train.BenchModelWriter "$2" "$work/$1" >&2
}

# shape cases: "model kind batch prompt new"
cases=()
models=(tiny)
declare -A dir
dir[tiny]="${ZERORL_SHARED:-../shared}/fixtures/hf-tiny/qwen2-tiny"
if [ "$gpu_shapes" = 1 ]; then
  models=(qwen0.5b moe)
  cases+=("qwen0.5b sample 64 128 256" "qwen0.5b sample 256 128 256" "moe sample 64 128 256" "moe sample 256 128 256"
    "qwen0.5b train 16 128 256" "moe train 16 128 256")
else
  cases+=("tiny sample 1 128 64" "tiny sample 16 128 64" "tiny sample 64 128 64" "tiny train 16 64 64")
  if [ "$quick" = 0 ]; then
    models+=(qwen0.5b moe)
    cases+=("qwen0.5b sample 1 32 16" "qwen0.5b sample 4 32 16" "qwen0.5b train 2 32 16"
      "moe sample 1 32 16" "moe sample 4 32 16" "moe train 2 32 16")
  fi
fi
for m in "${models[@]}"; do
  case "$m" in
    qwen0.5b) write_model qwen0.5b recipes/qwen2.5-0.5b/config.json; dir[qwen0.5b]="$work/qwen0.5b" ;;
    moe)
      cat > "$work/moe-config.json" <<'EOF'
{"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "vocab_size": 151936, "hidden_size": 1024,
 "num_hidden_layers": 12, "num_attention_heads": 16, "num_key_value_heads": 4, "head_dim": 64,
 "intermediate_size": 3072, "moe_intermediate_size": 384, "num_experts": 32, "num_experts_per_tok": 4,
 "norm_topk_prob": true, "decoder_sparse_step": 1, "mlp_only_layers": [], "rms_norm_eps": 1e-6,
 "rope_theta": 1000000.0, "max_position_embeddings": 32768, "tie_word_embeddings": true, "attention_bias": false,
 "hidden_act": "silu", "eos_token_id": 151643, "bos_token_id": 151643, "torch_dtype": "float32"}
EOF
      write_model moe "$work/moe-config.json"; dir[moe]="$work/moe" ;;
  esac
  # the gate: both sides compute the same logits on the same input (fp32)
  java "${java_flags[@]/-Dbench.dtype=$dtype/-Dbench.dtype=fp32}" -cp "$CP" io.zerorl.train.CompareBench logits \
    "${dir[$m]}" "$work/$m-ids.json" "$work/$m-logits.bin" >/dev/null
  diff=$(BENCH_DEVICE=$pydev BENCH_DTYPE=float32 "$PY" scripts/torch_side.py check "${dir[$m]}" "$work/$m-ids.json" \
    "$work/$m-logits.bin" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["max_abs_diff"])')
  echo "{\"model\": \"$m\", \"kind\": \"parity\", \"max_abs_diff\": $diff}" >> "$results"
  if ! "$PY" -c "import sys; sys.exit(0 if $diff <= 1e-4 else 1)"; then
    echo "bench-compare: $m: PyTorch and zerorl logits differ by $diff (> 1e-4): not the same model, no timing" >&2
    exit 1
  fi
done

for c in "${cases[@]}"; do
  read -r m kind batch prompt new <<< "$c"
  echo "bench-compare: $m $kind batch $batch, $prompt + $new tokens..." >&2
  z=$(timeout 1200 java "${java_flags[@]}" -cp "$CP" io.zerorl.train.CompareBench "$kind" "${dir[$m]}" "$batch" \
    "$prompt" "$new" "$rounds" | tail -1)
  t=$(BENCH_DEVICE=$pydev BENCH_DTYPE=$pydtype timeout 1200 "$PY" scripts/torch_side.py "$kind" "${dir[$m]}" \
    "$batch" "$prompt" "$new" "$rounds" | tail -1)
  h='null'
  if [ "$kind" = sample ] && "$PY" -c "import transformers" 2>/dev/null; then
    h=$(BENCH_DEVICE=$pydev BENCH_DTYPE=$pydtype timeout 1200 "$PY" scripts/torch_side.py hf-sample "${dir[$m]}" \
      "$batch" "$prompt" "$new" "$rounds" | tail -1)
  fi
  echo "{\"model\": \"$m\", \"kind\": \"$kind\", \"batch\": $batch, \"prompt\": $prompt, \"new\": $new, \"zerorl\": $z, \"torch\": $t, \"transformers\": $h}" >> "$results"
done

"$PY" - "$results" "$device" "$dtype" "$threads" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
torch_v = next((r["torch"]["torch"] + " (" + r["torch"].get("blas", "?") + ")" for r in rows if "torch" in r), "?")
print(f"zerorl (libtorch 2.7.1 via DJL) vs plain PyTorch {torch_v} on the same weights: {sys.argv[2]}, {sys.argv[3]},"
      f" {sys.argv[4]} thread(s); median of the timed rounds")
for r in rows:
    if r["kind"] == "parity":
        print(f"  {r['model']}: logits agree within {r['max_abs_diff']:.1e}")
print("| shape | measure | batch | zerorl | PyTorch | zerorl / PyTorch | transformers | peak MB zerorl / PyTorch |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    if r["kind"] == "parity":
        continue
    z, t, h = r["zerorl"], r["torch"], r.get("transformers")
    zs, ts = statistics.median(z["seconds"]), statistics.median(t["seconds"])
    if r["kind"] == "sample":
        what = f"sampling {r['prompt']} + {r['new']}, tokens/s"
        zv, tv = z["tokens"] / zs, t["tokens"] / ts
        ratio = zv / tv
        hv = f"{h['tokens'] / statistics.median(h['seconds']):,.0f}" if h and "seconds" in h else "-"
        zf, tf = f"{zv:,.1f}", f"{tv:,.1f}"
    else:
        what = f"train step {r['prompt']} + {r['new']}, s"
        ratio = ts / zs  # above 1: zerorl faster
        hv = "-"
        zf, tf = f"{zs:.3f}", f"{ts:.3f}"
    print(f"| {r['model']} | {what} | {r['batch']} | {zf} | {tf} | {ratio:.2f}x | {hv} | "
          f"{z['peak_mb']:,.0f} / {t['peak_mb']:,.0f} |")
print("(zerorl / PyTorch above 1 means zerorl is faster: tokens/s ratio for sampling, time ratio inverted for training)")
EOF
if [ -n "${BENCH_JSON:-}" ]; then
  "$PY" -c 'import json,sys; json.dump([json.loads(l) for l in open(sys.argv[1])], open(sys.argv[2], "w"), indent=1)' \
    "$results" "$BENCH_JSON"
fi
