package io.zerorl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.zerorl.model.Policy;
import io.zerorl.model.RoutingStats;
import io.zerorl.tensor.LogProbs;
import io.zerorl.tensor.Scalars;

/**
 * Per-token log-probs of completions under a policy, as TRL's {@code _get_per_token_logps}: one forward pass
 * over prompt + completion, the hidden states of the positions that predict completion tokens (P-1 .. P+C-2),
 * logits divided by the sampling temperature, log-softmax gathered at the completion ids. Differentiable when
 * the policy's parameters require gradients and grad mode is on; arrays land in the ids' manager.
 */
public final class TokenLogProbs {
    /** Log-probs (B, C) and the logits (B, C, V) they came from (for the entropy metric). */
    public record Result(NDArray logp, NDArray logits) {}

    private TokenLogProbs() {}

    public static Result compute(Policy policy, SequenceBatch.Tensors t, double temperature, RoutingStats routing) {
        return fromHidden(policy, policy.hidden(t.ids(), t.attentionMask(), t.positionIds(), null, routing), t,
                temperature);
    }

    /** The same from the policy's final hidden states (B, T, H) of {@code t} (activation checkpointing computes them). */
    public static Result fromHidden(Policy policy, NDArray hidden, SequenceBatch.Tensors t, double temperature) {
        long c = t.completionIds().getShape().get(1);
        NDArray h = hidden.get(new NDIndex(":, {}:{}, :", t.promptWidth() - 1, t.promptWidth() - 1 + c));
        NDArray logits = policy.logits(h);
        if (temperature != 1.0) {
            NDArray scaled = logits.div(Scalars.like(logits, temperature));
            logits.close(); // vocabulary-sized, and the division's backward does not need it
            logits = scaled;
        }
        NDArray logp = LogProbs.gather(logits, t.completionIds());
        return new Result(logp, logits);
    }
}
