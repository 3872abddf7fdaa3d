package io.zerorl.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One named parameter the model expects: its HF name, shape, how to initialise it from scratch, whether it belongs
 * to a routed expert (for "active parameters per token"), and its role in training. Trainers ask the role, never
 * the name, which parameters to train and to decay.
 *
 * @param expert -1 if shared by all tokens, else the routed expert index
 */
public record ParamSpec(String name, long[] shape, Init init, int expert, Role role) {
    /** From-scratch initialisation, as transformers' {@code _init_weights}. */
    public enum Init { NORMAL, ONES, ZEROS }

    /** What training does with a parameter. */
    public enum Role {
        /** Embeddings and projection matrices: trained, with weight decay. */
        WEIGHT(true, true),
        /**
         * Norm scales and biases: trained without weight decay (as Hugging Face's {@code get_decay_parameter_names},
         * which TRL uses, leaves out biases and LayerNorm weights).
         */
        NO_DECAY(true, false),
        /** An MoE router's weight: trained and decayed like a weight, unless the recipe freezes routers. */
        ROUTER(true, true),
        /** State that gradient descent never updates (DeepSeek-V3's {@code e_score_correction_bias}). */
        BUFFER(false, false);

        private final boolean trainable;
        private final boolean decayed;

        Role(boolean trainable, boolean decayed) {
            this.trainable = trainable;
            this.decayed = decayed;
        }

        public boolean trainable() {
            return trainable;
        }

        public boolean decayed() {
            return decayed;
        }
    }

    static ParamSpec weight(String name, long[] shape) {
        return new ParamSpec(name, shape, Init.NORMAL, -1, Role.WEIGHT);
    }

    static ParamSpec expertWeight(String name, long[] shape, int expert) {
        return new ParamSpec(name, shape, Init.NORMAL, expert, Role.WEIGHT);
    }

    static ParamSpec norm(String name, long[] shape) {
        return new ParamSpec(name, shape, Init.ONES, -1, Role.NO_DECAY);
    }

    static ParamSpec bias(String name, long[] shape) {
        return new ParamSpec(name, shape, Init.ZEROS, -1, Role.NO_DECAY);
    }

    /** Every parameter's role, by name. */
    public static Map<String, Role> roles(ModelConfig c) {
        Map<String, Role> out = new LinkedHashMap<>();
        for (ParamSpec p : of(c)) {
            out.put(p.name(), p.role());
        }
        return out;
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Every parameter of a model with this config, in a stable order (embeddings, layers, norm, head). */
    public static List<ParamSpec> of(ModelConfig c) {
        List<ParamSpec> out = new ArrayList<>();
        WeightNames n = c.names;
        int h = c.hiddenSize;
        out.add(weight(n.embed(), new long[] {c.vocabSize, h}));
        for (int l = 0; l < c.numLayers; l++) {
            out.add(norm(n.inputNorm(l), new long[] {h}));
            attention(c, l, out);
            out.add(norm(n.postAttentionNorm(l), new long[] {h}));
            if (c.isSparse(l)) {
                int e = c.numExperts;
                int m = c.moeIntermediateSize;
                out.add(new ParamSpec(n.router(l), new long[] {e, h}, Init.NORMAL, -1, Role.ROUTER));
                if (c.correctionBias) {
                    out.add(new ParamSpec(n.correctionBias(l), new long[] {e}, Init.ZEROS, -1, Role.BUFFER));
                }
                for (int ex = 0; ex < e; ex++) {
                    out.add(expertWeight(n.expert(l, ex, WeightNames.Proj.GATE), new long[] {m, h}, ex));
                    out.add(expertWeight(n.expert(l, ex, WeightNames.Proj.UP), new long[] {m, h}, ex));
                    out.add(expertWeight(n.expert(l, ex, WeightNames.Proj.DOWN), new long[] {h, m}, ex));
                }
                if (c.numSharedExperts > 0) {
                    int s = m * c.numSharedExperts;
                    out.add(weight(n.sharedExpert(l, WeightNames.Proj.GATE), new long[] {s, h}));
                    out.add(weight(n.sharedExpert(l, WeightNames.Proj.UP), new long[] {s, h}));
                    out.add(weight(n.sharedExpert(l, WeightNames.Proj.DOWN), new long[] {h, s}));
                }
            } else {
                int i = c.intermediateSize;
                out.add(weight(n.denseMlp(l, WeightNames.Proj.GATE), new long[] {i, h}));
                out.add(weight(n.denseMlp(l, WeightNames.Proj.UP), new long[] {i, h}));
                out.add(weight(n.denseMlp(l, WeightNames.Proj.DOWN), new long[] {h, i}));
            }
        }
        out.add(norm(n.finalNorm(), new long[] {h}));
        if (!c.tieEmbeddings) {
            out.add(weight(n.lmHead(), new long[] {c.vocabSize, h}));
        }
        return out;
    }

    private static void attention(ModelConfig c, int l, List<ParamSpec> out) {
        WeightNames n = c.names;
        int h = c.hiddenSize;
        int nh = c.numHeads;
        if (c.isMla()) {
            int qk = c.qkHeadDim();
            if (c.qLoraRank > 0) {
                out.add(weight(n.attn(l, "q_a_proj.weight"), new long[] {c.qLoraRank, h}));
                out.add(norm(n.attn(l, "q_a_layernorm.weight"), new long[] {c.qLoraRank}));
                out.add(weight(n.attn(l, "q_b_proj.weight"), new long[] {(long) nh * qk, c.qLoraRank}));
            } else {
                out.add(weight(n.attn(l, "q_proj.weight"), new long[] {(long) nh * qk, h}));
            }
            out.add(weight(n.attn(l, "kv_a_proj_with_mqa.weight"),
                    new long[] {c.kvLoraRank + c.qkRopeHeadDim, h}));
            out.add(norm(n.attn(l, "kv_a_layernorm.weight"), new long[] {c.kvLoraRank}));
            out.add(weight(n.attn(l, "kv_b_proj.weight"),
                    new long[] {(long) nh * (c.qkNopeHeadDim + c.vHeadDim), c.kvLoraRank}));
            out.add(weight(n.attn(l, "o_proj.weight"), new long[] {h, (long) nh * c.vHeadDim}));
            return;
        }
        long q = (long) nh * c.headDim;
        long kv = (long) c.numKvHeads * c.headDim;
        out.add(weight(n.attn(l, "q_proj.weight"), new long[] {q, h}));
        if (c.qkvBias) {
            out.add(bias(n.attn(l, "q_proj.bias"), new long[] {q}));
        }
        out.add(weight(n.attn(l, "k_proj.weight"), new long[] {kv, h}));
        if (c.qkvBias) {
            out.add(bias(n.attn(l, "k_proj.bias"), new long[] {kv}));
        }
        out.add(weight(n.attn(l, "v_proj.weight"), new long[] {kv, h}));
        if (c.qkvBias) {
            out.add(bias(n.attn(l, "v_proj.bias"), new long[] {kv}));
        }
        if (c.qkNorm) {
            out.add(norm(n.attn(l, "q_norm.weight"), new long[] {c.headDim}));
            out.add(norm(n.attn(l, "k_norm.weight"), new long[] {c.headDim}));
        }
        out.add(weight(n.attn(l, "o_proj.weight"), new long[] {h, q}));
        if (c.oBias) {
            out.add(bias(n.attn(l, "o_proj.bias"), new long[] {h}));
        }
    }

    /** Total parameters and parameters active per token (shared + top-k of the routed experts). */
    public static long[] counts(ModelConfig c) {
        long total = 0;
        long routed = 0;
        for (ParamSpec p : of(c)) {
            total += p.numel();
            if (p.expert() >= 0) {
                routed += p.numel();
            }
        }
        long perExpert = 3L * c.hiddenSize * c.moeIntermediateSize;
        long sparseLayers = 0;
        for (int l = 0; l < c.numLayers; l++) {
            sparseLayers += c.isSparse(l) ? 1 : 0;
        }
        long active = total - routed + sparseLayers * c.topK * perExpert;
        return new long[] {total, active};
    }
}
