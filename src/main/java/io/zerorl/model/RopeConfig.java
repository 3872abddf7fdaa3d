package io.zerorl.model;

import io.zerorl.util.ZerorlException;

/**
 * Rotary embedding settings. {@code type} is one of {@code default}, {@code linear}, {@code llama3},
 * {@code yarn}; the other fields matter only for the types that use them (transformers
 * {@code modeling_rope_utils.py} names them the same way).
 */
public record RopeConfig(
        String type,
        double theta,
        double factor,
        double lowFreqFactor,
        double highFreqFactor,
        int originalMaxPositions,
        double betaFast,
        double betaSlow,
        double mscale,
        double mscaleAllDim,
        Double attentionFactor,
        boolean truncate,
        boolean interleave) {

    public RopeConfig {
        switch (type) {
            case "default", "linear", "llama3", "yarn" -> { }
            default -> throw new ZerorlException("Unsupported rope type '" + type
                    + "'; supported: default, linear, llama3, yarn");
        }
        if (theta <= 0) {
            throw new ZerorlException("rope_theta must be positive, got " + theta);
        }
    }

    public static RopeConfig defaults(double theta) {
        return new RopeConfig("default", theta, 1, 1, 4, 8192, 32, 1, 1, 0, null, true, false);
    }

    public RopeConfig withInterleave(boolean interleaved) {
        return new RopeConfig(type, theta, factor, lowFreqFactor, highFreqFactor, originalMaxPositions,
                betaFast, betaSlow, mscale, mscaleAllDim, attentionFactor, truncate, interleaved);
    }

    /** YaRN's attention temperature helper (DeepSeek {@code yarn_get_mscale}). */
    public static double yarnMscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }
}
