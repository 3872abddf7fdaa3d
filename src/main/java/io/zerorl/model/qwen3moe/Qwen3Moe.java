package io.zerorl.model.qwen3moe;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architecture;
import io.zerorl.model.HfMapping;
import io.zerorl.model.ModelConfig;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Qwen3-MoE: softmax router, top-k with optional renormalisation ({@code norm_topk_prob}, false by
 * default in transformers), dense layers where {@code mlp_only_layers} or {@code decoder_sparse_step} say.
 */
public final class Qwen3Moe implements Architecture {
    @Override
    public List<String> modelTypes() {
        return List.of("qwen3_moe");
    }

    @Override
    public ModelConfig fromHf(HfConfig hf) {
        ModelConfig.Builder b = HfMapping.qwen3Attention(hf);
        b.numExperts = hf.getIntOf(0, "num_experts", "num_local_experts");
        b.topK = hf.getInt("num_experts_per_tok", 8);
        b.moeIntermediateSize = hf.requireInt("moe_intermediate_size");
        b.normTopkProb = hf.getBool("norm_topk_prob", false);
        int step = hf.getInt("decoder_sparse_step", 1);
        Set<Integer> mlpOnly = new HashSet<>(hf.getIntList("mlp_only_layers"));
        for (int i = 0; i < b.numLayers; i++) {
            b.sparseLayers[i] = !mlpOnly.contains(i) && b.numExperts > 0 && step > 0 && (i + 1) % step == 0;
        }
        return b.build();
    }
}
