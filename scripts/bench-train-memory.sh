#!/usr/bin/env bash
# Leak check: 200 GRPO steps of the toy recipe; prints RSS, heap and live NDArrays per step, then the RSS
# slope over the second half. The heap is fixed and pre-touched so only native growth shows in RSS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ZERORL_JAVA_OPTS="-Xms128m -Xmx128m -XX:+AlwaysPreTouch" ./zerorl bench-train-memory --steps "${1:-200}"
