#!/usr/bin/env bash
# Executes the notebooks' Java code cells in order in JShell, as a Java Jupyter kernel would, against the
# project's classes and dependencies; fails on the first rejected snippet or exception.
# Executed copies (with outputs) go to target/notebooks/; the committed .ipynb files are not touched.
#   notebooks/run.sh                      # every notebook
#   notebooks/run.sh notebooks/02-*.ipynb # some
# ZERORL_SHARED overrides where the fixtures are (default: ../shared beside the repository).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OPT_OUT_TRACKING=true
if [ $# -eq 0 ]; then
  set -- notebooks/*.ipynb
fi
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/notebooks.classpath
cp="target/classes:target/test-classes:$(cat target/notebooks.classpath)"
shared="${ZERORL_SHARED:-$(cd .. && pwd)/shared}"
exec java -cp "$cp" -Dzerorl.shared="$shared" -Dai.djl.offline=true \
  io.zerorl.notebooks.NotebookRunner --out target/notebooks "$@"
