package io.zerorl.optim;

import io.zerorl.util.Registry;
import io.zerorl.util.ZerorlException;

/**
 * Learning rate as a pure function of the number of optimizer steps already taken (0 for the first step), as
 * Hugging Face's {@code get_constant_schedule_with_warmup} / {@code get_cosine_with_min_lr_schedule_with_warmup}
 * (which TRL and verl use): linear warmup from 0 over {@code warmupSteps}, then constant or a half cosine down to
 * {@code minLrRatio * peakLr} at {@code totalSteps} (held there after).
 *
 * @param decay a name in {@link #decays()}: constant, cosine
 */
public record LrSchedule(double peakLr, int warmupSteps, long totalSteps, String decay, double minLrRatio) {
    /** Multiplier after warmup as a function of progress in [0, 1] and the min ratio. */
    @FunctionalInterface
    public interface Decay {
        double factor(double progress, double minRatio);
    }

    private static final Registry<Decay> DECAYS = new Registry<Decay>("lr schedule")
            .register("constant", (p, min) -> 1)
            .register("cosine", (p, min) -> min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * p)));

    public LrSchedule {
        if (!(peakLr >= 0) || warmupSteps < 0 || totalSteps < 1 || !(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw new ZerorlException("lr schedule needs lr >= 0, warmup_steps >= 0, total_steps >= 1 and"
                    + " min_lr_ratio in [0, 1]; got " + peakLr + ", " + warmupSteps + ", " + totalSteps + ", " + minLrRatio);
        }
        DECAYS.get(decay);
    }

    public static Registry<Decay> decays() {
        return DECAYS;
    }

    public double lr(long step) {
        if (step < warmupSteps) {
            return peakLr * step / Math.max(1, warmupSteps);
        }
        double progress = Math.min(1, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        return peakLr * DECAYS.get(decay).factor(progress, minLrRatio);
    }
}
