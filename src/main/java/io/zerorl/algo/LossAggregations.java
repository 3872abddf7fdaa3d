package io.zerorl.algo;

import ai.djl.ndarray.NDArray;
import io.zerorl.tensor.Masked;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.Registry;

/**
 * Loss aggregation by name (TRL {@code GRPOConfig.loss_type}; verl {@code agg_loss} modes in brackets):
 * <ul>
 *   <li>{@code grpo} [seq-mean-token-mean]: mean over each sequence's tokens, then sum / numSequences
 *       (Shao et al. 2024; biased towards short answers per Dr. GRPO).
 *   <li>{@code bnpo} [token-mean]: sum over all completion tokens / numTokens.
 *   <li>{@code dr_grpo} [seq-mean-token-sum-norm]: sum / (numSequences * maxCompletionLength) (Liu et al. 2025).
 *   <li>{@code dapo} [token-mean]: sum / numTokens of the whole batch (Yu et al. 2025).
 * </ul>
 * bnpo and dapo coincide here because both take the token count of the whole optimizer batch; in TRL, bnpo
 * counts the tokens of the local micro-batch, which makes the accumulated gradient depend on how the batch is
 * split. We use the full-batch count for both so that micro-batching never changes the update.
 */
public final class LossAggregations {
    private static final Registry<LossAggregation> REGISTRY = new Registry<LossAggregation>("loss type")
            .register("grpo", LossAggregations::sequenceMean)
            .register("bnpo", LossAggregations::tokenMean)
            .register("dr_grpo", LossAggregations::constantNorm)
            .register("dapo", LossAggregations::tokenMean);

    private LossAggregations() {}

    public static LossAggregation get(String name) {
        return REGISTRY.get(name);
    }

    public static void register(String name, LossAggregation aggregation) {
        REGISTRY.register(name, aggregation);
    }

    public static Registry<LossAggregation> registry() {
        return REGISTRY;
    }

    static NDArray sequenceMean(NDArray perToken, NDArray mask, LossNormalizer n) {
        return Masked.mean(perToken, mask, 1).sum().mul(Scalars.like(perToken, 1.0 / n.numSequences()));
    }

    static NDArray tokenMean(NDArray perToken, NDArray mask, LossNormalizer n) {
        return Masked.sum(perToken, mask).mul(Scalars.like(perToken, 1.0 / n.tokens()));
    }

    static NDArray constantNorm(NDArray perToken, NDArray mask, LossNormalizer n) {
        return Masked.sum(perToken, mask)
                .mul(Scalars.like(perToken, 1.0 / ((double) n.numSequences() * n.maxCompletionLength())));
    }
}
