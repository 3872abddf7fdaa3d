package io.zerorl.model.deepseek;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architecture;
import io.zerorl.model.HfMapping;
import io.zerorl.model.ModelConfig;
import io.zerorl.util.ZerorlException;

import java.util.List;

/**
 * DeepSeek-V3: multi-head latent attention (optional {@code q_lora_rank}, {@code kv_lora_rank},
 * nope/rope split, interleaved rotary), a sigmoid router with {@code e_score_correction_bias} and
 * group-limited top-k ({@code n_group}, {@code topk_group}), {@code routed_scaling_factor}, shared
 * experts, and dense layers before {@code first_k_dense_replace}.
 */
public final class DeepseekV3 implements Architecture {
    @Override
    public List<String> modelTypes() {
        return List.of("deepseek_v3");
    }

    @Override
    public ModelConfig fromHf(HfConfig hf) {
        ModelConfig.Builder b = HfMapping.common(hf);
        Mla.readAttention(hf, b, "deepseek_v3");
        b.rope = b.rope.withInterleave(hf.getBool("rope_interleave", true));
        Mla.readExperts(hf, b);
        b.nGroup = hf.getInt("n_group", 1);
        b.topkGroup = hf.getInt("topk_group", 1);
        b.normTopkProb = hf.getBool("norm_topk_prob", true);
        String scoring = hf.getString("scoring_func").orElse("sigmoid");
        if (!scoring.equals("sigmoid")) {
            throw new ZerorlException(hf.source() + ": scoring_func '" + scoring + "' is not supported for deepseek_v3 (sigmoid)");
        }
        b.scoring = ModelConfig.Scoring.SIGMOID;
        b.correctionBias = true;
        return b.build();
    }
}
