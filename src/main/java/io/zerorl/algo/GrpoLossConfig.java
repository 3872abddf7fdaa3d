package io.zerorl.algo;

import io.zerorl.util.ZerorlException;

/**
 * Settings of the GRPO objective (names follow TRL {@code GRPOConfig}), validated on construction.
 *
 * @param epsilonLow lower clip range: ratios below 1 - epsilonLow stop pulling when A < 0
 * @param epsilonHigh upper clip range (DAPO clip-higher uses 0.28): ratios above 1 + epsilonHigh stop pushing when A > 0
 * @param beta KL coefficient; 0 skips the reference model entirely (TRL's default since DAPO/Dr. GRPO)
 * @param klEstimator a {@link KlEstimators} name: k1, k2, k3, low_var_kl
 * @param lossType a {@link LossAggregations} name: grpo, bnpo, dr_grpo, dapo
 * @param policyLoss a {@link PolicyLosses} name: vanilla
 */
public record GrpoLossConfig(double epsilonLow, double epsilonHigh, double beta, String klEstimator,
                             String lossType, String policyLoss) {
    public GrpoLossConfig {
        checkEpsilon("epsilon_low", epsilonLow);
        checkEpsilon("epsilon_high", epsilonHigh);
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new ZerorlException("beta must be a finite number >= 0, got " + beta);
        }
        KlEstimators.get(klEstimator);
        LossAggregations.get(lossType);
        PolicyLosses.get(policyLoss);
    }

    /** TRL defaults: epsilon 0.2 on both sides, beta 0, k3, loss type dapo, clipped ratio loss. */
    public static GrpoLossConfig defaults() {
        return new GrpoLossConfig(0.2, 0.2, 0.0, "k3", "dapo", "vanilla");
    }

    public GrpoLossConfig withLossType(String type) {
        return new GrpoLossConfig(epsilonLow, epsilonHigh, beta, klEstimator, type, policyLoss);
    }

    public GrpoLossConfig withBeta(double b) {
        return new GrpoLossConfig(epsilonLow, epsilonHigh, b, klEstimator, lossType, policyLoss);
    }

    public GrpoLossConfig withEpsilons(double low, double high) {
        return new GrpoLossConfig(low, high, beta, klEstimator, lossType, policyLoss);
    }

    public GrpoLossConfig withKlEstimator(String name) {
        return new GrpoLossConfig(epsilonLow, epsilonHigh, beta, name, lossType, policyLoss);
    }

    private static void checkEpsilon(String name, double v) {
        if (!(v > 0 && v < 1)) {
            throw new ZerorlException(name + " must be in (0, 1), got " + v + " (typical: 0.2; DAPO epsilon_high 0.28)");
        }
    }
}
