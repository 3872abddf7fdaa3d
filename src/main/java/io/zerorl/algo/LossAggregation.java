package io.zerorl.algo;

import ai.djl.ndarray.NDArray;

/**
 * Reduces per-token losses (B,T) under a completion mask (B,T) to a scalar, dividing by denominators from
 * {@link LossNormalizer} (full-batch counts) so micro-batch losses add up to the full-batch loss.
 */
@FunctionalInterface
public interface LossAggregation {
    NDArray aggregate(NDArray perToken, NDArray mask, LossNormalizer normalizer);
}
