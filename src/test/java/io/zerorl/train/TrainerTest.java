package io.zerorl.train;

import io.zerorl.TestPaths;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TrainerTest {
    @TempDir
    Path tmp;

    static Recipe toy(Path out, String... extra) {
        List<String> o = new ArrayList<>(List.of("model.path=" + TestPaths.fixture("qwen2-tiny"), "output_dir=" + out));
        o.addAll(List.of(extra));
        return RecipeLoader.load(Path.of("recipes/qwen2-tiny/grpo/toy.yaml"), o);
    }

    @Test
    void toyRewardRisesOver50Steps() {
        long t0 = System.nanoTime();
        TrainResult r = GrpoTrainer.run(toy(tmp.resolve("run")));
        List<Double> rew = r.history().stream().map(m -> ((Number) m.get("reward")).doubleValue()).toList();
        System.out.println("rewards " + rew + " in " + (System.nanoTime() - t0) / 1e9 + " s");
        double first = rew.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = rew.subList(40, 50).stream().mapToDouble(d -> d).average().orElseThrow();
        assertThat(last).isGreaterThan(first + 0.15);
        assertThat(r.refModelBuilt()).isFalse();
    }

    /** float16 parameters with fp32 master weights and dynamic loss scaling (meant for the GPU; runs on CPU too). */
    @Test
    void float16StepsUseMasterWeightsAndLossScaling() {
        TrainResult r = GrpoTrainer.run(toy(tmp.resolve("fp16"), "train.steps=3", "train.precision=float16",
                "train.loss_scale_init=1024", "export.at_end=true", "export.dtype=fp32"));
        assertThat(r.history()).hasSize(3);
        for (Map<String, Object> m : r.history()) {
            assertThat((Double) m.get("loss_scale")).isEqualTo(1024.0);
            assertThat((Double) m.get("grad_norm")).isFinite().isPositive();
            assertThat((Double) m.get("skipped_step")).isEqualTo(0.0);
        }
        assertThat(r.exportDir().resolve("model.safetensors")).exists();
    }
}
