package io.zerorl.recipe;

import io.zerorl.data.DataDirs;
import io.zerorl.data.DatasetDescriptor;
import io.zerorl.data.DatasetRegistry;
import io.zerorl.data.PromptFile;
import io.zerorl.eval.EvalDuringTraining;
import io.zerorl.model.PeftAdapter;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.WeightedRewards;
import io.zerorl.util.Names;
import io.zerorl.util.ZerorlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Checks what a recipe refers to before any model is loaded (values were checked by each section's record as the
 * recipe was built): the model directory has a config.json, the dataset is there and its rows have the prompt field
 * (JSONL rows are cheap to read), the reward functions exist and take their options (each is built once and
 * closed), and the eval section's benchmarks exist (and their files, when evaluation is on). Every error says which
 * key is wrong and what the valid values are.
 */
public final class RecipeValidator {
    private RecipeValidator() {}

    public static void validate(Recipe r) {
        Recipe.Model m = r.model();
        require(m.path() != null, "model.path must name a Hugging Face model directory (config.json + safetensors)");
        require(Files.isRegularFile(Path.of(m.path()).resolve("config.json")),
                "model.path " + Path.of(m.path()).toAbsolutePath() + " has no config.json");

        if (r.lora().enabled() && r.lora().initFrom() != null) {
            require(PeftAdapter.isAdapter(Path.of(r.lora().initFrom())), "lora.init_from "
                    + Path.of(r.lora().initFrom()).toAbsolutePath() + " is not a PEFT adapter folder (no "
                    + PeftAdapter.CONFIG + ")");
        }

        require(r.rewards() != null && !r.rewards().isEmpty(), "rewards must list at least one reward, e.g."
                + " [{name: math_accuracy, weight: 1.0}]; valid names: " + String.join(", ", RewardRegistry.standard().names()));
        wrapped("rewards", () -> {
            WeightedRewards.of(r.rewardSpecs(), RewardRegistry.standard()).close();
            return null;
        });

        Recipe.Data d = r.data();
        if (d.dataset() != null) {
            wrapped("data.dataset", () -> DataDirs.resolve(d.dataDir() == null ? null : Path.of(d.dataDir()))
                    .locate(DatasetRegistry.builtin().get(d.dataset())));
        } else {
            require(d.path() != null, "data.path (a JSONL file) or data.dataset (one of "
                    + String.join(", ", DatasetRegistry.BUILTIN) + ") must be set");
            wrapped("data", () -> PromptFile.read(Path.of(d.path()), d.promptField(), d.maxRows()));
        }
        validateBenchmarks(r);
    }

    /**
     * The eval section's benchmarks: names always (a typo fails even while eval is off), and with {@code eval.every}
     * &gt; 0 that their files are there (so a run fails now, not at its first evaluation).
     */
    private static void validateBenchmarks(Recipe r) {
        EvalDuringTraining.Config e = r.eval();
        DatasetRegistry registry = DatasetRegistry.builtin();
        List<String> known = registry.all().stream().map(DatasetDescriptor::name).toList();
        DataDirs dirs = DataDirs.resolve(r.data().dataDir() == null ? null : Path.of(r.data().dataDir()));
        for (String name : e.benchmarks()) {
            if (!DatasetRegistry.isDescriptorFile(name) && !known.contains(name)) {
                throw new ZerorlException("eval.benchmarks: unknown benchmark '" + name + "'; did you mean '"
                        + Names.nearest(name, known) + "'? Valid: " + String.join(", ", known)
                        + ", or a descriptor file path/to/name.yaml");
            }
            DatasetDescriptor desc = wrapped("eval.benchmarks", () -> registry.resolve(name));
            if (e.enabled()) {
                wrapped("eval.benchmarks", () -> dirs.locate(desc));
            }
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ZerorlException(message);
        }
    }

    private static <T> T wrapped(String key, Supplier<T> check) {
        try {
            return check.get();
        } catch (ZerorlException e) {
            throw new ZerorlException(key + ": " + e.getMessage(), e);
        }
    }
}
