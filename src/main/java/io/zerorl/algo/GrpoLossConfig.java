package io.zerorl.algo;

import io.zerorl.util.InvalidSetting;

/**
 * Settings of the GRPO objective, from rewards to loss (names follow TRL {@code GRPOConfig}): how group rewards become
 * advantages, and the clipped policy loss with its KL term and aggregation. It is the recipe's {@code algo:} section,
 * validated on construction; {@link GrpoLoss} reads the loss settings, the trainer the advantage ones.
 *
 * @param advantageEstimator an {@link Advantages} name: grpo, rloo
 * @param scaleRewards a {@link ScaleRewards} name: group, batch, none
 * @param lossType a {@link LossAggregations} name: grpo, bnpo, dr_grpo, dapo
 * @param epsilonLow lower clip range: ratios below 1 - epsilonLow stop pulling when A < 0
 * @param epsilonHigh upper clip range (DAPO clip-higher uses 0.28): ratios above 1 + epsilonHigh stop pushing when A > 0
 * @param beta KL coefficient; 0 skips the reference model entirely (TRL's default since DAPO/Dr. GRPO)
 * @param klEstimator a {@link KlEstimators} name: k1, k2, k3, low_var_kl
 * @param policyLoss a {@link PolicyLosses} name: vanilla
 */
public record GrpoLossConfig(String advantageEstimator, String scaleRewards, String lossType, double epsilonLow,
                             double epsilonHigh, double beta, String klEstimator, String policyLoss) {
    public GrpoLossConfig {
        InvalidSetting.check("advantage_estimator", () -> Advantages.get(advantageEstimator));
        InvalidSetting.check("scale_rewards", () -> ScaleRewards.parse(scaleRewards));
        checkEpsilon("epsilon_low", epsilonLow);
        checkEpsilon("epsilon_high", epsilonHigh);
        InvalidSetting.require(beta >= 0 && !Double.isInfinite(beta), "beta",
                "must be a finite number >= 0, got " + beta);
        InvalidSetting.check("kl_estimator", () -> KlEstimators.get(klEstimator));
        InvalidSetting.check("loss_type", () -> LossAggregations.get(lossType));
        InvalidSetting.check("policy_loss", () -> PolicyLosses.get(policyLoss));
    }

    /** The loss settings alone, with GRPO advantages scaled by the group's std. */
    public GrpoLossConfig(double epsilonLow, double epsilonHigh, double beta, String klEstimator, String lossType,
                          String policyLoss) {
        this("grpo", "group", lossType, epsilonLow, epsilonHigh, beta, klEstimator, policyLoss);
    }

    /** TRL defaults: GRPO advantages over the group's std, epsilon 0.2 on both sides, beta 0, k3, loss type dapo. */
    public static GrpoLossConfig defaults() {
        return new GrpoLossConfig(0.2, 0.2, 0.0, "k3", "dapo", "vanilla");
    }

    public AdvantageEstimator estimator() {
        return Advantages.get(advantageEstimator);
    }

    public ScaleRewards rewardScaling() {
        return ScaleRewards.parse(scaleRewards);
    }

    public GrpoLossConfig withLossType(String type) {
        return new GrpoLossConfig(advantageEstimator, scaleRewards, type, epsilonLow, epsilonHigh, beta, klEstimator,
                policyLoss);
    }

    public GrpoLossConfig withBeta(double b) {
        return new GrpoLossConfig(advantageEstimator, scaleRewards, lossType, epsilonLow, epsilonHigh, b, klEstimator,
                policyLoss);
    }

    public GrpoLossConfig withEpsilons(double low, double high) {
        return new GrpoLossConfig(advantageEstimator, scaleRewards, lossType, low, high, beta, klEstimator, policyLoss);
    }

    public GrpoLossConfig withKlEstimator(String name) {
        return new GrpoLossConfig(advantageEstimator, scaleRewards, lossType, epsilonLow, epsilonHigh, beta, name,
                policyLoss);
    }

    private static void checkEpsilon(String name, double v) {
        InvalidSetting.require(v > 0 && v < 1, name,
                "must be in (0, 1), got " + v + " (typical: 0.2; DAPO epsilon_high 0.28)");
    }
}
