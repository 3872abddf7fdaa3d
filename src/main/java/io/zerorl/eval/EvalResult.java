package io.zerorl.eval;

import io.zerorl.util.ZerorlException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Evaluator#run}: the settings that produced it and, per benchmark, the metrics and every
 * problem's samples. {@link #metrics()} flattens it for a training log.
 */
public record EvalResult(Map<String, Object> settings, List<BenchmarkResult> benchmarks) {
    public EvalResult {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        benchmarks = List.copyOf(benchmarks);
    }

    /** One sample as scored: its text, the voting key (null = no answer), the verifier's score and details. */
    public record SampleRecord(String text, String answer, Double score, boolean correct, int tokens,
                               String finishReason, Map<String, Object> details) {}

    /** One problem: the rendered prompt, the gold answer, and its n samples in sample order. */
    public record ProblemRecord(String id, String prompt, String gold, List<SampleRecord> samples) {
        public int correct() {
            return (int) samples.stream().filter(SampleRecord::correct).count();
        }
    }

    /**
     * One benchmark's metrics (means over problems with standard errors).
     *
     * @param passAtK  unbiased pass@k for every configured k
     * @param majAtK   maj@k for every configured k
     * @param unscored samples whose verifier said "not applicable" (the row lacks what it needs); counted wrong
     * @param seconds  wall time of generation and scoring
     */
    public record BenchmarkResult(String benchmark, String template, String reward, int n, List<Integer> ks,
                                  Metrics.Estimate passAt1, Map<Integer, Metrics.Estimate> passAtK,
                                  Map<Integer, Metrics.Estimate> majAtK, int unscored, double seconds,
                                  List<ProblemRecord> problems) {
        public int problemCount() {
            return problems.size();
        }

        /** {@code <prefix><benchmark>/pass@1}, {@code .../pass@1_stderr}, {@code .../pass@k}, {@code .../maj@k}, ... */
        public Map<String, Double> metrics(String prefix) {
            Map<String, Double> m = new LinkedHashMap<>();
            String p = prefix + benchmark + "/";
            m.put(p + "pass@1", passAt1.mean());
            m.put(p + "pass@1_stderr", passAt1.stderr());
            passAtK.forEach((k, e) -> {
                if (k != 1) {
                    m.put(p + "pass@" + k, e.mean());
                    m.put(p + "pass@" + k + "_stderr", e.stderr());
                }
            });
            majAtK.forEach((k, e) -> {
                m.put(p + "maj@" + k, e.mean());
                m.put(p + "maj@" + k + "_stderr", e.stderr());
            });
            m.put(p + "problems", (double) problems.size());
            m.put(p + "seconds", seconds);
            return m;
        }
    }

    public BenchmarkResult benchmark(String name) {
        return benchmarks.stream().filter(b -> b.benchmark().equals(name)).findFirst()
                .orElseThrow(() -> new ZerorlException("no result for benchmark '" + name + "'"));
    }

    /** Every benchmark's metrics under {@code eval/<benchmark>/...}. */
    public Map<String, Double> metrics() {
        return metrics("eval/");
    }

    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        benchmarks.forEach(b -> m.putAll(b.metrics(prefix)));
        return m;
    }
}
