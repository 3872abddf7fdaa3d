package io.zerorl.algo;

import ai.djl.ndarray.NDArray;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.Registry;

/** Policy losses by name (verl {@code register_policy_loss}); {@code vanilla} is the PPO/GRPO clipped ratio loss. */
public final class PolicyLosses {
    private static final Registry<PolicyLoss> REGISTRY = new Registry<PolicyLoss>("policy loss")
            .register("vanilla", PolicyLosses::clipped);

    private PolicyLosses() {}

    public static PolicyLoss get(String name) {
        return REGISTRY.get(name);
    }

    public static void register(String name, PolicyLoss loss) {
        REGISTRY.register(name, loss);
    }

    public static Registry<PolicyLoss> registry() {
        return REGISTRY;
    }

    /**
     * -min(r A, clip(r, 1 - eps_low, 1 + eps_high) A) with r = exp(logp - old_logp) (PPO, Schulman et al. 2017;
     * separate bounds are DAPO's clip-higher, Yu et al. 2025; verl {@code compute_policy_loss_vanilla}).
     */
    static NDArray clipped(NDArray logp, NDArray oldLogp, NDArray adv, GrpoLossConfig c) {
        NDArray ratio = logp.sub(oldLogp).exp();
        NDArray clippedRatio = ratio.maximum(Scalars.like(logp, 1 - c.epsilonLow()))
                .minimum(Scalars.like(logp, 1 + c.epsilonHigh()));
        return ratio.mul(adv).minimum(clippedRatio.mul(adv)).neg();
    }
}
