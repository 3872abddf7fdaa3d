package io.zerorl.cli;

import io.zerorl.TestPaths;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.train.PromptSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code zerorl plan}: the memory table, its verdict as an exit code, the advice, and clear errors. */
class PlanCommandTest {
    static final String LORA_7B = "recipes/qwen2.5-7b/grpo/r1-zero-lora.yaml";
    static final String CONFIG_7B = "recipes/qwen2.5-7b/config.json";

    @Test
    void theShipped7bLoraRecipeFitsItsEightyGigabytesAndNamesEveryPart() {
        CliRun.Result r = CliRun.run("plan", LORA_7B, "--config", CONFIG_7B, "--prompt-tokens", "384");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("7,615,616,512 parameters x 2 B", "LoRA adapters (r 32)", "rollout KV cache",
                "128 rows x 1408 tokens", "layer inputs (checkpointing)", "logits of the completions",
                "model.memory_gb: 80.00 GB (fits)").doesNotContain("reference model");
    }

    @Test
    void aPlanThatDoesNotFitExitsThreeWithSettingsThatDo() {
        CliRun.Result r = CliRun.run("plan", LORA_7B, "--config", CONFIG_7B, "--prompt-tokens", "384",
                "--set", "model.memory_gb=40");
        assertThat(r.code()).isEqualTo(PlanCommand.EXIT_DOES_NOT_FIT);
        assertThat(r.out()).contains("(does NOT fit)", "settings that fit:", "--set train.micro_batch_size=");
        // full fine-tuning of 7B on 80 GB: LoRA with checkpointing is what fits
        CliRun.Result full = CliRun.run("plan", LORA_7B, "--config", CONFIG_7B, "--prompt-tokens", "384",
                "--set", "lora.r=0", "--set", "train.activation_checkpointing=false");
        assertThat(full.code()).isEqualTo(PlanCommand.EXIT_DOES_NOT_FIT);
        assertThat(full.out()).contains("reference model", "--set lora.r=16");
        // nothing makes 7B fit in 2 GB
        CliRun.Result none = CliRun.run("plan", LORA_7B, "--config", CONFIG_7B, "--prompt-tokens", "384",
                "--set", "model.memory_gb=2");
        assertThat(none.code()).isEqualTo(PlanCommand.EXIT_DOES_NOT_FIT);
        assertThat(none.out()).contains("no setting tried makes it fit");
    }

    @Test
    void withoutPromptTokensTheRecipesPromptsAreMeasuredWithTheModelsTokenizer() {
        Path model = TestPaths.fixture("qwen2-tiny");
        CliRun.Result r = CliRun.run("plan", "recipes/qwen2-tiny/grpo/toy.yaml", "--set", "model.path=" + model);
        assertThat(r.code()).as(r.err()).isZero();
        Recipe recipe = RecipeLoader.load(Path.of("recipes/qwen2-tiny/grpo/toy.yaml"), List.of("model.path=" + model));
        int longest;
        try (Tokenizer tok = Tokenizer.load(model)) {
            longest = PromptSource.load(recipe.data(), tok, recipe.seed()).longestPrompt(tok::encode);
        }
        assertThat(longest).isGreaterThan(10);
        assertThat(r.out()).contains("longest prompt " + longest + " tokens", "(fits)");
    }

    @Test
    void missingConfigOrTokenizerAndAnUnseenGpuAreClearErrors(@TempDir Path tmp) throws Exception {
        CliRun.Result noConfig = CliRun.run("plan", LORA_7B, "--prompt-tokens", "384");
        assertThat(noConfig.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(noConfig.err()).contains("models/Qwen2.5-7B/config.json", "--config");
        // a config.json without a tokenizer beside it: the prompts cannot be measured
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        Files.copy(Path.of(CONFIG_7B), dir.resolve("config.json"));
        CliRun.Result noTokenizer = CliRun.run("plan", LORA_7B, "--set", "model.path=" + dir);
        assertThat(noTokenizer.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(noTokenizer.err()).contains("--prompt-tokens");
        // a GPU recipe on a machine without one, and no memory_gb to plan for
        CliRun.Result gpu = CliRun.run("plan", LORA_7B, "--config", CONFIG_7B, "--prompt-tokens", "384",
                "--set", "model.memory_gb=0");
        if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            assertThat(gpu.code()).isEqualTo(Main.EXIT_BAD_INPUT);
            assertThat(gpu.err()).contains("model.memory_gb");
        }
        CliRun.Result badConfig = CliRun.run("plan", LORA_7B, "--config", "recipes/qwen2.5-7b/grpo/r1-zero-lora.yaml",
                "--prompt-tokens", "384");
        assertThat(badConfig.code()).isEqualTo(Main.EXIT_BAD_INPUT);
    }
}
