package io.zerorl.rollout;

import io.zerorl.util.InvalidSetting;

import java.util.List;

/**
 * The rollout section of a recipe ({@code rollout:}): how training completions are sampled (TRL names), validated
 * here. The group size and the seed come from the trainer, per step: {@link #params}. Log-probs for the loss are
 * taken at the same temperature.
 *
 * @param topK        0 disables
 * @param topP        1.0 disables
 * @param minP        0.0 disables
 * @param stopStrings a completion ends once its decoded text contains one (besides the model's EOS ids)
 */
public record RolloutConfig(double temperature, double topP, int topK, double minP, int maxNewTokens,
                            List<String> stopStrings) {
    public RolloutConfig {
        InvalidSetting.require(stopStrings != null, "stop_strings", "must be a list of strings, e.g. [\"</answer>\"]");
        stopStrings = List.copyOf(stopStrings);
        InvalidSetting.require(temperature > 0, "temperature", "must be > 0, got " + temperature
                + " (training samples; evaluation can decode greedily)");
        // the sampler's own checks (fields are assigned only after this body: use the parameters)
        new SamplingParams(true, temperature, topP, topK, minP, maxNewTokens, List.of(), stopStrings, 1, 0);
    }

    /** Temperature 1, no filters, 256 new tokens. */
    public static RolloutConfig defaults() {
        return new RolloutConfig(1.0, 1.0, 0, 0.0, 256, List.of());
    }

    /** {@code n} samples per prompt, seeded by {@code seed}. */
    public SamplingParams params(int n, long seed) {
        return new SamplingParams(true, temperature, topP, topK, minP, maxNewTokens, List.of(), stopStrings, n, seed);
    }
}
