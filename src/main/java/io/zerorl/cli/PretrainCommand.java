package io.zerorl.cli;

import io.zerorl.train.pretrain.BaseModelCache;
import io.zerorl.train.pretrain.PretrainConfig;
import io.zerorl.train.pretrain.Pretrainer;
import io.zerorl.util.Files2;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code zerorl pretrain}: makes the built-in base model (next-token prediction on the synthetic corpus) and
 * caches it, or reuses the cached one for the same settings.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrain the built-in tiny MoE base model on the generated corpus (no downloads) and cache it",
            "under $ZERORL_CACHE/models (default ~/.cache/zerorl/models); a cached model with the same settings is reused."},
        footer = {"", "Examples:", "  ./zerorl pretrain", "  ./zerorl pretrain --steps 50 --output /tmp/tiny-base",
            "  ./zerorl pretrain --cache-dir /tmp/zerorl-cache --threads 2"})
public final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--steps", description = "Exactly this many optimizer steps with a cosine schedule, instead of the"
            + " default stop rule (train until the validation target is reached, then cool down).")
    Integer steps;

    @Option(names = "--seed", description = "Seed of the weights and the corpus (default: ${DEFAULT-VALUE}).")
    long seed = PretrainConfig.defaults().seed();

    @Option(names = "--log-every", description = "Print progress every N steps (default: ${DEFAULT-VALUE}).")
    int logEvery = PretrainConfig.defaults().logEvery();

    @Option(names = "--cache-dir", description = "Cache root (default: $ZERORL_CACHE, else ~/.cache/zerorl).")
    Path cacheDir;

    @Option(names = "--output", description = "Write the model to this folder instead of the cache (must not exist).")
    Path output;

    @Option(names = "--threads", description = "CPU threads for PyTorch (default: $ZERORL_THREADS, else 1; one thread"
            + " is fastest on small, shared CPUs).")
    Integer threads;

    @Override
    public Integer call() {
        Threads.configure(threads);
        PretrainConfig defaults = PretrainConfig.defaults().withSeed(seed).withLogEvery(logEvery);
        PretrainConfig cfg = steps != null ? defaults.withSteps(steps) : defaults;
        if (output != null) {
            if (Files.exists(output)) {
                throw new ZerorlException("--output " + output + " already exists; name a new folder");
            }
            Path tmp;
            try {
                Path parent = output.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                tmp = Files.createTempDirectory(parent, "." + output.getFileName() + "-");
                Pretrainer.Result r;
                try (Progress bar = bar(cfg)) {
                    r = BaseModelCache.trainInto(tmp, cfg, bar::log, p -> step(bar, p, cfg));
                }
                Files2.moveAtomically(tmp, output);
                summary(output, r);
            } catch (IOException e) {
                throw new ZerorlException("Cannot write " + output + ": " + e.getMessage(), e);
            }
            return 0;
        }
        Path root = cacheDir != null ? cacheDir : BaseModelCache.defaultRoot();
        BaseModelCache.Outcome out;
        try (Progress bar = bar(cfg)) {
            out = BaseModelCache.ensure(root, cfg, bar::log, p -> step(bar, p, cfg));
        }
        summary(out.dir(), out.result());
        return 0;
    }

    private static Progress bar(PretrainConfig cfg) {
        return Progress.open("pretrain", cfg.steps(), 0, System.out::println);
    }

    /** The bar shows the loss; plain output keeps the full progress line. */
    static void step(Progress bar, Pretrainer.Progress p, PretrainConfig cfg) {
        bar.update(p.step(), String.format(Locale.ROOT, "loss %.4f", p.loss()), Pretrainer.format(p, cfg.steps()));
        if (p.validation() != null && bar.isLive()) {
            bar.log("step " + p.step() + ": " + Pretrainer.describe(p.validation()));
        }
    }

    private static void summary(Path dir, Pretrainer.Result r) {
        if (r != null) {
            System.out.printf(Locale.ROOT, "pretrained %d steps, %d tokens in %.1f s; final loss %.4f%n",
                    r.steps(), r.tokens(), r.seconds(), r.meanLoss(true, 25));
        }
        System.out.println(dir.toAbsolutePath());
    }
}
