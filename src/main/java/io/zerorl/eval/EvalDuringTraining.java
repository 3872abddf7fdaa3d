package io.zerorl.eval;

import io.zerorl.data.Dataset;
import io.zerorl.data.PromptTemplates;
import io.zerorl.util.InvalidSetting;
import io.zerorl.util.ZerorlException;

import java.nio.file.Path;
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
    /**
     * The recipe's {@code eval:} section, validated here: every {@code every} steps the policy as it is then answers
     * the first {@code limit} problems of each benchmark; {@code eval/<benchmark>/pass@1} (and pass@k, maj@k,
     * standard errors) are logged with that step's metrics. Runs inside the training loop, so keep {@code limit} and
     * {@code max_new_tokens} small. Which benchmark names exist and whether their files are there is checked with the
     * whole recipe (it knows {@code data.data_dir}).
     *
     * @param every        evaluate after steps N, 2N, ... (0 = off, {@code at_start} included)
     * @param atStart      also evaluate before the first step (logged as step 0), a baseline; not on --resume
     * @param benchmarks   registered dataset names (gsm8k, math500, aime24, amc23, humaneval, mbpp, mbpp_sanitized,
     *                     countdown) or descriptor files {@code path/to/name.yaml}
     * @param limit        problems per benchmark at each evaluation (>= 1)
     * @param n            samples per problem; pass@1 is their mean correctness
     * @param ks           the k of pass@k and maj@k, each in 1..n
     * @param temperature  0 = greedy
     * @param topP         nucleus sampling when temperature &gt; 0
     * @param maxNewTokens completion limit; null = the training rollouts' limit
     * @param template     prompt template r1, plain or chat; null = the training data's template
     * @param batchSize    prompts per generation call
     * @param saveReports  write each evaluation's problems.jsonl and summaries to {@code <run>/eval/step_NNNNNN/}
     */
    public record Config(int every, boolean atStart, List<String> benchmarks, int limit, int n, List<Integer> ks,
                         double temperature, double topP, Integer maxNewTokens, String template, int batchSize,
                         boolean saveReports) {
        public Config {
            InvalidSetting.require(every >= 0, "every", "must be >= 0 (evaluate every N steps; 0 = off), got " + every);
            InvalidSetting.require(limit >= 1, "limit", "must be >= 1 (problems per benchmark at each evaluation;"
                    + " evaluation runs inside training, so keep it small, e.g. 64), got " + limit);
            InvalidSetting.require(n >= 1, "n", "(samples per problem) must be >= 1, got " + n);
            InvalidSetting.require(ks != null && !ks.isEmpty(), "ks", "must list the k of pass@k, e.g. [1]");
            for (Integer k : ks) {
                InvalidSetting.require(k != null && k >= 1 && k <= n, "ks", "must each be in 1..eval.n (pass@k and"
                        + " maj@k need k samples per problem), got k = " + k + " with n = " + n
                        + "; raise eval.n or drop that k");
            }
            InvalidSetting.require(temperature >= 0 && Double.isFinite(temperature), "temperature",
                    "must be >= 0 (0 = greedy), got " + temperature);
            InvalidSetting.require(topP > 0 && topP <= 1, "top_p", "must be in (0, 1], got " + topP);
            InvalidSetting.require(maxNewTokens == null || maxNewTokens >= 1, "max_new_tokens",
                    "must be >= 1 (or unset for rollout.max_new_tokens), got " + maxNewTokens);
            InvalidSetting.require(batchSize >= 1, "batch_size", "must be >= 1, got " + batchSize);
            InvalidSetting.require(template == null || PromptTemplates.names().contains(template), "template",
                    "must be one of " + String.join(", ", PromptTemplates.names()) + " (or unset for data.template),"
                            + " got '" + template + "'");
            InvalidSetting.require(benchmarks != null, "benchmarks", "must be a list of benchmark names, e.g. [gsm8k]");
            for (String b : benchmarks) {
                InvalidSetting.require(b != null && !b.isBlank(), "benchmarks", "holds an empty name");
            }
            InvalidSetting.require(every == 0 || !benchmarks.isEmpty(), "benchmarks", "must name at least one"
                    + " benchmark when eval.every > 0, e.g. [gsm8k]");
            benchmarks = List.copyOf(benchmarks);
            ks = List.copyOf(ks);
        }

        /** Off; when turned on: 64 problems, one greedy sample each, batches of 16, reports saved. */
        public static Config defaults() {
            return new Config(0, false, List.of(), 64, 1, List.of(1), 0.0, 0.95, null, null, 16, true);
        }

        public boolean enabled() {
            return every > 0;
        }

        /**
         * The evaluator's settings for one run.
         *
         * @param trainingTemplate     used when {@code template} is unset
         * @param trainingMaxNewTokens used when {@code max_new_tokens} is unset
         * @param reportsDir           where each evaluation's reports go (used when {@code save_reports})
         */
        public EvalConfig evalConfig(String trainingTemplate, int trainingMaxNewTokens, long seed, Path dataDir,
                                     Path reportsDir) {
            return EvalConfig.builder().benchmarks(benchmarks).n(n).ks(ks)
                    .template(template != null ? template : trainingTemplate)
                    .temperature(temperature).topP(topP)
                    .maxNewTokens(maxNewTokens != null ? maxNewTokens : trainingMaxNewTokens)
                    .seed(seed).limit(limit).batchSize(batchSize).dataDir(dataDir)
                    .output(saveReports ? reportsDir : null)
                    .build();
        }
    }

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
