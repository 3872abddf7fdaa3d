package io.zerorl.algo;

import ai.djl.ndarray.NDArray;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.Registry;

/**
 * KL estimators by name, after Schulman's "Approximating KL divergence" and verl {@code kl_penalty}:
 * k1 = logp - ref; k2 = 0.5 (logp - ref)^2; k3 = exp(ref - logp) - (ref - logp) - 1 (unbiased, >= 0; used by
 * GRPO/TRL); low_var_kl = k3 clamped to [-10, 10] (verl).
 */
public final class KlEstimators {
    private static final Registry<KlEstimator> REGISTRY = new Registry<KlEstimator>("KL estimator")
            .register("k1", (lp, ref) -> lp.sub(ref))
            .register("k2", (lp, ref) -> lp.sub(ref).square().mul(Scalars.like(lp, 0.5)))
            .register("k3", KlEstimators::k3)
            .register("low_var_kl", (lp, ref) -> k3(lp, ref).minimum(Scalars.like(lp, 10)).maximum(Scalars.like(lp, -10)));

    private KlEstimators() {}

    public static KlEstimator get(String name) {
        return REGISTRY.get(name);
    }

    public static void register(String name, KlEstimator estimator) {
        REGISTRY.register(name, estimator);
    }

    public static Registry<KlEstimator> registry() {
        return REGISTRY;
    }

    static NDArray k3(NDArray lp, NDArray ref) {
        NDArray d = ref.sub(lp);
        return d.exp().sub(d).sub(Scalars.like(lp, 1));
    }
}
