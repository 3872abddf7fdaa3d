package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.data.DatasetRow;
import io.zerorl.data.synth.SumTask;
import io.zerorl.eval.EvalConfig;
import io.zerorl.eval.EvalResult;
import io.zerorl.eval.PolicyGenerator;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.report.RunReport;
import io.zerorl.run.MetricNames;
import io.zerorl.run.RunLayout;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.train.GrpoTrainer;
import io.zerorl.train.TrainResult;
import io.zerorl.train.pretrain.BaseModel;
import io.zerorl.train.pretrain.BaseModelCache;
import io.zerorl.train.pretrain.PretrainConfig;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * R1-Zero in one call: make sure the built-in base model exists (pretraining it when the cache has none),
 * measure held-out accuracy, run GRPO with accuracy + format rewards, measure again, export the R1-style
 * checkpoint and write the report. The CLI's {@code quickstart} command, notebooks and tests call
 * {@link #run}.
 */
public final class Quickstart {
    /** Where the recipe lives, relative to the project root. */
    public static final String RECIPE = "recipes/tiny-moe/grpo/quickstart.yaml";
    private static final String ACCURACY = MetricNames.rewardMean("math_accuracy");
    private static final String FORMAT = MetricNames.rewardMean("format");

    /**
     * @param recipe     the GRPO recipe (its model and data paths are filled in here)
     * @param overrides  {@code key=value} recipe overrides
     * @param cacheRoot  model cache root
     * @param output     run directory
     * @param trainRows  generated training problems
     * @param evalRows   held-out problems evaluated before and after
     * @param evalSamples samples per held-out problem (pass@1 is their mean)
     */
    public record Options(Path recipe, List<String> overrides, Path cacheRoot, Path output, int trainRows, int evalRows,
                          int evalSamples, double evalTemperature, long seed, PretrainConfig pretrain,
                          BaseModel.Variant base) {
        /** The quickstart's own base model, the built-in MoE. */
        public Options(Path recipe, List<String> overrides, Path cacheRoot, Path output, int trainRows, int evalRows,
                       int evalSamples, double evalTemperature, long seed, PretrainConfig pretrain) {
            this(recipe, overrides, cacheRoot, output, trainRows, evalRows, evalSamples, evalTemperature, seed, pretrain,
                    BaseModel.Variant.MOE);
        }
    }

    /**
     * What a run measured.
     *
     * @param pretrainStoppedAt the step at which the base model's pretraining reached its validation target, -1 when
     *                          it did not within the most steps, null without a stop rule
     */
    public record Result(Path runDir, Path baseModel, boolean pretrained, Integer pretrainStoppedAt,
                         double accuracyBefore, double accuracyAfter, double formatBefore, double formatAfter, Path export,
                         Path report, Map<String, Double> seconds) {
        public double gainPoints() {
            return 100 * (accuracyAfter - accuracyBefore);
        }
    }

    private Quickstart() {}

    /** Runs with plain log lines (tests, notebooks). */
    public static Result run(Options o, Consumer<String> log) {
        return run(o, log, false);
    }

    /**
     * @param live progress bars for the pretraining, evaluation and GRPO phases instead of their progress lines
     *             (the CLI on a terminal); the other lines go to {@code log} either way
     */
    public static Result run(Options o, Consumer<String> log, boolean live) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        // Everything that can be wrong with the input is checked before minutes of pretraining.
        Path baseDir = BaseModelCache.dir(o.cacheRoot(), o.pretrain(), o.base());
        RunLayout run = RunLayout.of(o.output().toAbsolutePath());
        Path data = run.data();
        List<String> overrides = new ArrayList<>();
        overrides.add("model.path=" + baseDir.toAbsolutePath());
        overrides.add("data.path=" + data.resolve("train.jsonl"));
        overrides.add("output_dir=" + run.dir());
        overrides.add("seed=" + o.seed());
        overrides.addAll(o.overrides());
        Recipe recipe = RecipeLoader.load(o.recipe(), overrides);
        if (!recipe.export().atEnd()) {
            throw new ZerorlException("the quickstart recipe must export at the end (export.at_end: true)");
        }
        SumTask task = SumTask.defaults();
        List<DatasetRow> trainRows = task.rows(SumTask.Split.TRAIN, o.trainRows(), o.seed());
        var heldOut = task.dataset(SumTask.Split.HELD_OUT, o.evalRows(), o.seed() + 1);

        long t0 = System.nanoTime();
        BaseModelCache.Outcome base;
        try (Progress bar = Progress.open("pretrain", o.pretrain().steps(), 0, log, live)) {
            base = BaseModelCache.ensure(o.cacheRoot(), o.pretrain(), bar::log, p -> PretrainCommand.step(bar, p, o.pretrain()),
                    o.base());
        }
        seconds.put("pretrain", secs(t0));
        Integer stoppedAt = BaseModelCache.stoppedAt(base.dir());
        if (stoppedAt != null && stoppedAt < 0) {
            log.accept("warning: the base model did not reach its validation target within " + o.pretrain().steps()
                    + " pretraining steps (the answer-copying skill has not formed), so GRPO may gain little; another"
                    + " --pretrain-seed pretrains another base model (docs/QUICKSTART-CORPUS.md)");
        }
        writeRows(data.resolve("train.jsonl"), trainRows);

        EvalConfig evalCfg = EvalConfig.builder(SumTask.NAME).n(o.evalSamples()).ks(1).template("chat")
                .temperature(o.evalTemperature()).maxNewTokens(recipe.rollout().maxNewTokens()).seed(o.seed())
                .batchSize(64).build();

        t0 = System.nanoTime();
        EvalResult before;
        try (Policy policy = Policy.load(base.dir(), Device.cpu(), DataType.FLOAT32);
             Tokenizer tok = Tokenizer.load(base.dir())) {
            before = EvalCommand.evaluate(new PolicyGenerator(policy, tok, "base"), List.of(heldOut), evalCfg, "eval base",
                    null, live);
        }
        seconds.put("eval_before", secs(t0));
        double accBefore = before.benchmarks().get(0).passAt1().mean();
        log.accept(String.format(Locale.ROOT, "held-out accuracy before RL: %.1f%% (pass@1, %d problems x %d samples, T=%.1f)",
                100 * accBefore, o.evalRows(), o.evalSamples(), o.evalTemperature()));

        t0 = System.nanoTime();
        TrainResult trained;
        try (GrpoTrainer trainer = new GrpoTrainer(recipe, false);
             Progress bar = Progress.open("grpo", recipe.train().steps(), trainer.step(), log, live)) {
            trained = trainer.train((step, m) -> bar.update(step,
                    String.format(Locale.ROOT, "reward %.3f accuracy %.3f", Metrics.num(m, MetricNames.REWARD),
                            Metrics.num(m, ACCURACY)),
                    step % 5 != 0 && step != 1 ? null
                            : String.format(Locale.ROOT, "step %d/%d reward %.3f accuracy %.3f format %.3f length %.1f",
                                    step, recipe.train().steps(), Metrics.num(m, MetricNames.REWARD), Metrics.num(m, ACCURACY),
                                    Metrics.num(m, FORMAT), Metrics.num(m, MetricNames.MEAN_LENGTH))));
        }
        seconds.put("grpo", secs(t0));

        t0 = System.nanoTime();
        EvalResult after;
        Path export = trained.exportDir();
        try (Policy policy = Policy.load(export, Device.cpu(), DataType.FLOAT32);
             Tokenizer tok = Tokenizer.load(export)) {
            after = EvalCommand.evaluate(new PolicyGenerator(policy, tok, "grpo"), List.of(heldOut), evalCfg, "eval grpo",
                    null, live);
        }
        seconds.put("eval_after", secs(t0));
        double accAfter = after.benchmarks().get(0).passAt1().mean();
        log.accept(String.format(Locale.ROOT, "held-out accuracy after RL: %.1f%% (before %.1f%%, %+.1f points)",
                100 * accAfter, 100 * accBefore, 100 * (accAfter - accBefore)));

        double fmtBefore = formatRate(before);
        double fmtAfter = formatRate(after);
        writeEval(run.evalBefore(), accBefore, fmtBefore, before);
        writeEval(run.evalAfter(), accAfter, fmtAfter, after);
        RunReport.Result report = RunReport.write(run.dir(), run.report(), 3);
        Result r = new Result(run.dir(), base.dir(), !base.cached(), stoppedAt, accBefore, accAfter, fmtBefore, fmtAfter,
                export, report.html(), seconds);
        Json.write(run.quickstart(), r, true);
        return r;
    }

    /** The held-out set of these options and its evaluation settings (what {@link #run} measures before and after). */
    static EvalResult heldOut(Options o, int maxNewTokens, Path model, String label, boolean live) {
        var heldOut = SumTask.defaults().dataset(SumTask.Split.HELD_OUT, o.evalRows(), o.seed() + 1);
        EvalConfig evalCfg = EvalConfig.builder(SumTask.NAME).n(o.evalSamples()).ks(1).template("chat")
                .temperature(o.evalTemperature()).maxNewTokens(maxNewTokens).seed(o.seed()).batchSize(64).build();
        try (Policy policy = Policy.load(model, Device.cpu(), DataType.FLOAT32); Tokenizer tok = Tokenizer.load(model)) {
            return EvalCommand.evaluate(new PolicyGenerator(policy, tok, label), List.of(heldOut), evalCfg, "eval " + label,
                    null, live);
        }
    }

    /** Share of held-out samples written in the R1 answer format (an extracted answer inside answer tags). */
    private static double formatRate(EvalResult r) {
        long total = 0;
        long ok = 0;
        for (EvalResult.ProblemRecord p : r.benchmarks().get(0).problems()) {
            for (EvalResult.SampleRecord s : p.samples()) {
                total++;
                ok += s.text().contains("<answer>") && s.text().contains("</answer>") ? 1 : 0;
            }
        }
        return total == 0 ? 0 : ok / (double) total;
    }

    private static void writeEval(Path file, double acc, double fmt, EvalResult r) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode b = root.putObject(SumTask.NAME);
        b.put("pass@1", acc);
        b.put("answer_format", fmt);
        r.metrics().forEach((k, v) -> {
            if (v != null && !k.endsWith("pass@1")) {
                b.put(k.substring(k.lastIndexOf('/') + 1), v);
            }
        });
        Json.write(file, root, true);
    }

    private static void writeRows(Path file, List<DatasetRow> rows) {
        StringBuilder sb = new StringBuilder();
        for (DatasetRow row : rows) {
            try {
                sb.append(Json.MAPPER.writeValueAsString(row.fields())).append('\n');
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        Files2.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }


    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
