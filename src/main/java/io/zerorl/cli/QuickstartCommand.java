package io.zerorl.cli;

import io.zerorl.train.pretrain.BaseModelCache;
import io.zerorl.train.pretrain.PretrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code zerorl quickstart}: the whole R1-Zero idea on a laptop, see {@link Quickstart}. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Pretrain the built-in MoE if it is not cached, evaluate it, train it with GRPO (accuracy + format",
            "rewards, no SFT), evaluate again, export the R1-style checkpoint and write the report."},
        footer = {"", "Examples:", "  ./zerorl quickstart",
            "  ./zerorl quickstart --output runs/qs2 --set train.steps=20 --eval-problems 50",
            "  ./zerorl quickstart --no-progress   # progress as plain lines, as in CI",
            "  ./zerorl quickstart --seed 1 --pretrain-seed 7 --output runs/qs-seeds   # other draws throughout"})
public final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--recipe", description = "GRPO recipe (default: ${DEFAULT-VALUE}).")
    Path recipe = Path.of(Quickstart.RECIPE);

    @Option(names = "--set", description = "Recipe override key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--output", description = "Run directory (default: ${DEFAULT-VALUE}).")
    Path output = Path.of("runs", "quickstart");

    @Option(names = "--cache-dir", description = "Model cache root (default: $ZERORL_CACHE, else ~/.cache/zerorl).")
    Path cacheDir;

    @Option(names = "--train-problems", description = "Generated training problems (default: ${DEFAULT-VALUE}).")
    int trainRows = 1000;

    @Option(names = "--eval-problems", description = "Held-out problems (default: ${DEFAULT-VALUE}).")
    int evalRows = 100;

    @Option(names = "--eval-samples", description = "Samples per held-out problem (default: ${DEFAULT-VALUE}).")
    int evalSamples = 4;

    @Option(names = "--eval-temperature", description = "Sampling temperature of the evaluation (default: ${DEFAULT-VALUE}).")
    double evalTemperature = 1.0;

    @Option(names = "--seed", description = "Seed of data and sampling (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--threads", description = "CPU threads for PyTorch (default: $ZERORL_THREADS, else 1).")
    Integer threads;

    @Option(names = "--pretrain-seed", description = "Seed of the base model's weights and corpus; another seed"
            + " pretrains (and caches) another base model (default: ${DEFAULT-VALUE}).")
    long pretrainSeed = PretrainConfig.defaults().seed();

    @Override
    public Integer call() {
        Threads.configure(threads);
        Path root = cacheDir != null ? cacheDir : BaseModelCache.defaultRoot();
        PretrainConfig pretrain = PretrainConfig.defaults().withSeed(pretrainSeed);
        Quickstart.Result r = Quickstart.run(new Quickstart.Options(recipe, overrides, root, output, trainRows, evalRows,
                evalSamples, evalTemperature, seed, pretrain), System.out::println, Progress.live());
        System.out.printf(Locale.ROOT, "%nheld-out accuracy: %.1f%% -> %.1f%% (%+.1f points); answer format %.0f%% -> %.0f%%%n",
                100 * r.accuracyBefore(), 100 * r.accuracyAfter(), r.gainPoints(), 100 * r.formatBefore(), 100 * r.formatAfter());
        System.out.printf(Locale.ROOT, "time: %s%n", r.seconds().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.0f s", e.getKey(), e.getValue())).toList());
        System.out.println("export: " + r.export());
        System.out.println("report: " + r.report());
        return 0;
    }
}
