package io.zerorl.model.mixtral;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architecture;
import io.zerorl.model.HfMapping;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.WeightNames;

import java.util.Arrays;
import java.util.List;

/**
 * Mixtral: every layer is a top-k softmax MoE whose weights are renormalised over the chosen experts;
 * experts are {@code block_sparse_moe.experts.N.w1} (gate), {@code w3} (up), {@code w2} (down), each
 * {@code intermediate_size} wide.
 */
public final class Mixtral implements Architecture {
    /** Mixtral's tensor names for the MoE block. */
    public static final WeightNames NAMES = new WeightNames() {
        @Override
        public String router(int i) {
            return layer(i) + "block_sparse_moe.gate.weight";
        }

        @Override
        public String expert(int i, int e, Proj p) {
            String w = switch (p) {
                case GATE -> "w1";
                case DOWN -> "w2";
                case UP -> "w3";
            };
            return layer(i) + "block_sparse_moe.experts." + e + "." + w + ".weight";
        }
    };

    @Override
    public List<String> modelTypes() {
        return List.of("mixtral");
    }

    @Override
    public ModelConfig fromHf(HfConfig hf) {
        ModelConfig.Builder b = HfMapping.common(hf);
        b.numExperts = hf.requireIntOf("num_local_experts", "num_experts");
        b.topK = hf.getInt("num_experts_per_tok", 2);
        b.moeIntermediateSize = hf.requireInt("intermediate_size");
        b.normTopkProb = true;
        Arrays.fill(b.sparseLayers, true);
        b.names = NAMES;
        return b.build();
    }
}
