package io.zerorl.eval;

import io.zerorl.data.Dataset;
import io.zerorl.util.ZerorlException;

import java.util.List;
import java.util.Map;

/**
 * Periodic evaluation for a training loop, kept free of any trainer type: every {@code everySteps} steps it
 * evaluates the held-out datasets with the policy as it is now (through a {@link PolicyGenerator} over the
 * live {@code Policy}) and returns the metrics to log, keyed {@code eval/<benchmark>/pass@1},
 * {@code eval/<benchmark>/pass@1_stderr}, {@code eval/<benchmark>/pass@k}, {@code eval/<benchmark>/maj@k}, ...
 * The datasets are loaded once; with {@code config.output()} set, each evaluation writes its reports to
 * {@code <output>/step_<step>/}. Use with a small {@code limit} and {@code maxNewTokens}: it runs inside training.
 * <pre>
 * try (EvalDuringTraining eval = EvalDuringTraining.load(50, cfg, new PolicyGenerator(policy, tokenizer))) {
 *     for (step ...) { ...; metrics.putAll(eval.maybeEvaluate(step)); }
 * }
 * </pre>
 */
public final class EvalDuringTraining implements AutoCloseable {
    private final int everySteps;
    private final EvalConfig config;
    private final List<Dataset> heldOut;
    private final Evaluator evaluator;
    private EvalResult last;

    /** @param heldOut datasets in memory (e.g. rows held out of the training set) */
    public EvalDuringTraining(int everySteps, EvalConfig config, List<Dataset> heldOut, CompletionSource source) {
        if (everySteps < 1) {
            throw new ZerorlException("eval every N steps needs N >= 1, got " + everySteps);
        }
        if (heldOut.isEmpty()) {
            throw new ZerorlException("no held-out dataset to evaluate on");
        }
        this.everySteps = everySteps;
        this.config = config;
        this.heldOut = List.copyOf(heldOut);
        this.evaluator = new Evaluator(source);
    }

    /** Loads the benchmarks the config names (failing now, not at the first evaluation, if a file is missing). */
    public static EvalDuringTraining load(int everySteps, EvalConfig config, CompletionSource source) {
        return new EvalDuringTraining(everySteps, config, Evaluator.load(config), source);
    }

    /** True on steps N, 2N, 3N, ... (step 0 excluded: call {@link #evaluate} for a baseline). */
    public boolean due(long step) {
        return step > 0 && step % everySteps == 0;
    }

    /** The metrics of an evaluation when {@link #due}, else an empty map. */
    public Map<String, Double> maybeEvaluate(long step) {
        return due(step) ? evaluate(step) : Map.of();
    }

    /** Evaluates now; the returned map also holds {@code eval/step}. */
    public Map<String, Double> evaluate(long step) {
        EvalConfig c = config.output() == null ? config
                : config.toBuilder().output(config.output().resolve(String.format("step_%06d", step))).build();
        last = evaluator.run(heldOut, c);
        Map<String, Double> m = new java.util.LinkedHashMap<>(last.metrics());
        m.put("eval/step", (double) step);
        return m;
    }

    /** The latest evaluation, or null before the first. */
    public EvalResult last() {
        return last;
    }

    @Override
    public void close() {
        evaluator.close();
    }
}
