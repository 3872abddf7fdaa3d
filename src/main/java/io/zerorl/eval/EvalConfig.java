package io.zerorl.eval;

import io.zerorl.rollout.SamplingParams;
import io.zerorl.util.ZerorlException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What to evaluate and how. Validated on construction (k > n, bad sampling settings fail here, before any
 * data is read or a model is loaded).
 *
 * @param benchmarks    dataset names (built-in descriptors, those in {@code descriptorDir}) or paths to descriptor YAML files
 * @param n             samples per problem; pass@1 is their mean correctness
 * @param ks            the k of pass@k and maj@k, each in 1..n
 * @param template      prompt template ({@code r1}, {@code chat}, {@code plain}), or null for each descriptor's default
 * @param temperature   0 means greedy decoding
 * @param limit         evaluate only the first {@code limit} problems of each benchmark; 0 = all
 * @param batchSize     prompts per generation call (each with its n samples); part of what a seed reproduces
 * @param dataDir       where benchmark files are, or null for ./datasets then ~/.cache/zerorl/datasets
 * @param descriptorDir extra dataset descriptors (*.yaml), or null
 * @param output        folder for problems.jsonl / summary.json / summary.md, or null to write nothing
 * @param rewardOptions per reward name, options replacing the defaults (e.g. {@code code: {timeout_ms: 20000}})
 */
public record EvalConfig(List<String> benchmarks, int n, List<Integer> ks, String template, double temperature,
                         double topP, int topK, int maxNewTokens, long seed, int limit, int batchSize, Path dataDir,
                         Path descriptorDir, Path output, Map<String, Map<String, Object>> rewardOptions) {
    public EvalConfig {
        benchmarks = List.copyOf(benchmarks);
        if (benchmarks.isEmpty()) {
            throw new ZerorlException("no benchmark given; name at least one (e.g. gsm8k, math500, humaneval)");
        }
        if (n < 1) {
            throw new ZerorlException("n (samples per problem) must be >= 1, got " + n);
        }
        if (ks == null || ks.isEmpty()) {
            ks = List.of(1);
        }
        for (int k : ks) {
            if (k < 1) {
                throw new ZerorlException("k must be >= 1, got " + k);
            }
            if (k > n) {
                throw new ZerorlException("pass@" + k + " and maj@" + k + " need at least " + k
                        + " samples per problem, but n = " + n + "; raise n to " + k + " or drop k = " + k);
            }
        }
        ks = List.copyOf(new TreeSet<>(ks));
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new ZerorlException("temperature must be >= 0 (0 = greedy), got " + temperature);
        }
        if (limit < 0) {
            throw new ZerorlException("limit must be >= 0 (0 = all problems), got " + limit);
        }
        if (batchSize < 1) {
            throw new ZerorlException("batch size must be >= 1, got " + batchSize);
        }
        rewardOptions = rewardOptions == null ? Map.of() : Map.copyOf(rewardOptions);
        sampling(temperature, topP, topK, maxNewTokens, n, seed); // validates top-p, top-k, max new tokens
    }

    /** Defaults: n 1, k {1}, descriptor's template, temperature 0.6, top-p 0.95, 1024 new tokens, seed 0, all problems. */
    public static Builder builder(String... benchmarks) {
        return new Builder(List.of(benchmarks));
    }

    /** Sampling settings for one generation call (the evaluator varies the seed per batch). */
    public SamplingParams sampling() {
        return sampling(temperature, topP, topK, maxNewTokens, n, seed);
    }

    private static SamplingParams sampling(double temperature, double topP, int topK, int maxNewTokens, int n, long seed) {
        return temperature == 0 ? SamplingParams.greedy(maxNewTokens).withN(n)
                : SamplingParams.sample(temperature, maxNewTokens, n, seed).withTopP(topP).withTopK(topK);
    }

    public int maxK() {
        return ks.get(ks.size() - 1);
    }

    public Builder toBuilder() {
        Builder b = new Builder(benchmarks);
        b.n = n;
        b.ks = ks;
        b.template = template;
        b.temperature = temperature;
        b.topP = topP;
        b.topK = topK;
        b.maxNewTokens = maxNewTokens;
        b.seed = seed;
        b.limit = limit;
        b.batchSize = batchSize;
        b.dataDir = dataDir;
        b.descriptorDir = descriptorDir;
        b.output = output;
        b.rewardOptions = rewardOptions;
        return b;
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private List<String> benchmarks;
        private int n = 1;
        private List<Integer> ks = List.of(1);
        private String template;
        private double temperature = 0.6;
        private double topP = 0.95;
        private int topK;
        private int maxNewTokens = 1024;
        private long seed;
        private int limit;
        private int batchSize = 16;
        private Path dataDir;
        private Path descriptorDir;
        private Path output;
        private Map<String, Map<String, Object>> rewardOptions = Map.of();

        private Builder(List<String> benchmarks) {
            this.benchmarks = new ArrayList<>(benchmarks);
        }

        public Builder benchmarks(List<String> v) { benchmarks = new ArrayList<>(v); return this; }
        public Builder n(int v) { n = v; return this; }
        public Builder ks(List<Integer> v) { ks = v; return this; }
        public Builder ks(Integer... v) { ks = List.of(v); return this; }
        public Builder template(String v) { template = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder maxNewTokens(int v) { maxNewTokens = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder limit(int v) { limit = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder descriptorDir(Path v) { descriptorDir = v; return this; }
        public Builder output(Path v) { output = v; return this; }
        public Builder rewardOptions(Map<String, Map<String, Object>> v) { rewardOptions = v; return this; }

        public EvalConfig build() {
            return new EvalConfig(benchmarks, n, ks, template, temperature, topP, topK, maxNewTokens, seed, limit,
                    batchSize, dataDir, descriptorDir, output, rewardOptions);
        }
    }
}
