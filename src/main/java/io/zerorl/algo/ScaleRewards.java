package io.zerorl.algo;

import io.zerorl.util.ZerorlException;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which standard deviation divides group-centred rewards (TRL {@code GRPOConfig.scale_rewards}):
 * the group's (GRPO), the whole batch's (Liu et al. 2025 / TRL "batch"), or none (Dr. GRPO).
 */
public enum ScaleRewards {
    GROUP, BATCH, NONE;

    public static ScaleRewards parse(String name) {
        for (ScaleRewards s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new ZerorlException("Unknown scale_rewards '" + name + "'; valid: "
                + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList());
    }
}
