package io.zerorl.rollout;

import io.zerorl.util.InvalidSetting;

import java.util.List;

/**
 * How to sample completions. Filters apply in transformers' warper order: temperature, top-k, top-p,
 * min-p. {@code doSample == false} is greedy decoding (temperature and filters are ignored).
 *
 * @param topK         0 disables
 * @param topP         1.0 disables
 * @param minP         0.0 disables
 * @param stopTokenIds finish with reason {@code eos}; the model's EOS ids are added by the engine
 * @param stopStrings  finish with reason {@code stop} once the decoded completion contains one
 * @param n            completions per prompt (a GRPO group)
 */
public record SamplingParams(boolean doSample, double temperature, double topP, int topK, double minP,
                             int maxNewTokens, List<Integer> stopTokenIds, List<String> stopStrings,
                             int n, long seed) {
    public SamplingParams {
        stopTokenIds = List.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        InvalidSetting.require(!doSample || temperature > 0, "temperature", "must be > 0 when sampling, got "
                + temperature + "; decode greedily (doSample=false / --greedy) for deterministic output");
        InvalidSetting.require(topP > 0 && topP <= 1, "top_p", "must be in (0, 1], got " + topP);
        InvalidSetting.require(topK >= 0, "top_k", "must be >= 0 (0 disables it), got " + topK);
        InvalidSetting.require(minP >= 0 && minP < 1, "min_p", "must be in [0, 1), got " + minP);
        InvalidSetting.require(maxNewTokens >= 1, "max_new_tokens", "must be >= 1, got " + maxNewTokens);
        InvalidSetting.require(n >= 1, "n", "(samples per prompt) must be >= 1, got " + n);
        for (String s : stopStrings) {
            InvalidSetting.require(!s.isEmpty(), "stop_strings", "must not hold an empty string");
        }
    }

    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(false, 1.0, 1.0, 0, 0.0, maxNewTokens, List.of(), List.of(), 1, 0);
    }

    public static SamplingParams sample(double temperature, int maxNewTokens, int n, long seed) {
        return new SamplingParams(true, temperature, 1.0, 0, 0.0, maxNewTokens, List.of(), List.of(), n, seed);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(doSample, temperature, p, topK, minP, maxNewTokens, stopTokenIds, stopStrings, n, seed);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(doSample, temperature, topP, k, minP, maxNewTokens, stopTokenIds, stopStrings, n, seed);
    }

    public SamplingParams withMinP(double p) {
        return new SamplingParams(doSample, temperature, topP, topK, p, maxNewTokens, stopTokenIds, stopStrings, n, seed);
    }

    public SamplingParams withStops(List<Integer> ids, List<String> strings) {
        return new SamplingParams(doSample, temperature, topP, topK, minP, maxNewTokens, ids, strings, n, seed);
    }

    public SamplingParams withN(int samples) {
        return new SamplingParams(doSample, temperature, topP, topK, minP, maxNewTokens, stopTokenIds, stopStrings, samples, seed);
    }

    /** Temperature under which log-probs are reported: TRL divides logits by it; greedy uses 1. */
    public double logprobTemperature() {
        return doSample ? temperature : 1.0;
    }
}
