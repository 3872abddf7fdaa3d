package io.zerorl.model.deepseek;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architecture;
import io.zerorl.model.HfMapping;
import io.zerorl.model.ModelConfig;
import io.zerorl.util.ZerorlException;

import java.util.List;

/**
 * DeepSeek-V2 (V2, V2-Lite, Coder-V2, V2.5): multi-head latent attention as in V3 (rotary on
 * adjacent pairs, YaRN softmax scale), a softmax router whose top-k is {@code greedy} or
 * {@code group_limited_greedy} (a group ranks by its best expert), expert weights = routing
 * probabilities x {@code routed_scaling_factor} with no renormalisation, shared experts, and dense
 * layers before {@code first_k_dense_replace}. Tensor names are V3's without
 * {@code e_score_correction_bias}.
 */
public final class DeepseekV2 implements Architecture {
    @Override
    public List<String> modelTypes() {
        return List.of("deepseek_v2");
    }

    @Override
    public ModelConfig fromHf(HfConfig hf) {
        if (hf.getBool("mlp_bias", false)) {
            throw new ZerorlException(hf.source() + ": mlp_bias=true is not supported for deepseek_v2");
        }
        ModelConfig.Builder b = HfMapping.common(hf);
        Mla.readAttention(hf, b, "deepseek_v2");
        // transformers multiplies adjacent pairs as complex numbers: the interleaved layout
        b.rope = b.rope.withInterleave(true);
        Mla.readExperts(hf, b);
        String scoring = hf.getString("scoring_func").orElse("softmax");
        if (!scoring.equals("softmax")) {
            throw new ZerorlException(hf.source() + ": scoring_func '" + scoring
                    + "' is not supported for deepseek_v2 (softmax); a sigmoid router is model_type deepseek_v3");
        }
        b.scoring = ModelConfig.Scoring.SOFTMAX;
        b.correctionBias = false;
        if (hf.getBool("norm_topk_prob", false)) {
            throw new ZerorlException(hf.source() + ": norm_topk_prob=true is not supported for deepseek_v2: DeepSeek's "
                    + "released V2 models set it false, and transformers and DeepSeek's own code disagree on what true "
                    + "means (renormalise, or scale by routed_scaling_factor). Set it to false for these checkpoints.");
        }
        b.normTopkProb = false;
        String method = hf.getString("topk_method").orElse("greedy");
        switch (method) {
            case "greedy" -> {
                b.nGroup = 1;
                b.topkGroup = 1;
            }
            case "group_limited_greedy" -> {
                b.nGroup = hf.requireInt("n_group");
                b.topkGroup = hf.requireInt("topk_group");
                b.groupScore = ModelConfig.GroupScore.MAX;
            }
            default -> throw new ZerorlException(hf.source() + ": topk_method '" + method
                    + "' is not supported for deepseek_v2; use greedy or group_limited_greedy (noaux_tc is deepseek_v3)");
        }
        return b.build();
    }
}
