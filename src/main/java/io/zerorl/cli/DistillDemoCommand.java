package io.zerorl.cli;

import io.zerorl.train.pretrain.BaseModelCache;
import io.zerorl.train.pretrain.PretrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code zerorl distill-demo}: does distilling the quickstart's RL teacher beat GRPO on a smaller student? */
@Command(name = "distill-demo", mixinStandardHelpOptions = true,
        description = {"The distillation demonstration on the built-in task, no downloads: the quickstart's RL-trained",
            "MoE (run first, or reused from OUTPUT/teacher) teaches the smaller built-in dense model with",
            "recipes/tiny-dense/distill/from-quickstart.yaml; the student is compared on the quickstart's held-out set",
            "as pretrained, after GRPO with the quickstart's settings, and after distillation, with the time each took."},
        footer = {"", "Examples:",
            "  ./zerorl distill-demo",
            "  ./zerorl distill-demo --output runs/distill-demo-seed1 --seed 1"})
public final class DistillDemoCommand implements Callable<Integer> {
    @Option(names = "--output", description = "Folder of the runs (default: ${DEFAULT-VALUE}).")
    Path output = Path.of("runs", "distill-demo");

    @Option(names = "--cache-dir", description = "Model cache root (default: $ZERORL_CACHE, else ~/.cache/zerorl).")
    Path cacheDir;

    @Option(names = "--seed", description = "Seed of data and sampling (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--threads", description = "CPU threads for PyTorch (default: $ZERORL_THREADS, else 1).")
    Integer threads;

    @Override
    public Integer call() {
        Threads.configure(threads);
        Path root = cacheDir != null ? cacheDir : BaseModelCache.defaultRoot();
        List<DistillDemo.Row> rows = DistillDemo.run(output, root, seed, PretrainConfig.defaults(), System.out::println,
                Progress.live());
        System.out.println();
        System.out.println("| model | held-out accuracy (pass@1) | time |");
        System.out.println("|---|---|---|");
        for (DistillDemo.Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %.1f%% | %s |%n", r.what(), 100 * r.accuracy(),
                    r.seconds() > 0 ? String.format(Locale.ROOT, "%.0f s", r.seconds()) : "cached");
        }
        System.out.println("\nruns in " + output.toAbsolutePath() + " (distill-demo.json)");
        return 0;
    }
}
