package io.zerorl.algo;

import ai.djl.ndarray.NDArray;

/**
 * Per-token policy-gradient loss, before the KL term and aggregation.
 * logp, oldLogp (B,T); advantages (B,1) or (B,T), broadcast over tokens -> (B,T).
 */
@FunctionalInterface
public interface PolicyLoss {
    NDArray perToken(NDArray logp, NDArray oldLogp, NDArray advantages, GrpoLossConfig config);
}
