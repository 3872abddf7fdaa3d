#!/usr/bin/env bash
# Memory benchmark of model loading: writes a Qwen2.5-0.5B-shaped checkpoint (494M parameters, ~1 GB of
# BF16 in 300 MB shards), then loads it into a float32 Policy in a JVM with a 512 MB heap, printing load
# time, peak heap and peak RSS. The weights (not the heap) hold the model: 1.98 GB as float32.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OPT_OUT_TRACKING=true
# the runtime class path (as ./zerorl runs: no Spark, no test jars) and the benchmark's own classes
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime
CP="target/test-classes:target/classes:$(cat target/runtime.classpath)"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/zerorl-bench-model.XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
java -Xmx2g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" io.zerorl.model.bench.ModelLoadBenchmark generate "$DIR"
java -Xmx512m -XX:MaxDirectMemorySize=1g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" io.zerorl.model.bench.ModelLoadBenchmark load "$DIR"
