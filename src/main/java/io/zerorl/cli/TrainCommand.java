package io.zerorl.cli;

import io.zerorl.eval.EvalDuringTraining;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.recipe.RecipeValidator;
import io.zerorl.run.MetricNames;
import io.zerorl.train.GrpoTrainer;
import io.zerorl.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code zerorl train RECIPE [--set k=v ...] [--resume]}. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "GRPO training from a recipe (recipes/<model>/grpo/<variant>.yaml).",
        footer = {"", "Writes the run directory (output_dir): metrics.jsonl, samples.jsonl, checkpoints/, export/.",
            "", "Examples:",
            "  ./zerorl train recipes/qwen2-tiny/grpo/toy.yaml",
            "  ./zerorl train recipes/qwen3moe-tiny/grpo/r1-zero-tiny.yaml",
            "  # 10 more steps, from the newest checkpoint in runs/qwen3moe-tiny-r1-zero/checkpoints",
            "  ./zerorl train recipes/qwen3moe-tiny/grpo/r1-zero-tiny.yaml --set train.steps=20 --resume"})
public final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RECIPE", description = "Recipe YAML file.")
    Path recipe;

    @Option(names = "--set", description = "Override a recipe key, e.g. --set train.group_size=8 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue from the newest checkpoint in the run's output_dir.")
    boolean resume;

    @Option(names = "--threads", description = "PyTorch CPU threads (default: $ZERORL_THREADS, else 1). The device and"
            + " precision are the recipe's model.device and train.precision.")
    Integer threads;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() {
        Threads.configure(threads);
        List<String> all = new ArrayList<>(overrides);
        if (cluster.enabled()) {
            all.add("cluster.master=" + cluster.master);
        }
        if (cluster.chunkPrompts != null) {
            all.add("cluster.chunk_prompts=" + cluster.chunkPrompts);
        }
        cluster.confMap().forEach((k, v) -> all.add("cluster.conf." + k + "=" + v));
        Recipe r = RecipeLoader.load(recipe, all);
        RecipeValidator.validate(r);
        TrainEval.Prepared evalData = TrainEval.prepare(r); // benchmark files read and checked before the model loads
        TrainResult res;
        try (GrpoTrainer trainer = new GrpoTrainer(r, resume);
             Progress bar = Progress.open("train", r.train().steps(), trainer.step(), System.out::println);
             EvalDuringTraining eval = TrainEval.attach(trainer, r, evalData, bar::log)) {
            res = trainer.train((step, m) -> {
                String evalSummary = TrainEval.summary(m);
                bar.update(step, String.format(Locale.ROOT, "reward %.3f loss %.4f", Metrics.num(m, MetricNames.REWARD),
                        Metrics.num(m, MetricNames.LOSS)), line(step, m) + evalSummary);
                if (bar.isLive() && !evalSummary.isEmpty()) {
                    bar.log("step " + step + " " + evalSummary.strip());
                }
            });
        }
        System.out.println("run directory: " + res.runDir());
        if (res.exportDir() != null) {
            System.out.println("export: " + res.exportDir());
        }
        return 0;
    }

    private static String line(int step, Map<String, Object> m) {
        return String.format(Locale.ROOT, "step %d  reward %.4f  loss %.5f  grad_norm %.4f  kl %s  len %.1f  (%.1fs gen, %.1fs train)",
                step, Metrics.num(m, MetricNames.REWARD), Metrics.num(m, MetricNames.LOSS), Metrics.num(m, MetricNames.GRAD_NORM), m.get(MetricNames.KL),
                Metrics.num(m, MetricNames.MEAN_LENGTH), Metrics.num(m, MetricNames.GENERATE_S), Metrics.num(m, MetricNames.TRAIN_S));
    }
}
