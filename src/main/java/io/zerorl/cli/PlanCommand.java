package io.zerorl.cli;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architectures;
import io.zerorl.model.Devices;
import io.zerorl.model.ModelConfig;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.train.MemoryPlan;
import io.zerorl.train.PromptSource;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code zerorl plan RECIPE}: the memory a run will need, part by part, against the device; no weights are read. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"The memory a GRPO run of RECIPE needs, part by part (weights, gradients, optimizer state,",
            "reference model, rollout KV cache, activations), against the device's memory, and the settings that would",
            "make it fit. Reads only config.json (and the tokenizer to measure the prompts), never the weights.",
            "`zerorl train` makes the same check before loading anything."},
        footer = {"", "Exit codes: 0 the plan fits, 3 it does not, 2 bad input (recipe, config.json, tokenizer).",
            "", "Examples:",
            "  ./zerorl plan recipes/qwen2-tiny/grpo/toy.yaml",
            "  # a GPU you do not have: its memory, and a model's config.json without its weights",
            "  ./zerorl plan recipes/qwen2.5-7b/grpo/r1-zero-lora.yaml --config recipes/qwen2.5-7b/config.json \\",
            "      --prompt-tokens 384",
            "  # the same on a 40 GB GPU: what would make it fit",
            "  ./zerorl plan recipes/qwen2.5-7b/grpo/r1-zero-lora.yaml --config recipes/qwen2.5-7b/config.json \\",
            "      --prompt-tokens 384 --set model.memory_gb=40"})
public final class PlanCommand implements Callable<Integer> {
    /** The exit code when the plan does not fit (distinct from a failure, 1, and from bad input, 2). */
    public static final int EXIT_DOES_NOT_FIT = 3;

    @Parameters(index = "0", paramLabel = "RECIPE", description = "Recipe YAML file.")
    Path recipe;

    @Option(names = "--set", description = "Override a recipe key, e.g. --set lora.r=16 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--config", description = "A config.json to plan for instead of model.path's (the weights need"
            + " not be there).")
    Path config;

    @Option(names = "--prompt-tokens", description = "Longest prompt in tokens (default: measured on the recipe's data"
            + " with the model's tokenizer).")
    Integer promptTokens;

    @Override
    public Integer call() {
        Recipe r = RecipeLoader.load(recipe, overrides);
        Path modelDir = r.model().path() == null ? null : Path.of(r.model().path());
        Path configFile = config != null ? config : modelDir == null ? null : modelDir.resolve("config.json");
        if (configFile == null || !Files.isRegularFile(configFile)) {
            throw new ZerorlException("no config.json at " + (configFile == null ? "model.path (unset)" : configFile)
                    + ": download the model, or pass --config path/to/config.json");
        }
        ModelConfig c = Architectures.parse(HfConfig.read(configFile));
        int prompt = promptTokens != null ? promptTokens : measurePrompts(r, modelDir);
        boolean gpu = r.model().device().equals("gpu");
        long memory = r.model().memoryGb() > 0 ? (long) (r.model().memoryGb() * 1e9) : deviceMemory(gpu);
        String device = r.model().memoryGb() > 0 ? "model.memory_gb" : gpu ? "gpu" : "cpu";
        MemoryPlan plan = MemoryPlan.of(r, c, prompt, memory, device);
        System.out.printf("memory plan for %s (%s, longest prompt %d tokens):%n", recipe, c.modelType, prompt);
        System.out.print(plan.table());
        if (!plan.fits()) {
            List<String> fixes = MemoryPlan.advice(r, c, prompt, memory, gpu);
            System.out.println(fixes.isEmpty() ? "no setting tried makes it fit (LoRA, activation checkpointing, smaller"
                    + " micro-batches, fewer prompts per step): use a larger device or a smaller model"
                    : "settings that fit:\n  " + String.join("\n  ", fixes));
        }
        return plan.fits() ? 0 : EXIT_DOES_NOT_FIT;
    }

    private static int measurePrompts(Recipe r, Path modelDir) {
        if (modelDir == null || !Files.isRegularFile(modelDir.resolve("tokenizer.json"))) {
            throw new ZerorlException("cannot measure the prompts without the model's tokenizer at " + modelDir
                    + ": pass --prompt-tokens N");
        }
        try (Tokenizer tok = Tokenizer.load(modelDir)) {
            return PromptSource.load(r.data(), tok, r.seed()).longestPrompt(tok::encode);
        }
    }

    private static long deviceMemory(boolean gpu) {
        if (gpu && ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            throw new ZerorlException("model.device is gpu but PyTorch sees none here: pass --set model.memory_gb=N"
                    + " (e.g. 80) to plan for the GPU you will run on");
        }
        return Devices.memoryBytes(gpu ? ai.djl.Device.gpu() : ai.djl.Device.cpu());
    }
}
