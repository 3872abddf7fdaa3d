package io.zerorl.train;

import io.zerorl.checkpoint.DType;
import io.zerorl.reward.RewardSpec;

import java.util.List;
import java.util.Map;

/** The README.md of an export: base model, recipe, reward functions, steps and final metrics. */
public final class ModelCard {
    private ModelCard() {}

    public static String render(String baseModel, String recipeName, String recipeYaml, List<RewardSpec> rewards,
                                int steps, Map<String, Object> finalMetrics, DType dtype) {
        StringBuilder sb = new StringBuilder();
        sb.append("---\nlibrary_name: transformers\ntags:\n- grpo\n- r1-zero\n- zerorl\nbase_model: ")
                .append(baseModel).append("\n---\n\n");
        sb.append("# ").append(recipeName).append("\n\n");
        sb.append("R1-Zero-style GRPO post-training with zerorl (DJL, PyTorch engine).\n\n");
        sb.append("- **Base model:** `").append(baseModel).append("`\n");
        sb.append("- **Recipe:** `").append(recipeName).append("` (resolved recipe below)\n");
        sb.append("- **Training steps:** ").append(steps).append("\n");
        sb.append("- **Weights:** ").append(dtype == DType.F32 ? "float32" : "bfloat16").append(" safetensors\n\n");
        sb.append("## Reward functions\n\n| name | weight | options |\n|---|---|---|\n");
        for (RewardSpec r : rewards) {
            sb.append("| ").append(r.name()).append(" | ").append(r.weight()).append(" | ").append(r.options()).append(" |\n");
        }
        sb.append("\n## Final metrics (last step)\n\n| metric | value |\n|---|---|\n");
        for (var e : finalMetrics.entrySet()) {
            sb.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
        }
        sb.append("\n## Recipe\n\n```yaml\n").append(recipeYaml).append("```\n");
        return sb.toString();
    }
}
