#!/usr/bin/env bash
# Memory benchmark of checkpoint loading: writes a ~1 GB BF16 sharded checkpoint to a temporary folder,
# then reads every tensor as float32 in a JVM with a 512 MB heap. Generation and loading run in separate
# JVMs so the reported peak RSS (VmHWM) is the loader's own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OPT_OUT_TRACKING=true
# the runtime class path (as ./zerorl runs: no Spark, no test jars) and the benchmark's own classes
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime
CP="target/test-classes:target/classes:$(cat target/runtime.classpath)"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/zerorl-bench-load.XXXXXX")"
trap 'rm -rf "$DIR"' EXIT
JAVA=(java -Xmx512m -XX:MaxDirectMemorySize=512m -Dai.djl.offline=true -cp "$CP")
"${JAVA[@]}" io.zerorl.checkpoint.bench.LoadBenchmark generate "$DIR"
"${JAVA[@]}" io.zerorl.checkpoint.bench.LoadBenchmark load "$DIR"
