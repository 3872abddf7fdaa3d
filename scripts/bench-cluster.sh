#!/usr/bin/env bash
# GRPO step time in this process vs on a Spark cluster of executor JVMs on this machine (local-cluster, no Spark
# install): the same recipe, steps and seeds; per step the rollout (generate + score), the learner's update, and the
# wall time of the whole run. The first step is left out of the means (the executors load their model then).
#
#   scripts/bench-cluster.sh          # the toy recipe on a generated 24M-parameter Qwen2 (random weights), 64 rows x 48
#                                     # tokens per step, in-process vs local-cluster[2,1,1024]
#   scripts/bench-cluster.sh RECIPE STEPS "local-cluster[2,1,2048]" --set rollout.max_new_tokens=128 ...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
recipe="${1:-recipes/qwen2-tiny/grpo/toy.yaml}"; steps="${2:-6}"; master="${3:-local-cluster[2,1,1024]}"
shift $(( $# < 3 ? $# : 3 ))
extra=("$@")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
if [ ${#extra[@]} -eq 0 ]; then
  ./zerorl --version > /dev/null # builds the jar and the class path if needed
  mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
    -DincludeScope=test >&2 2>/dev/null || mvn -B -q test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -DincludeScope=test >&2
  OPT_OUT_TRACKING=true java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.zerorl.train.BenchModelWriter \
    ../shared/fixtures/hf-tiny/qwen2-tiny "$out/model" 512 8 1536 >&2
  extra=(--set model.path="$out/model" --set rollout.max_new_tokens=48 --set train.prompts_per_step=8
    --set train.group_size=8 --set train.micro_batch_size=16)
fi
run() { # name, extra args...
  local name="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  ./zerorl train "$recipe" --set train.steps="$steps" --set output_dir="$out/$name" --set eval.every=0 \
    --set export.at_end=false --set checkpoint.every=0 "${extra[@]}" "$@" > "$out/$name.log" 2>&1 \
    || { cat "$out/$name.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  python3 - "$name" "$out/$name/metrics.jsonl" "$(echo "$t1 - $t0" | bc)" <<'PY'
import json, sys
name, path, wall = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = [json.loads(l) for l in open(path) if l.strip()]
rows = [r for r in rows if "loss" in r]
later = rows[1:] or rows
mean = lambda k: sum(r.get(k, 0.0) for r in later) / len(later)
print(f"{name:<26}{mean('time/generate_s') + mean('time/score_s'):>10.2f}s{mean('time/train_s'):>10.2f}s"
      f"{mean('time/weight_sync_s'):>10.2f}s{wall:>10.1f}s{rows[-1]['reward']:>10.3f}")
PY
}
echo "recipe $recipe, $steps steps, ${extra[*]}"
printf '%-26s%11s%11s%11s%11s%10s\n' "where" "rollout" "update" "sync" "run wall" "reward"
run "in-process"
run "$master" --master "$master"
echo "(rollout, update and weight sync: means per step over steps 2..$steps; run wall includes start-up;"
echo " machine: $(nproc) cores, shared by the driver and the executors)"
