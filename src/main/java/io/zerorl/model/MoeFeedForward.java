package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.zerorl.tensor.Scalars;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;

/**
 * Mixture-of-experts feed-forward with real token dispatch: each token runs through only the experts
 * it chose, so compute grows with active parameters, not with the expert count.
 *
 * <p>Routing: softmax top-k, optionally renormalised (Qwen3-MoE, Mixtral); DeepSeek-V2's softmax
 * top-k, greedy or group-limited, times {@code routed_scaling_factor}; or DeepSeek-V3's sigmoid
 * scores with {@code e_score_correction_bias} for selection only, group-limited top-k, renormalisation
 * and {@code routed_scaling_factor}; plus optional always-on shared experts.
 *
 * <p>Dispatch without scatter_add (absent from DJL): the chosen (token, slot) pairs are sorted by
 * expert on the host, token rows gathered in that order, each expert applied to its contiguous slice,
 * outputs concatenated, put back in slot order with the inverse permutation, weighted and summed over
 * the k slots. Every step is differentiable.
 */
final class MoeFeedForward implements FeedForward {
    private final ModelConfig c;
    private final int layer;
    private final NDArray router;
    private final NDArray correctionBias;
    private final DenseMlp[] experts;
    private final DenseMlp shared;
    private final NDArray scaling;
    private final NDArray tiny;

    MoeFeedForward(ModelConfig c, int layer, NDArray router, NDArray correctionBias, DenseMlp[] experts,
                   DenseMlp shared, Scalars scalars, DataType type) {
        this.c = c;
        this.layer = layer;
        this.router = router;
        this.correctionBias = correctionBias;
        this.experts = experts;
        this.shared = shared;
        this.scaling = scalars.cached(c.routedScalingFactor, type);
        this.tiny = scalars.cached(1e-20, type);
    }

    @Override
    public NDArray forward(NDArray x, ForwardContext ctx) {
        int n = Math.toIntExact(x.getShape().get(0));
        int k = c.topK;
        NDArray logits = Ops.linear(x, router);
        NDArray probs = c.scoring == ModelConfig.Scoring.SOFTMAX ? logits.softmax(-1) : logits.getNDArrayInternal().sigmoid();
        // Selection is not differentiable: do it on the host, with the exact rules of each family.
        NDArray choice = c.correctionBias ? probs.add(correctionBias) : probs;
        float[] scores = choice.toType(DataType.FLOAT32, false).toFloatArray();
        long[] chosen = select(scores, n);
        NDManager m = x.getManager();
        NDArray idx = indexArray(m, chosen).reshape(n, k);
        NDArray weights = probs.gather(idx, 1);
        if (c.normTopkProb && k > 1) {
            NDArray sum = weights.sum(new int[] {-1}, true);
            weights = weights.div(c.scoring == ModelConfig.Scoring.SIGMOID ? sum.add(tiny) : sum);
        }
        if (c.routedScalingFactor != 1.0) {
            weights = weights.mul(scaling);
        }

        // Sort (token, slot) pairs by expert (counting sort), remembering the inverse permutation.
        int e = c.numExperts;
        long[] counts = new long[e];
        for (long id : chosen) {
            counts[(int) id]++;
        }
        long[] start = new long[e];
        for (int i = 1; i < e; i++) {
            start[i] = start[i - 1] + counts[i - 1];
        }
        long[] next = start.clone();
        long[] tokenOfSorted = new long[chosen.length];
        long[] sortedPosOfSlot = new long[chosen.length];
        for (int slot = 0; slot < chosen.length; slot++) {
            int ex = (int) chosen[slot];
            int pos = (int) next[ex]++;
            tokenOfSorted[pos] = slot / k;
            sortedPosOfSlot[slot] = pos;
        }
        NDArray gathered = Ops.rows(x, indexArray(m, tokenOfSorted));
        NDList outs = new NDList();
        for (int ex = 0; ex < e; ex++) {
            if (counts[ex] > 0) {
                // a view of this expert's rows: only the chosen experts cost a call (split made all E views)
                NDArray part = counts[ex] == chosen.length ? gathered
                        : gathered.get(new NDIndex().addSliceDim(start[ex], start[ex] + counts[ex]));
                outs.add(experts[ex].forward(part, ctx));
            }
        }
        NDArray sorted = outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 0);
        NDArray perSlot = Ops.rows(sorted, indexArray(m, sortedPosOfSlot)).reshape(n, k, x.getShape().get(1));
        NDArray out = perSlot.mul(weights.expandDims(-1)).sum(new int[] {1});
        if (shared != null) {
            out = out.add(shared.forward(x, ctx));
        }
        if (ctx.routing() != null) {
            ctx.routing().add(layer, probs, counts);
        }
        return out;
    }

    /** Chosen expert ids, (n * k) row-major, from host scores (n, E). */
    private long[] select(float[] scores, int n) {
        int e = c.numExperts;
        int k = c.topK;
        long[] out = new long[n * k];
        boolean grouped = c.nGroup > 1 && c.topkGroup < c.nGroup;
        int perGroup = e / c.nGroup;
        float[] row = new float[e];
        for (int t = 0; t < n; t++) {
            System.arraycopy(scores, t * e, row, 0, e);
            if (grouped) {
                maskGroups(row, perGroup);
            }
            for (int j = 0; j < k; j++) {
                int best = -1;
                for (int ex = 0; ex < e; ex++) {
                    if (!Float.isNaN(row[ex]) && (best < 0 || row[ex] > row[best])) {
                        best = ex;
                    }
                }
                if (best < 0) {
                    throw new IllegalStateException("router scores are NaN in layer " + layer);
                }
                out[t * k + j] = best;
                row[best] = Float.NaN; // taken
            }
        }
        return out;
    }

    /**
     * DeepSeek group-limited routing: a group's score is the sum of its two best experts (V3) or its
     * best expert (V2 {@code group_limited_greedy}); experts outside the {@code topk_group} best groups
     * are set to 0 (transformers {@code masked_fill(..., 0.0)}).
     */
    private void maskGroups(float[] row, int perGroup) {
        int groups = c.nGroup;
        float[] groupScore = new float[groups];
        for (int g = 0; g < groups; g++) {
            float a = Float.NEGATIVE_INFINITY;
            float b = Float.NEGATIVE_INFINITY;
            for (int i = g * perGroup; i < (g + 1) * perGroup; i++) {
                float v = row[i];
                if (v > a) {
                    b = a;
                    a = v;
                } else if (v > b) {
                    b = v;
                }
            }
            groupScore[g] = perGroup == 1 || c.groupScore == ModelConfig.GroupScore.MAX ? a : a + b;
        }
        boolean[] keep = new boolean[groups];
        for (int j = 0; j < c.topkGroup; j++) {
            int best = -1;
            for (int g = 0; g < groups; g++) {
                if (!keep[g] && (best < 0 || groupScore[g] > groupScore[best])) {
                    best = g;
                }
            }
            keep[best] = true;
        }
        for (int g = 0; g < groups; g++) {
            if (!keep[g]) {
                for (int i = g * perGroup; i < (g + 1) * perGroup; i++) {
                    row[i] = 0f;
                }
            }
        }
    }

    /** An int64 index array owned by torch (a Java-backed one could be freed before backward). */
    static NDArray indexArray(NDManager m, long[] values) {
        ByteBuffer buf = ByteBuffer.allocateDirect(values.length * 8).order(ByteOrder.nativeOrder());
        LongBuffer lb = buf.asLongBuffer();
        lb.put(values);
        try (NDArray view = m.create(buf, new Shape(values.length), DataType.INT64)) {
            NDArray owned = view.duplicate();
            return owned;
        }
    }
}
