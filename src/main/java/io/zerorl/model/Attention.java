package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Map;

/**
 * Self-attention of one layer: grouped-query attention (optional q/k/v/o bias, per-head q/k RMSNorm)
 * or DeepSeek multi-head latent attention (optional q low-rank path, compressed KV with a decoupled
 * rotary key shared by all heads). Scores use matMul + additive mask + softmax (DJL has no fused SDPA).
 */
final class Attention {
    private final ModelConfig c;
    private final int layer;
    private final Rotary rotary;
    private final NDArray eps;
    private final NDArray scale;
    // GQA projections
    private Linear q;
    private Linear k;
    private Linear v;
    private NDArray qNorm;
    private NDArray kNorm;
    // MLA projections
    private Linear qA;
    private NDArray qANorm;
    private Linear qB;
    private Linear kvA;
    private NDArray kvANorm;
    private Linear kvB;
    // shared
    private final Linear o;

    Attention(ModelConfig c, int layer, Map<String, NDArray> p, Rotary rotary, NDArray eps, NDArray scale) {
        this.c = c;
        this.layer = layer;
        this.rotary = rotary;
        this.eps = eps;
        this.scale = scale;
        WeightNames n = c.names;
        if (c.isMla()) {
            if (c.qLoraRank > 0) {
                qA = Linear.of(p, n.attn(layer, "q_a_proj.weight"), null);
                qANorm = p.get(n.attn(layer, "q_a_layernorm.weight"));
                qB = Linear.of(p, n.attn(layer, "q_b_proj.weight"), null);
            } else {
                q = Linear.of(p, n.attn(layer, "q_proj.weight"), null);
            }
            kvA = Linear.of(p, n.attn(layer, "kv_a_proj_with_mqa.weight"), null);
            kvANorm = p.get(n.attn(layer, "kv_a_layernorm.weight"));
            kvB = Linear.of(p, n.attn(layer, "kv_b_proj.weight"), null);
        } else {
            q = Linear.of(p, n.attn(layer, "q_proj.weight"), c.qkvBias ? n.attn(layer, "q_proj.bias") : null);
            k = Linear.of(p, n.attn(layer, "k_proj.weight"), c.qkvBias ? n.attn(layer, "k_proj.bias") : null);
            v = Linear.of(p, n.attn(layer, "v_proj.weight"), c.qkvBias ? n.attn(layer, "v_proj.bias") : null);
            if (c.qkNorm) {
                qNorm = p.get(n.attn(layer, "q_norm.weight"));
                kNorm = p.get(n.attn(layer, "k_norm.weight"));
            }
        }
        o = Linear.of(p, n.attn(layer, "o_proj.weight"), c.oBias ? n.attn(layer, "o_proj.bias") : null);
    }

    /** x (B, T, H) -> (B, T, H). */
    NDArray forward(NDArray x, ForwardContext ctx) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray q;
        NDArray k;
        NDArray v;
        if (c.isMla()) {
            NDArray[] qkv = mlaProjections(x, b, t, ctx);
            q = qkv[0];
            k = qkv[1];
            v = qkv[2];
        } else if (t == 1 && !c.qkNorm) {
            // decoding: with one position the head split needs no transpose, so q and k are joined before the
            // reshape (4 calls instead of 7 per layer; the same values)
            NDArray qk = NDArrays.concat(new NDList(this.q.apply(x, ctx), this.k.apply(x, ctx)), 2)
                    .reshape(b, c.numHeads + c.numKvHeads, 1, c.headDim);
            NDList rotated = rotary.apply(qk, ctx.cos(), ctx.sin()).split(new long[] {c.numHeads}, 1);
            q = rotated.get(0);
            k = rotated.get(1);
            v = this.v.apply(x, ctx).reshape(b, c.numKvHeads, 1, c.headDim);
        } else {
            q = this.q.apply(x, ctx).reshape(b, t, c.numHeads, c.headDim);
            k = this.k.apply(x, ctx).reshape(b, t, c.numKvHeads, c.headDim);
            v = this.v.apply(x, ctx).reshape(b, t, c.numKvHeads, c.headDim);
            if (c.qkNorm) {
                q = Ops.rmsNorm(q, qNorm, eps);
                k = Ops.rmsNorm(k, kNorm, eps);
            }
            // q and k rotated in one pass (the same elementwise ops, half the calls), then split by heads
            NDArray qk = NDArrays.concat(new NDList(q, k), 2).transpose(0, 2, 1, 3);
            NDList rotated = rotary.apply(qk, ctx.cos(), ctx.sin()).split(new long[] {c.numHeads}, 1);
            q = rotated.get(0);
            k = rotated.get(1);
            v = v.transpose(0, 2, 1, 3);
        }
        if (ctx.cache() != null) {
            ctx.cache().write(layer, k, v);
            k = ctx.cache().keys(layer);
            v = ctx.cache().values(layer);
        }
        NDArray out = scaledDotProduct(q, k, v, ctx.maskBias(), b, t);
        return o.apply(out, ctx);
    }

    /** MLA query, key and value heads: q (B, nh, T, dqk), k (B, nh, T, dqk), v (B, nh, T, dv). */
    private NDArray[] mlaProjections(NDArray x, long b, long t, ForwardContext ctx) {
        int nh = c.numHeads;
        NDArray query0 = c.qLoraRank > 0
                ? qB.apply(Ops.rmsNorm(qA.apply(x, ctx), qANorm, eps), ctx)
                : this.q.apply(x, ctx);
        NDArray q = query0.reshape(b, t, nh, c.qkHeadDim()).transpose(0, 2, 1, 3);
        NDList qParts = q.split(new long[] {c.qkNopeHeadDim}, 3);
        NDArray compressed = kvA.apply(x, ctx);
        NDList kvParts = compressed.split(new long[] {c.kvLoraRank}, 2);
        NDArray kv = kvB.apply(Ops.rmsNorm(kvParts.get(0), kvANorm, eps), ctx)
                .reshape(b, t, nh, c.qkNopeHeadDim + c.vHeadDim).transpose(0, 2, 1, 3);
        NDList kvSplit = kv.split(new long[] {c.qkNopeHeadDim}, 3);
        NDArray kRot = kvParts.get(1).reshape(b, 1, t, c.qkRopeHeadDim);
        NDArray qRot = rotary.apply(qParts.get(1), ctx.cos(), ctx.sin());
        kRot = rotary.apply(kRot, ctx.cos(), ctx.sin()).broadcast(b, nh, t, c.qkRopeHeadDim);
        NDArray query = NDArrays.concat(new NDList(qParts.get(0), qRot), 3);
        NDArray key = NDArrays.concat(new NDList(kvSplit.get(0), kRot), 3);
        return new NDArray[] {query, key, kvSplit.get(1)};
    }

    /**
     * Above this many bytes of (B, heads, T, S) scores, a pass without autograd attends in blocks of query positions,
     * each with scores of about this size: a batch-64 prefill of 128 tokens on the tiny fixture made three 16 MB
     * arrays per layer (4 MB each now), and a long prompt's would grow with T^2. Training passes keep one block: their
     * backward saves every block's probabilities anyway, and its key/value gradients would be summed in a different
     * order.
     */
    static final long SCORE_BLOCK_BYTES = 4L << 20;

    /**
     * softmax(q k^T * scale + mask) v for q (B, nh, T, d), k/v (B, nkv, S, d). Query heads sharing a KV
     * head are folded into the row axis so K and V are never copied per query head.
     * Returns (B, T, nh * dv).
     */
    private NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray maskBias, long b, long t) {
        int nh = c.numHeads;
        long s = k.getShape().get(2);
        long dv = v.getShape().get(3);
        long scoreBytes = b * nh * t * s * q.getDataType().getNumOfBytes();
        if (t > 1 && scoreBytes > SCORE_BLOCK_BYTES && !JniUtils.isGradMode()) {
            // each query row's scores, softmax and weighted sum depend on that row alone: blocks give the same values
            // up to float rounding (MKL may round an element of a product differently when it sees fewer rows)
            long block = Math.max(1, t * SCORE_BLOCK_BYTES / scoreBytes);
            NDList parts = new NDList();
            for (long t0 = 0; t0 < t; t0 += block) {
                long t1 = Math.min(t, t0 + block);
                NDArray qc = Ops.slice(q, 2, t0, t1);
                NDArray mc = Ops.slice(maskBias, 2, t0, t1);
                NDArray part = attend(qc, k, v, mc, b, t1 - t0);
                if (t1 - t0 == 1) { // a one-position block comes back in the decoding layout
                    NDArray heads = part.reshape(b, nh, 1, dv);
                    part.close();
                    part = heads;
                }
                parts.add(part);
                qc.close();
                mc.close();
            }
            NDArray out = NDArrays.concat(parts, 2);
            parts.close();
            return out.transpose(0, 2, 1, 3).reshape(b, t, nh * dv);
        }
        NDArray out = attend(q, k, v, maskBias, b, t);
        if (t == 1) {
            return out.reshape(b, t, nh * dv);
        }
        return out.transpose(0, 2, 1, 3).reshape(b, t, nh * dv);
    }

    /**
     * The attention of {@code t} query positions: (B, nh, T, dv) for several positions; for one, an array with the
     * memory order of (B, 1, nh, dv) (the caller reshapes it).
     */
    private NDArray attend(NDArray q, NDArray k, NDArray v, NDArray maskBias, long b, long t) {
        int nh = c.numHeads;
        int nkv = c.isMla() ? nh : c.numKvHeads;
        int rep = nh / nkv;
        long s = k.getShape().get(2);
        long dv = v.getShape().get(3);
        NDArray qs = q.mul(scale);
        if (rep > 1) {
            NDArray folded = qs.reshape(b, nkv, rep * t, q.getShape().get(3));
            qs.close(); // a view keeps the storage; the first handle would keep it until the manager closes
            qs = folded;
        }
        NDArray kT = k.transpose(0, 1, 3, 2);
        NDArray scores = qs.matMul(kT);
        kT.close();
        qs.close();
        // One query (decoding): the mask (B, 1, 1, S) broadcasts over the folded (B, nkv, rep, S) scores as is,
        // and (B, nh, 1, dv) has the memory order of (B, 1, nh, dv): fewer reshapes, the same values.
        boolean one = t == 1 && maskBias.getShape().get(2) == 1;
        if (rep > 1 && !one) {
            NDArray unfolded = scores.reshape(b, nh, t, s);
            scores.close();
            scores = unfolded;
        }
        // The (B, heads, T, S) arrays are the largest of a long prefill: each is closed as soon as the next exists
        // (autograd keeps what its backward needs by itself), so at most two are alive, as in PyTorch.
        NDArray biased = scores.add(maskBias);
        scores.close();
        NDArray probs = biased.softmax(-1);
        biased.close();
        if (rep > 1 && !one) {
            NDArray folded = probs.reshape(b, nkv, rep * t, s);
            probs.close();
            probs = folded;
        }
        NDArray out = probs.matMul(v);
        probs.close();
        if (t > 1 && rep > 1) {
            NDArray unfolded = out.reshape(b, nh, t, dv);
            out.close();
            out = unfolded;
        }
        return out;
    }
}
