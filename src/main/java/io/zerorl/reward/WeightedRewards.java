package io.zerorl.reward;

import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several rewards with weights (TRL {@code reward_funcs}/{@code reward_weights}): the total of a completion is
 * {@code sum_i w_i * r_i} where a "not applicable" score contributes 0 (TRL's nansum); each function also
 * reports its mean over the applicable scores only (NaN when none), and how many were applicable. Owns its
 * functions: {@link #close} closes them.
 */
public final class WeightedRewards implements AutoCloseable {
    /** One weighted function. */
    public record Weighted(RewardFunction function, double weight) {}

    /**
     * Scores of one batch.
     *
     * @param total        weighted sum per completion, shape (batch)
     * @param perFunction  scores per function name, each of shape (batch)
     * @param means        mean over applicable scores per function name (NaN when none applied)
     * @param applicable   count of applicable scores per function name
     */
    public record Result(double[] total, Map<String, List<Score>> perFunction, Map<String, Double> means,
                         Map<String, Integer> applicable) {}

    private final List<Weighted> functions;

    public WeightedRewards(List<Weighted> functions) {
        if (functions.isEmpty()) {
            throw new ZerorlException("At least one reward is needed; valid names: " + String.join(", ", RewardRegistry.builtins().names()));
        }
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Weighted w : functions) {
            if (seen.put(w.function().name(), true) != null) {
                throw new ZerorlException("Reward '" + w.function().name() + "' is listed twice; give each entry once");
            }
        }
        this.functions = List.copyOf(functions);
    }

    /** Builds from recipe entries; when one fails, those already built are closed. */
    public static WeightedRewards of(List<RewardSpec> specs, RewardRegistry registry) {
        List<Weighted> l = new ArrayList<>();
        boolean ok = false;
        try {
            for (RewardSpec s : specs) {
                l.add(new Weighted(registry.create(s), s.weight()));
            }
            WeightedRewards w = new WeightedRewards(l);
            ok = true;
            return w;
        } finally {
            if (!ok) {
                closeAll(l);
            }
        }
    }

    public List<Weighted> functions() {
        return functions;
    }

    public Result score(List<RewardInput> batch) {
        Map<String, List<Score>> per = new LinkedHashMap<>();
        for (Weighted w : functions) {
            List<Score> scores = w.function().score(batch);
            if (scores.size() != batch.size()) {
                throw new IllegalStateException("Reward '" + w.function().name() + "' returned " + scores.size()
                        + " scores for " + batch.size() + " completions");
            }
            per.put(w.function().name(), scores);
        }
        return combine(per, batch.size());
    }

    /**
     * The weighted total, means and counts of scores computed elsewhere (on a cluster's executors) by these functions:
     * the same arithmetic as {@link #score}.
     */
    public Result combine(Map<String, List<Score>> scores, int size) {
        double[] total = new double[size];
        Map<String, List<Score>> per = new LinkedHashMap<>();
        Map<String, Double> means = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Weighted w : functions) {
            String name = w.function().name();
            List<Score> list = scores.get(name);
            if (list == null || list.size() != size) {
                throw new IllegalStateException("Reward '" + name + "' has " + (list == null ? "no" : list.size())
                        + " scores for " + size + " completions");
            }
            double sum = 0;
            int n = 0;
            for (int i = 0; i < list.size(); i++) {
                Score s = list.get(i);
                if (s.applicable()) {
                    total[i] += w.weight() * s.value();
                    sum += s.value();
                    n++;
                }
            }
            per.put(name, list);
            means.put(name, n == 0 ? Double.NaN : sum / n);
            counts.put(name, n);
        }
        return new Result(total, per, means, counts);
    }

    /** Closes every function (each is closed even when another fails). */
    @Override
    public void close() {
        closeAll(functions);
    }

    private static void closeAll(List<Weighted> functions) {
        RuntimeException first = null;
        for (Weighted w : functions) {
            try {
                w.function().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
