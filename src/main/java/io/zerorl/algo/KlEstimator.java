package io.zerorl.algo;

import ai.djl.ndarray.NDArray;

/** Per-token estimate of KL(policy || reference) from log-probs: logp, refLogp (B,T) -> (B,T). */
@FunctionalInterface
public interface KlEstimator {
    NDArray compute(NDArray logp, NDArray refLogp);
}
