package io.zerorl.model.deepseek;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.ModelConfig;
import io.zerorl.util.ZerorlException;

/** The config keys DeepSeek-V2 and V3 share: multi-head latent attention and the dense/MoE layer plan. */
final class Mla {
    private Mla() {
    }

    /** Multi-head latent attention: optional {@code q_lora_rank}, {@code kv_lora_rank}, nope/rope split. */
    static void readAttention(HfConfig hf, ModelConfig.Builder b, String modelType) {
        if (hf.getBool("attention_bias", false)) {
            throw new ZerorlException(hf.source() + ": attention_bias=true is not supported for " + modelType);
        }
        b.numKvHeads = b.numHeads; // MLA expands the latent into one key/value per head
        b.qLoraRank = hf.getInt("q_lora_rank", 0);
        b.kvLoraRank = hf.requireInt("kv_lora_rank");
        b.qkNopeHeadDim = hf.requireInt("qk_nope_head_dim");
        b.qkRopeHeadDim = hf.requireInt("qk_rope_head_dim");
        b.vHeadDim = hf.requireInt("v_head_dim");
        b.headDim = b.qkRopeHeadDim;
    }

    /** Experts, shared experts and which layers are MoE ({@code first_k_dense_replace}, {@code moe_layer_freq}). */
    static void readExperts(HfConfig hf, ModelConfig.Builder b) {
        b.numExperts = hf.getIntOf(0, "n_routed_experts", "num_experts");
        b.topK = hf.getInt("num_experts_per_tok", 8);
        b.moeIntermediateSize = hf.getInt("moe_intermediate_size", 0);
        b.numSharedExperts = hf.getInt("n_shared_experts", 0);
        b.routedScalingFactor = hf.getDouble("routed_scaling_factor", 1.0);
        int firstDense = hf.getInt("first_k_dense_replace", 0);
        int freq = Math.max(1, hf.getInt("moe_layer_freq", 1));
        for (int i = 0; i < b.numLayers; i++) {
            b.sparseLayers[i] = b.numExperts > 0 && i >= firstDense && i % freq == 0;
        }
    }
}
