package io.zerorl.cli;

import io.zerorl.data.Dataset;
import io.zerorl.eval.EvalConfig;
import io.zerorl.eval.EvalDuringTraining;
import io.zerorl.eval.Evaluator;
import io.zerorl.eval.PolicyGenerator;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.run.MetricNames;
import io.zerorl.run.RunLayout;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.train.GrpoTrainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The recipe's {@code eval:} section wired into a trainer: the CLI does it because {@code train} may not import
 * {@code eval} (docs/ARCHITECTURE.md). {@link #prepare} reads and checks the benchmark files before the model is loaded;
 * {@link #attach} then evaluates the live policy through the trainer's eval hook.
 */
final class TrainEval {
    private TrainEval() {}

    /** Benchmarks loaded for a run: null when {@code eval.every} is 0. */
    record Prepared(EvalConfig config, List<Dataset> datasets) {}

    /** The section as an {@link EvalConfig} (training defaults filled in), or null when evaluation is off. */
    static EvalConfig config(Recipe r) {
        if (!r.eval().enabled()) {
            return null;
        }
        return r.eval().evalConfig(r.data().template(), r.rollout().maxNewTokens(), r.seed(),
                r.data().dataDir() == null ? null : Path.of(r.data().dataDir()), RunLayout.of(Path.of(r.outputDir())).eval());
    }

    /** Loads and checks every benchmark file now (before any model loads); null when evaluation is off. */
    static Prepared prepare(Recipe r) {
        EvalConfig c = config(r);
        return c == null ? null : new Prepared(c, Evaluator.load(c));
    }

    /**
     * Hooks evaluation into {@code trainer}: every {@code eval.every} steps, and before step 1 when
     * {@code eval.at_start}; {@code log} gets the baseline's line (steps' eval metrics go to the step listener with
     * the step's own). Returns what to close after training, or null when {@code prepared} is null.
     */
    static EvalDuringTraining attach(GrpoTrainer trainer, Recipe r, Prepared prepared, Consumer<String> log) {
        return attach(trainer.policy(), trainer.tokenizer(), trainer::withEvalHook, r, prepared, log);
    }

    /** The same for any trainer that takes a {@link GrpoTrainer.EvalHook} (distillation's SFT). */
    static EvalDuringTraining attach(Policy policy, Tokenizer tokenizer, Consumer<GrpoTrainer.EvalHook> install, Recipe r,
                                     Prepared prepared, Consumer<String> log) {
        if (prepared == null) {
            return null;
        }
        EvalDuringTraining eval = new EvalDuringTraining(r.eval().every(), prepared.config(), prepared.datasets(),
                new PolicyGenerator(policy, tokenizer, "training policy"));
        boolean atStart = r.eval().atStart();
        install.accept((step, p) -> {
            if (step > 0) {
                return eval.maybeEvaluate(step);
            }
            if (!atStart) {
                return Map.of();
            }
            Map<String, Double> m = eval.evaluate(0);
            log.accept("step 0  (before training)" + summary(m));
            return m;
        });
        return eval;
    }

    /**
     * {@code "  eval/gsm8k/pass@1 0.1250 ..."}: each benchmark's pass@k and maj@k (maj@1 left out: one sample's vote
     * is that sample, so it repeats pass@1), or "" when there are none.
     */
    static String summary(Map<String, ?> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> {
            boolean shown = k.contains("/pass@") || k.contains("/maj@") && !k.endsWith("/maj@1");
            if (k.startsWith(MetricNames.EVAL_PREFIX) && shown && !k.endsWith("_stderr") && v instanceof Number num) {
                sb.append(String.format(Locale.ROOT, "  %s %.4f", k, num.doubleValue()));
            }
        });
        return sb.toString();
    }
}
