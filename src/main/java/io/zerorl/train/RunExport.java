package io.zerorl.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.DType;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.rollout.RolloutConfig;
import io.zerorl.util.Json;

import java.nio.file.Path;
import java.util.Map;

/**
 * The R1-style export of a trained policy: Hugging Face layout (sharded safetensors, config.json, the base model's
 * tokenizer files), a generation_config.json with the recipe's sampling settings, and a model card.
 */
final class RunExport {
    private RunExport() {}

    static Path write(Path out, Policy policy, Recipe recipe, Path baseModel, DType type, int step,
                      Map<String, Object> finalMetrics) {
        ObjectNode cfg = policy.config().hfJson != null ? policy.config().hfJson.deepCopy()
                : Json.MAPPER.createObjectNode();
        return HfExport.write(out, RunCheckpoints.entries(policy), cfg, generationConfig(policy, recipe.rollout()),
                baseModel, type, recipe.export().maxShardBytes(),
                ModelCard.render(baseModel.toString(), recipe.name(), RecipeLoader.toYaml(recipe),
                        recipe.rewardSpecs(), step, finalMetrics, type));
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
