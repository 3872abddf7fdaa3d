package io.zerorl.algo;

import ai.djl.ndarray.NDArray;

/**
 * Denominators of the loss aggregations, counted over the WHOLE optimizer batch (all micro-batches), so that
 * summing the losses of micro-batches aggregated with the same normalizer gives the full-batch loss, and
 * accumulating their gradients gives the full-batch gradient (TRL's {@code num_items_in_batch} for dapo).
 *
 * @param numSequences completions in the whole batch (grpo divides the sum of per-sequence means by it)
 * @param numTokens completion tokens (mask ones) in the whole batch (bnpo, dapo)
 * @param maxCompletionLength the configured max completion length (dr_grpo divides by
 *     numSequences * maxCompletionLength; use the config value, as TRL, not a micro-batch's padded width)
 */
public record LossNormalizer(long numSequences, long numTokens, int maxCompletionLength) {
    public LossNormalizer {
        if (numSequences < 1 || numTokens < 0 || maxCompletionLength < 1) {
            throw new IllegalArgumentException("invalid normalizer " + numSequences + "/" + numTokens + "/"
                    + maxCompletionLength);
        }
    }

    /** From a full-batch completion mask (B,T); max completion length = T. */
    public static LossNormalizer of(NDArray fullMask) {
        return of(fullMask, (int) fullMask.getShape().get(1));
    }

    /** From a full-batch completion mask (B,T) and the configured max completion length. */
    public static LossNormalizer of(NDArray fullMask, int maxCompletionLength) {
        long tokens = Math.round(fullMask.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).sum().getDouble());
        return new LossNormalizer(fullMask.getShape().get(0), tokens, maxCompletionLength);
    }

    /** Token count clamped to 1 (an all-masked batch gives a zero loss rather than NaN, as TRL's clamp(min=1)). */
    public double tokens() {
        return Math.max(1, numTokens);
    }
}
