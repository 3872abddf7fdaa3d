package io.zerorl.cli;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.run.MetricNames;
import io.zerorl.train.GrpoTrainer;
import io.zerorl.train.Memory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Native-memory leak check: runs N GRPO steps of a recipe and prints the resident set size after each step.
 * It also counts the NDArrays alive in all of DJL's managers: a constant count means no tensor leaks (DJL frees
 * native memory only on close, docs/DJL-NOTES.md, hazard 6). Run it with a fixed, pre-touched heap so that heap pages
 * being touched for the first time do not show up as RSS growth: {@code scripts/bench-train-memory.sh}.
 */
@Command(name = "bench-train-memory", hidden = true, mixinStandardHelpOptions = true,
        description = "Print RSS per GRPO step (leak check).",
        footer = {"", "Examples:", "  ./zerorl bench-train-memory --steps 50",
            "  ./zerorl bench-train-memory --recipe recipes/qwen3moe-tiny/grpo/r1-zero-tiny.yaml \\",
            "      --steps 100 --set checkpoint.every=0"})
public final class BenchTrainMemoryCommand implements Callable<Integer> {
    @Option(names = "--recipe", defaultValue = "recipes/qwen2-tiny/grpo/toy.yaml")
    Path recipe;

    @Option(names = "--steps", defaultValue = "200")
    int steps;

    @Option(names = "--set")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> o = new ArrayList<>(List.of("train.steps=" + steps, "checkpoint.every=0", "export.at_end=false",
                "output_dir=runs/bench-train-memory"));
        o.addAll(overrides);
        double[] rss = new double[steps + 1];
        int[] arrays = new int[steps + 1];
        GrpoTrainer.run(RecipeLoader.load(recipe, o), false, (step, m) -> {
            rss[(int) step] = Memory.rssMb();
            arrays[(int) step] = liveArrays();
            System.out.printf("step %d rss_mb %.1f heap_mb %.1f live_ndarrays %d reward %.3f%n", step, rss[(int) step],
                    Memory.heapMb(), arrays[(int) step], (Double) m.get(MetricNames.REWARD));
        });
        int half = steps / 2;
        System.out.printf("rss second half (step %d -> %d): %.1f -> %.1f MiB (%+.3f MiB/step); live NDArrays %d -> %d%n",
                half, steps, rss[half], rss[steps], (rss[steps] - rss[half]) / Math.max(1, steps - half), arrays[half], arrays[steps]);
        return 0;
    }

    /** NDArrays alive in every manager (DJL tracks them per manager; the system manager is the root). */
    static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager() instanceof BaseNDManager root ? root.getManagedArrays().size() : -1;
        }
    }
}
