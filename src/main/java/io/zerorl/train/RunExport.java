package io.zerorl.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.DType;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.checkpoint.TensorData;
import io.zerorl.checkpoint.TensorEntry;
import io.zerorl.model.LoraAdapters;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.model.WeightNames;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.rollout.RolloutConfig;
import io.zerorl.util.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The R1-style export of a trained policy: Hugging Face layout (sharded safetensors, config.json, the base model's
 * tokenizer files), a generation_config.json with the recipe's sampling settings, and a model card.
 */
final class RunExport {
    private RunExport() {}

    /**
     * The export of {@code policy}; with LoRA adapters as {@code export.lora} says: the merged model, the adapter
     * alone (PEFT layout), or both (the adapter in {@code out/adapter}).
     */
    static Path write(Path out, Policy policy, Recipe recipe, Path baseModel, DType type, int step,
                      Map<String, Object> finalMetrics) {
        LoraAdapters lora = policy.adapters();
        String what = lora == null ? "merged" : recipe.export().lora();
        if (what.equals("adapter")) {
            PeftAdapter.write(out, lora, policy.config(), baseModel.toString());
            return out;
        }
        ObjectNode cfg = policy.config().hfJson != null ? policy.config().hfJson.deepCopy()
                : Json.MAPPER.createObjectNode();
        Path written = HfExport.write(out, entries(policy), cfg, generationConfig(policy, recipe.rollout()),
                baseModel, type, recipe.export().maxShardBytes(),
                ModelCard.render(baseModel.toString(), recipe.name(), RecipeLoader.toYaml(recipe),
                        recipe.rewardSpecs(), step, finalMetrics, type));
        if (what.equals("both")) {
            PeftAdapter.write(out.resolve("adapter"), lora, policy.config(), baseModel.toString());
        }
        return written;
    }

    /** Float32 entries of the policy's weights, each with its LoRA update merged in ({@code W + scaling * B A}). */
    static List<TensorEntry> entries(Policy policy) {
        LoraAdapters lora = policy.adapters();
        if (lora == null) {
            return RunCheckpoints.entries(policy);
        }
        List<TensorEntry> out = new ArrayList<>();
        policy.parameters().forEach((name, p) -> {
            boolean adapted = name.endsWith(".weight") && lora.adapters().containsKey(WeightNames.module(name));
            out.add(adapted ? TensorEntry.float32(name, p.getShape().getShape(),
                    sink -> TensorData.ofFloats(lora.merged(WeightNames.module(name), p)).emit(sink))
                    : RunCheckpoints.entry(name, p));
        });
        return out;
    }

    /** Special token ids from the model's config and the sampling settings it was trained with. */
    private static ObjectNode generationConfig(Policy policy, RolloutConfig rollout) {
        ObjectNode g = Json.MAPPER.createObjectNode();
        ObjectNode cfg = policy.config().hfJson;
        for (String k : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
            if (cfg != null && cfg.has(k) && !cfg.get(k).isNull()) {
                g.set(k, cfg.get(k));
            }
        }
        g.put("do_sample", true);
        g.put("temperature", rollout.temperature());
        g.put("top_p", rollout.topP());
        if (rollout.topK() > 0) {
            g.put("top_k", rollout.topK());
        }
        g.put("max_new_tokens", rollout.maxNewTokens());
        return g;
    }
}
