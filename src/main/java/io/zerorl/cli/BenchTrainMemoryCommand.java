package io.zerorl.cli;

import io.zerorl.recipe.RecipeLoader;
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
 * Flat RSS after warm-up means no NDArray leaks (DJL frees native memory only on close, DJL-NOTES hazard 6).
 * <pre>
 *   mvn -q package -DskipTests && java -Dai.djl.offline=true -cp "target/classes:target/lib/*" io.zerorl.cli.Main \
 *       bench-train-memory --steps 200
 * </pre>
 */
@Command(name = "bench-train-memory", hidden = true, description = "Print RSS per GRPO step (leak check).")
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
        double[] first = {-1};
        GrpoTrainer.run(RecipeLoader.load(recipe, o), false, (step, m) -> {
            double rss = Memory.rssMb();
            if (step == 10) {
                first[0] = rss;
            }
            System.out.printf("step %d rss_mb %.1f heap_mb %.1f reward %.3f%n", step, rss, Memory.heapMb(),
                    (Double) m.get("reward"));
        });
        System.out.printf("rss growth from step 10 to %d: %.1f MiB%n", steps, Memory.rssMb() - first[0]);
        return 0;
    }
}
