package io.zerorl.cli;

import io.zerorl.eval.EvalResult;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.run.RunLayout;
import io.zerorl.train.DistillTraces;
import io.zerorl.train.SftTrainer;
import io.zerorl.train.pretrain.BaseModel;
import io.zerorl.train.pretrain.PretrainConfig;
import io.zerorl.util.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The distillation demonstration on the built-in task: the quickstart's RL-trained MoE teaches the built-in dense model,
 * and the student is compared on the quickstart's held-out set, same seed, three ways: as pretrained, after GRPO with
 * the quickstart's own recipe, and after distillation. A teacher already trained in {@code <output>/teacher} is reused.
 */
final class DistillDemo {
    static final String RECIPE = "recipes/tiny-dense/distill/from-quickstart.yaml";

    /** One row of the comparison. */
    record Row(String what, double accuracy, double seconds) {}

    private DistillDemo() {}

    static List<Row> run(Path output, Path cacheRoot, long seed, PretrainConfig pretrain, Consumer<String> log,
                         boolean live) {
        Path teacherRun = output.resolve("teacher");
        Quickstart.Options teacherOpts = options(teacherRun, cacheRoot, seed, pretrain, BaseModel.Variant.MOE);
        double teacherSeconds = 0;
        Path teacherExport = teacherRun.resolve(RunLayout.EXPORT);
        double teacherAcc;
        if (Files.isRegularFile(teacherRun.resolve(RunLayout.QUICKSTART)) && Files.isDirectory(teacherExport)) {
            teacherAcc = Json.readTree(teacherRun.resolve(RunLayout.QUICKSTART)).get("accuracyAfter").asDouble();
            log.accept("teacher: the quickstart run in " + teacherRun + " (held-out accuracy "
                    + String.format(Locale.ROOT, "%.1f%%", 100 * teacherAcc) + ")");
        } else {
            log.accept("teacher: running the quickstart (the built-in MoE, pretrained, then GRPO) into " + teacherRun);
            long t0 = System.nanoTime();
            Quickstart.Result t = Quickstart.run(teacherOpts, log, live);
            teacherSeconds = (System.nanoTime() - t0) / 1e9;
            teacherAcc = t.accuracyAfter();
            teacherExport = t.export();
        }

        // the student, as pretrained and after GRPO with the quickstart's recipe (the quickstart itself, dense base)
        log.accept("student: the built-in dense model, pretrained, then GRPO with the quickstart's settings");
        Quickstart.Options studentOpts = options(output.resolve("student-grpo"), cacheRoot, seed, pretrain,
                BaseModel.Variant.DENSE);
        Quickstart.Result s = Quickstart.run(studentOpts, log, live);

        // the student after distillation from the teacher's verified traces
        long t0 = System.nanoTime();
        Recipe r = RecipeLoader.load(Path.of(RECIPE), List.of("model.path=" + s.baseModel().toAbsolutePath(),
                "distill.teacher=" + teacherExport.toAbsolutePath(),
                "data.path=" + teacherRun.toAbsolutePath().resolve(RunLayout.DATA).resolve("train.jsonl"),
                "output_dir=" + output.resolve("student-distill").toAbsolutePath(), "seed=" + seed));
        DistillTraces.Result traces = DistillTraces.run(r, log);
        double traceSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        Path export;
        try (SftTrainer sft = new SftTrainer(r, traces.traces(), false, log)) {
            Map<String, Object> last = sft.train(log);
            export = sft.export(last);
        }
        double sftSeconds = (System.nanoTime() - t1) / 1e9;
        EvalResult distilled = Quickstart.heldOut(studentOpts, r.rollout().maxNewTokens(), export, "distilled", live);
        double distilledAcc = distilled.benchmarks().get(0).passAt1().mean();

        List<Row> rows = List.of(
                new Row("teacher: built-in MoE after GRPO (quickstart)", teacherAcc, teacherSeconds),
                new Row("student: built-in dense, pretrained", s.accuracyBefore(), s.seconds().getOrDefault("pretrain", 0.0)),
                new Row("student after GRPO (quickstart settings)", s.accuracyAfter(), s.seconds().getOrDefault("grpo", 0.0)),
                new Row(String.format(Locale.ROOT, "student after distillation (%d traces kept of %d)", traces.kept(),
                        traces.sampled()), distilledAcc, traceSeconds + sftSeconds));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", rows);
        out.put("traces_seconds", traceSeconds);
        out.put("sft_seconds", sftSeconds);
        out.put("student_grpo_seconds", s.seconds());
        Json.write(output.resolve("distill-demo.json"), out, true);
        return rows;
    }

    private static Quickstart.Options options(Path out, Path cacheRoot, long seed, PretrainConfig pretrain,
                                              BaseModel.Variant v) {
        return new Quickstart.Options(Path.of(Quickstart.RECIPE), List.of(), cacheRoot, out, 1000, 100, 4, 1.0, seed,
                pretrain, v);
    }
}
