package io.zerorl.algo;

import ai.djl.ndarray.NDArray;

/**
 * One (micro-)batch of completions for the loss. Shapes: B completions, T completion positions.
 *
 * @param logp policy log-probs of the sampled tokens (B,T), differentiable (the only input gradients flow to)
 * @param oldLogp log-probs at sampling time (B,T); null means on-policy (a detached copy of logp, TRL
 *     {@code num_iterations == 1}), giving ratio 1 with the right gradient
 * @param refLogp reference-policy log-probs (B,T); null allowed when beta = 0 (then no KL metric either)
 * @param advantages one per completion (B,) or per token (B,T)
 * @param mask completion mask (B,T), 1 for real completion tokens (any dtype)
 * @param logits optional policy logits (B,T,V), only for the entropy metric (read without gradient)
 */
public record LossInputs(NDArray logp, NDArray oldLogp, NDArray refLogp, NDArray advantages, NDArray mask,
                         NDArray logits) {
    public LossInputs {
        if (logp == null || advantages == null || mask == null) {
            throw new IllegalArgumentException("logp, advantages and mask are required");
        }
        if (!logp.getShape().equals(mask.getShape())) {
            throw new IllegalArgumentException("logp " + logp.getShape() + " and mask " + mask.getShape() + " differ");
        }
    }

    public static LossInputs of(NDArray logp, NDArray oldLogp, NDArray refLogp, NDArray advantages, NDArray mask) {
        return new LossInputs(logp, oldLogp, refLogp, advantages, mask, null);
    }

    public LossInputs withLogits(NDArray policyLogits) {
        return new LossInputs(logp, oldLogp, refLogp, advantages, mask, policyLogits);
    }
}
