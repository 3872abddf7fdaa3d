package io.zerorl.optim;

import io.zerorl.util.InvalidSetting;

/**
 * The optimizer section of a recipe ({@code optim:}): AdamW, gradient clipping and the learning-rate schedule,
 * validated here, where the settings are defined. Names follow TRL / Hugging Face {@code TrainingArguments}
 * ({@code adam_beta1} is {@code beta1} here).
 *
 * @param lr          peak learning rate
 * @param warmupSteps linear warmup from 0 over this many optimizer steps
 * @param schedule    decay after warmup, a name in {@link LrSchedule#decays()}: constant, cosine
 * @param minLrRatio  cosine ends at {@code minLrRatio * lr}
 * @param maxGradNorm global-norm clipping; 0 disables it
 */
public record OptimConfig(double lr, int warmupSteps, String schedule, double minLrRatio, double beta1, double beta2,
                          double eps, double weightDecay, double maxGradNorm) {
    public OptimConfig {
        InvalidSetting.require(lr >= 0, "lr", "must be >= 0, got " + lr);
        InvalidSetting.require(warmupSteps >= 0, "warmup_steps", "must be >= 0, got " + warmupSteps);
        InvalidSetting.check("schedule", () -> LrSchedule.decays().get(schedule));
        InvalidSetting.require(minLrRatio >= 0 && minLrRatio <= 1, "min_lr_ratio", "must be in [0, 1], got " + minLrRatio);
        InvalidSetting.require(maxGradNorm >= 0, "max_grad_norm", "must be >= 0 (0 = no clipping), got " + maxGradNorm);
        adamChecks(beta1, beta2, eps, weightDecay);
    }

    /** The recipe defaults (TRL's GRPOConfig where it has them, scaled for small models). */
    public static OptimConfig defaults() {
        return new OptimConfig(1e-6, 0, "constant", 0.0, 0.9, 0.99, 1e-8, 0.0, 1.0);
    }

    /** AdamW's own settings. */
    public AdamW.Config adam() {
        return new AdamW.Config(beta1, beta2, eps, weightDecay);
    }

    /** The schedule over a run of {@code totalSteps} optimizer steps. */
    public LrSchedule schedule(long totalSteps) {
        return new LrSchedule(lr, warmupSteps, totalSteps, schedule, minLrRatio);
    }

    static void adamChecks(double beta1, double beta2, double eps, double weightDecay) {
        InvalidSetting.require(beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1) (Adam's betas), got " + beta1);
        InvalidSetting.require(beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1) (Adam's betas), got " + beta2);
        InvalidSetting.require(eps > 0, "eps", "must be > 0, got " + eps);
        InvalidSetting.require(weightDecay >= 0, "weight_decay", "must be >= 0, got " + weightDecay);
    }
}
