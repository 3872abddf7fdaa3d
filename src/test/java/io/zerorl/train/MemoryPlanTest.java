package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.zerorl.TestPaths;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architectures;
import io.zerorl.model.KvCache;
import io.zerorl.model.LoraAdapters;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The memory plan: its parts against what a loaded model really holds, its advice, and the trainer's refusal. */
class MemoryPlanTest {
    @TempDir
    Path tmp;

    static final long GB = 1_000_000_000L;

    static Map<String, Long> parts(MemoryPlan p) {
        return p.items().stream().collect(Collectors.toMap(MemoryPlan.Item::what, MemoryPlan.Item::bytes));
    }

    static long numel(Map<String, NDArray> params) {
        return params.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Test
    void weightsGradientsAndOptimizerStateAreWhatALoadedModelHolds() {
        for (String model : List.of("qwen2-tiny", "qwen3moe-tiny", "deepseekv3-tiny")) {
            Path dir = TestPaths.fixture(model);
            ModelConfig c = Architectures.parse(HfConfig.read(dir));
            Recipe full = TrainerFeaturesTest.recipe(model, tmp, "algo.beta=0.04");
            Recipe lora = TrainerFeaturesTest.recipe(model, tmp, "algo.beta=0.04", "lora.r=4", "lora.alpha=8");
            try (Policy policy = Policy.load(dir, Device.cpu(), DataType.FLOAT32)) {
                long n = numel(policy.parameters());
                // DeepSeek-V3's correction bias is held but never trained
                long trainable = numel(policy.trainableParameters(false));
                Map<String, Long> f = parts(MemoryPlan.of(full, c, 20, 100 * GB, "test"));
                assertThat(f.get("weights")).as(model).isEqualTo(4 * n);
                assertThat(f.get("gradients")).as(model).isEqualTo(4 * trainable);
                assertThat(f.get("AdamW moments")).as(model).isEqualTo(8 * trainable);
                assertThat(f.get("reference model")).as(model).isEqualTo(4 * n);
                try (LoraAdapters a = LoraAdapters.init(policy, lora.lora(), 1)) {
                    long trained = numel(a.parameters());
                    Map<String, Long> l = parts(MemoryPlan.of(lora, c, 20, 100 * GB, "test"));
                    assertThat(l.get("weights")).as(model).isEqualTo(4 * n);
                    assertThat(l.get("gradients")).as(model).isEqualTo(4 * trained);
                    assertThat(l.get("AdamW moments")).as(model).isEqualTo(8 * trained);
                    // LoRA's reference is the base with the adapters off: no second model
                    assertThat(l).as(model).doesNotContainKey("reference model");
                }
            }
        }
    }

    @Test
    void theKvCacheItemIsWhatTheRolloutCacheAllocates() {
        Path dir = TestPaths.fixture("deepseekv3-tiny");
        ModelConfig c = Architectures.parse(HfConfig.read(dir));
        Recipe r = TrainerFeaturesTest.recipe("deepseekv3-tiny", tmp, "train.prompts_per_step=3", "train.group_size=4",
                "rollout.max_new_tokens=11");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu());
             KvCache cache = new KvCache(m, c, 12, 9 + 11, DataType.FLOAT32)) {
            long allocated = cache.manager().getManagedArrays().stream()
                    .mapToLong(a -> ((NDArray) a).getShape().size() * 4).sum();
            assertThat(parts(MemoryPlan.of(r, c, 9, 100 * GB, "test")).get("rollout KV cache")).isEqualTo(allocated);
        }
    }

    @Test
    void checkpointingHalfPrecisionAndLoraEachShrinkTheirPartOfA7bPlan() {
        ModelConfig c = Architectures.parse(HfConfig.read(Path.of("recipes/qwen2.5-7b")));
        Recipe r = RecipeLoader.load(Path.of("recipes/qwen2.5-7b/grpo/r1-zero-lora.yaml"), List.of());
        // 7.6B parameters (the model card's figure), held in float16 as the recipe says
        long params = parts(MemoryPlan.of(r, c, 256, 80 * GB, "test")).get("weights") / 2;
        assertThat(params).isBetween(7_600_000_000L, 7_700_000_000L);
        MemoryPlan full = MemoryPlan.of(RecipeLoader.withOverrides(r, List.of("lora.r=0",
                "train.activation_checkpointing=false")), c, 256, 80 * GB, "test");
        MemoryPlan lora = MemoryPlan.of(RecipeLoader.withOverrides(r, List.of("train.activation_checkpointing=false")),
                c, 256, 80 * GB, "test");
        assertThat(full.fits()).isFalse();
        // LoRA drops 16 B per base parameter (fp16 gradient 2, fp32 master 4, AdamW 8, fp16 reference 2) and adds 14 B
        // per adapter parameter (no reference)
        long adapter = parts(lora).get("gradients") / 2;
        assertThat(adapter).isLessThan(params / 90);
        assertThat(lora.totalBytes()).isEqualTo(full.totalBytes() - 16 * params + 14 * adapter);
        Map<String, Long> ckpt = parts(MemoryPlan.of(r, c, 256, 80 * GB, "test"));
        assertThat(ckpt.get("layer inputs (checkpointing)") + ckpt.get("activations of one layer"))
                .isLessThan(parts(lora).get("activations") / 4);
        Map<String, Long> fp32 = parts(MemoryPlan.of(RecipeLoader.withOverrides(r, List.of("train.precision=float32")),
                c, 256, 80 * GB, "test"));
        assertThat(fp32.get("weights")).isEqualTo(params * 4);
        assertThat(fp32).doesNotContainKey("fp32 master weights");
        assertThat(parts(lora).get("fp32 master weights")).isEqualTo(parts(lora).get("gradients") * 2);
    }

    @Test
    void adviceNamesSettingsThatFitAndEveryOneOfThemDoes() {
        ModelConfig c = Architectures.parse(HfConfig.read(Path.of("recipes/qwen2.5-7b")));
        Recipe r = RecipeLoader.withOverrides(RecipeLoader.load(Path.of("recipes/qwen2.5-7b/grpo/r1-zero-lora.yaml"),
                List.of()), List.of("lora.r=0", "train.activation_checkpointing=false", "algo.beta=0.04"));
        long device = 80 * GB;
        assertThat(MemoryPlan.of(r, c, 256, device, "test").fits()).isFalse();
        List<String> fixes = MemoryPlan.advice(r, c, 256, device, true);
        assertThat(fixes).isNotEmpty().anyMatch(f -> f.contains("--set lora.r=16"));
        for (String fix : fixes) {
            List<String> sets = Stream.of(fix.replaceAll("\\s+\\(.*", "").split("\\s*--set\\s+"))
                    .filter(s -> !s.isBlank()).toList();
            assertThat(MemoryPlan.of(RecipeLoader.withOverrides(r, sets), c, 256, device, "test").fits()).as(fix)
                    .isTrue();
        }
        // nothing tried fits a 7B model in 1 GB
        assertThat(MemoryPlan.advice(r, c, 256, GB, true)).isEmpty();
    }

    @Test
    void theTrainerRefusesARecipeTooLargeForTheDeviceBeforeReadingAnyWeight() throws IOException {
        // a model folder without weights: a trainer that read them would fail on the missing file instead
        Path model = tmp.resolve("no-weights");
        Files.createDirectories(model);
        try (Stream<Path> s = Files.list(TestPaths.fixture("qwen2-tiny"))) {
            for (Path f : s.filter(p -> !p.getFileName().toString().contains("safetensors")).toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, model.resolve(f.getFileName()));
                }
            }
        }
        Recipe tooSmall = RecipeLoader.load(Path.of("recipes/qwen2-tiny/grpo/toy.yaml"), List.of("model.path=" + model,
                "output_dir=" + tmp.resolve("run"), "model.memory_gb=0.05"));
        assertThatThrownBy(() -> new GrpoTrainer(tooSmall, false).close())
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("this recipe needs about")
                .hasMessageContaining("0.05 GB")
                .hasMessageContaining("rollout KV cache");
        assertThat(tmp.resolve("run")).doesNotExist();
        Recipe enough = RecipeLoader.withOverrides(tooSmall, List.of("model.memory_gb=100"));
        assertThatThrownBy(() -> new GrpoTrainer(enough, false).close()).isInstanceOf(ZerorlException.class)
                .hasMessageNotContaining("this recipe needs about");
    }

    /**
     * Each shipped recipe whose model has a published config.json beside it (recipes/MODEL/config.json) fits the
     * memory_gb it names, and its header's "`zerorl plan` (prompts up to N tokens): X GB" is what the plan says.
     */
    @Test
    void shippedRecipesFitTheirMemoryAndStateTheirPlan() throws IOException {
        java.util.regex.Pattern header = java.util.regex.Pattern.compile(
                "`zerorl plan` \\(prompts up to ([\\d,]+) tokens[^)]*\\):\\s*(?:#\\s*)?([\\d.]+) GB");
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("recipes"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        int checked = 0;
        for (Path f : files) {
            Path config = f.getParent().getParent().resolve("config.json");
            if (!Files.isRegularFile(config)) {
                continue;
            }
            Recipe r = RecipeLoader.load(f, List.of());
            java.util.regex.Matcher m = header.matcher(Files.readString(f));
            assertThat(m.find()).as(f + " states its `zerorl plan` figure").isTrue();
            assertThat(r.model().memoryGb()).as(f + " names model.memory_gb").isPositive();
            int prompt = Integer.parseInt(m.group(1).replace(",", ""));
            ModelConfig c = Architectures.parse(HfConfig.read(config));
            MemoryPlan plan = MemoryPlan.of(r, c, prompt, (long) (r.model().memoryGb() * 1e9), "model.memory_gb");
            assertThat(plan.fits()).as(f + "\n" + plan.table()).isTrue();
            assertThat(String.format(java.util.Locale.ROOT, "%.1f", plan.totalBytes() / 1e9))
                    .as(f + "\n" + plan.table()).isEqualTo(m.group(2));
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
    }
}
