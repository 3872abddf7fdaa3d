package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.cli.Main;
import io.zerorl.model.NoGrad;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainerFeaturesTest {
    /** Keys the reports rely on (the brief's list); kl is null when beta = 0 (no reference model). */
    static final List<String> KEYS = List.of("step", "reward", "reward_std", "rewards/toy_chars/mean",
            "rewards/toy_chars/std", "advantages/mean", "advantages/std", "advantages/min", "advantages/max", "kl",
            "entropy", "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean",
            "completions/mean_length", "completions/max_length", "completions/clipped_ratio", "frac_reward_zero_std",
            "learning_rate", "grad_norm", "loss", "tokens_per_s/rollout", "tokens_per_s/train", "time/generate_s",
            "time/score_s", "time/train_s", "memory/rss_mb", "memory/heap_mb");
    /** Metrics that measure time or memory and may differ between identical runs. */
    static final Set<String> NONDETERMINISTIC = Set.of("tokens_per_s/rollout", "tokens_per_s/train", "time/generate_s",
            "time/score_s", "time/train_s", "memory/rss_mb", "memory/heap_mb");

    @TempDir
    Path tmp;

    static Recipe recipe(String model, Path out, String... extra) {
        List<String> o = new ArrayList<>(List.of("model.path=" + TestPaths.fixture(model), "output_dir=" + out));
        o.addAll(List.of(extra));
        return RecipeLoader.load(Path.of("recipes/qwen2-tiny/grpo/toy.yaml"), o);
    }

    @Test
    void oneStepChangesEveryTrainableParameterAndBetaZeroBuildsNoReference() {
        Recipe r = recipe("qwen3moe-tiny", tmp.resolve("a"), "train.steps=1", "optim.weight_decay=0.0",
                "optim.warmup_steps=0", "rollout.max_new_tokens=12", "train.prompts_per_step=4", "train.group_size=4");
        try (GrpoTrainer t = new GrpoTrainer(r, false)) {
            assertThat(t.hasReference()).isFalse();
            Map<String, float[]> before = new HashMap<>();
            t.policy().parameters().forEach((n, p) -> before.put(n, p.toFloatArray()));
            Map<String, Object> m = t.runStep();
            assertThat(m.keySet()).containsAll(KEYS);
            List<String> unchanged = new ArrayList<>();
            t.policy().parameters().forEach((n, p) -> {
                if (java.util.Arrays.equals(before.get(n), p.toFloatArray())) {
                    unchanged.add(n);
                }
            });
            assertThat(unchanged).as("parameters not updated").isEmpty();
        }
        Recipe withKl = recipe("qwen2-tiny", tmp.resolve("b"), "algo.beta=0.04");
        try (GrpoTrainer t = new GrpoTrainer(withKl, false)) {
            assertThat(t.hasReference()).isTrue();
        }
    }

    @Test
    void killThenResumeReproducesTheUninterruptedRunAndExportReloadsIdentically() throws Exception {
        String[] common = {"train.steps=4", "checkpoint.every=2", "checkpoint.keep=1", "algo.beta=0.04",
                "train.num_iterations=2", "train.micro_batch_size=5", "export.dtype=fp32", "export.at_end=true", "optim.schedule=cosine"};
        TrainResult full = GrpoTrainer.run(recipe("qwen2-tiny", tmp.resolve("full"), common), false, null);

        Path run = tmp.resolve("killed");
        assertThatThrownBy(() -> GrpoTrainer.run(recipe("qwen2-tiny", run, common), false, (step, m) -> {
            if (step == 3) {
                throw new IllegalStateException("simulated kill after step 3");
            }
        })).hasMessageContaining("simulated kill");
        assertThat(new RunCheckpoints(run.resolve("checkpoints"), 1).list()).extracting(p -> p.getFileName().toString())
                .containsExactly("step-000002");
        TrainResult resumed = GrpoTrainer.run(recipe("qwen2-tiny", run, common), true, null);
        assertThat(resumed.history()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            Map<String, Object> a = full.history().get(2 + i);
            Map<String, Object> b = resumed.history().get(i);
            for (String k : a.keySet()) {
                if (!NONDETERMINISTIC.contains(k)) {
                    assertThat(b.get(k)).as("step %s %s", a.get("step"), k).isEqualTo(a.get(k));
                }
            }
        }
        // metrics.jsonl of the resumed run holds steps 1..4 once each, complete
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(4);
        for (int i = 0; i < 4; i++) {
            JsonNode n = Json.MAPPER.readTree(lines.get(i));
            assertThat(n.get("step").asInt()).isEqualTo(i + 1);
            for (String k : KEYS) {
                assertThat(n.has(k)).as(k).isTrue();
            }
            assertThat(n.get("kl").isNumber()).isTrue();
        }
        assertThat(Files.readAllLines(run.resolve("samples.jsonl"))).isNotEmpty()
                .allSatisfy(l -> assertThat(Json.MAPPER.readTree(l).has("total")).isTrue());
        assertThat(run.resolve("recipe.yaml")).exists();
        assertThat(new RunCheckpoints(run.resolve("checkpoints"), 1).list()).hasSize(1);

        // the export at the end reloads to exactly the trained weights (fp32): same logits as the final checkpoint
        Path export = resumed.exportDir();
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "README.md")) {
            assertThat(export.resolve(f)).exists();
        }
        assertThat(Json.readTree(export.resolve("tokenizer_config.json")).has("chat_template")).isTrue();
        assertThat(Files.readString(export.resolve("README.md"))).contains("io.zerorl.reward.text.ToyReward", "Training steps:** 4");
        assertSameLogits(resumed.lastCheckpoint(), export);
        assertSameLogits(full.exportDir(), export);
    }

    static void assertSameLogits(Path a, Path b) {
        try (Policy pa = Policy.load(a, Device.cpu(), DataType.FLOAT32); Policy pb = Policy.load(b, Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(); NoGrad ng = new NoGrad()) {
            NDArray ids = m.create(new long[] {5, 17, 200, 33, 8, 400}, new Shape(1, 6)).duplicate();
            NDArray mask = m.ones(new Shape(1, 6), DataType.INT64);
            NDArray pos = m.arange(0, 6, 1, DataType.INT64).reshape(1, 6);
            assertThat(pb.forward(ids, mask, pos).toFloatArray()).containsExactly(pa.forward(ids, mask, pos).toFloatArray());
        }
    }

    @Test
    void exportOfAFixtureKeepsNamesShapesAndConfigKeys() throws Exception {
        Path fixture = TestPaths.fixture("qwen3moe-tiny");
        for (String dtype : List.of("fp32", "bf16")) {
            Path out = tmp.resolve("export-" + dtype);
            assertThat(Main.run("export", "--checkpoint", fixture.toString(), "--output", out.toString(), "--dtype", dtype,
                    "--max-shard-bytes", "200000")).isEqualTo(0);
            assertThat(out.resolve("model.safetensors.index.json")).exists();
            try (Checkpoint src = Checkpoint.open(fixture.resolve("model.safetensors")); Checkpoint dst = Checkpoint.open(out)) {
                assertThat(new TreeSet<>(dst.names())).isEqualTo(new TreeSet<>(src.names()));
                for (String n : src.names()) {
                    assertThat(dst.info(n).shape()).as(n).isEqualTo(src.info(n).shape());
                    assertThat(dst.info(n).dtype().safetensorsName()).isEqualTo(dtype.equals("fp32") ? "F32" : "BF16");
                }
            }
            Set<String> srcKeys = new TreeSet<>();
            Json.readTree(fixture.resolve("config.json")).fieldNames().forEachRemaining(srcKeys::add);
            Set<String> dstKeys = new TreeSet<>();
            Json.readTree(out.resolve("config.json")).fieldNames().forEachRemaining(dstKeys::add);
            assertThat(dstKeys).isEqualTo(srcKeys);
        }
        assertSameLogits(fixture, tmp.resolve("export-fp32"));
    }
}
