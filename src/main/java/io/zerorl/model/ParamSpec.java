package io.zerorl.model;

import java.util.ArrayList;
import java.util.List;

/**
 * One named parameter the model expects: its HF name, shape, how to initialise it from scratch, and
 * whether it belongs to a routed expert (for "active parameters per token").
 *
 * @param expert -1 if shared by all tokens, else the routed expert index
 */
public record ParamSpec(String name, long[] shape, Init init, int expert) {
    /** From-scratch initialisation, as transformers' {@code _init_weights}. */
    public enum Init { NORMAL, ONES, ZEROS }

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
        out.add(new ParamSpec(n.embed(), new long[] {c.vocabSize, h}, Init.NORMAL, -1));
        for (int l = 0; l < c.numLayers; l++) {
            out.add(new ParamSpec(n.inputNorm(l), new long[] {h}, Init.ONES, -1));
            attention(c, l, out);
            out.add(new ParamSpec(n.postAttentionNorm(l), new long[] {h}, Init.ONES, -1));
            if (c.isSparse(l)) {
                int e = c.numExperts;
                int m = c.moeIntermediateSize;
                out.add(new ParamSpec(n.router(l), new long[] {e, h}, Init.NORMAL, -1));
                if (c.correctionBias) {
                    out.add(new ParamSpec(n.correctionBias(l), new long[] {e}, Init.ZEROS, -1));
                }
                for (int ex = 0; ex < e; ex++) {
                    out.add(new ParamSpec(n.expert(l, ex, WeightNames.Proj.GATE), new long[] {m, h}, Init.NORMAL, ex));
                    out.add(new ParamSpec(n.expert(l, ex, WeightNames.Proj.UP), new long[] {m, h}, Init.NORMAL, ex));
                    out.add(new ParamSpec(n.expert(l, ex, WeightNames.Proj.DOWN), new long[] {h, m}, Init.NORMAL, ex));
                }
                if (c.numSharedExperts > 0) {
                    int s = m * c.numSharedExperts;
                    out.add(new ParamSpec(n.sharedExpert(l, WeightNames.Proj.GATE), new long[] {s, h}, Init.NORMAL, -1));
                    out.add(new ParamSpec(n.sharedExpert(l, WeightNames.Proj.UP), new long[] {s, h}, Init.NORMAL, -1));
                    out.add(new ParamSpec(n.sharedExpert(l, WeightNames.Proj.DOWN), new long[] {h, s}, Init.NORMAL, -1));
                }
            } else {
                int i = c.intermediateSize;
                out.add(new ParamSpec(n.denseMlp(l, WeightNames.Proj.GATE), new long[] {i, h}, Init.NORMAL, -1));
                out.add(new ParamSpec(n.denseMlp(l, WeightNames.Proj.UP), new long[] {i, h}, Init.NORMAL, -1));
                out.add(new ParamSpec(n.denseMlp(l, WeightNames.Proj.DOWN), new long[] {h, i}, Init.NORMAL, -1));
            }
        }
        out.add(new ParamSpec(n.finalNorm(), new long[] {h}, Init.ONES, -1));
        if (!c.tieEmbeddings) {
            out.add(new ParamSpec(n.lmHead(), new long[] {c.vocabSize, h}, Init.NORMAL, -1));
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
                out.add(new ParamSpec(n.attn(l, "q_a_proj.weight"), new long[] {c.qLoraRank, h}, Init.NORMAL, -1));
                out.add(new ParamSpec(n.attn(l, "q_a_layernorm.weight"), new long[] {c.qLoraRank}, Init.ONES, -1));
                out.add(new ParamSpec(n.attn(l, "q_b_proj.weight"), new long[] {(long) nh * qk, c.qLoraRank}, Init.NORMAL, -1));
            } else {
                out.add(new ParamSpec(n.attn(l, "q_proj.weight"), new long[] {(long) nh * qk, h}, Init.NORMAL, -1));
            }
            out.add(new ParamSpec(n.attn(l, "kv_a_proj_with_mqa.weight"),
                    new long[] {c.kvLoraRank + c.qkRopeHeadDim, h}, Init.NORMAL, -1));
            out.add(new ParamSpec(n.attn(l, "kv_a_layernorm.weight"), new long[] {c.kvLoraRank}, Init.ONES, -1));
            out.add(new ParamSpec(n.attn(l, "kv_b_proj.weight"),
                    new long[] {(long) nh * (c.qkNopeHeadDim + c.vHeadDim), c.kvLoraRank}, Init.NORMAL, -1));
            out.add(new ParamSpec(n.attn(l, "o_proj.weight"), new long[] {h, (long) nh * c.vHeadDim}, Init.NORMAL, -1));
            return;
        }
        long q = (long) nh * c.headDim;
        long kv = (long) c.numKvHeads * c.headDim;
        out.add(new ParamSpec(n.attn(l, "q_proj.weight"), new long[] {q, h}, Init.NORMAL, -1));
        if (c.qkvBias) {
            out.add(new ParamSpec(n.attn(l, "q_proj.bias"), new long[] {q}, Init.ZEROS, -1));
        }
        out.add(new ParamSpec(n.attn(l, "k_proj.weight"), new long[] {kv, h}, Init.NORMAL, -1));
        if (c.qkvBias) {
            out.add(new ParamSpec(n.attn(l, "k_proj.bias"), new long[] {kv}, Init.ZEROS, -1));
        }
        out.add(new ParamSpec(n.attn(l, "v_proj.weight"), new long[] {kv, h}, Init.NORMAL, -1));
        if (c.qkvBias) {
            out.add(new ParamSpec(n.attn(l, "v_proj.bias"), new long[] {kv}, Init.ZEROS, -1));
        }
        if (c.qkNorm) {
            out.add(new ParamSpec(n.attn(l, "q_norm.weight"), new long[] {c.headDim}, Init.ONES, -1));
            out.add(new ParamSpec(n.attn(l, "k_norm.weight"), new long[] {c.headDim}, Init.ONES, -1));
        }
        out.add(new ParamSpec(n.attn(l, "o_proj.weight"), new long[] {h, q}, Init.NORMAL, -1));
        if (c.oBias) {
            out.add(new ParamSpec(n.attn(l, "o_proj.bias"), new long[] {h}, Init.ZEROS, -1));
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
