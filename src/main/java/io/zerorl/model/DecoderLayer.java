package io.zerorl.model;

import ai.djl.ndarray.NDArray;

/** Pre-norm decoder layer: {@code h = x + attn(norm(x)); out = h + ffn(norm(h))}. */
final class DecoderLayer {
    private final NDArray inputNorm;
    private final NDArray postNorm;
    private final NDArray eps;
    final Attention attention;
    final FeedForward ffn;

    DecoderLayer(NDArray inputNorm, NDArray postNorm, NDArray eps, Attention attention, FeedForward ffn) {
        this.inputNorm = inputNorm;
        this.postNorm = postNorm;
        this.eps = eps;
        this.attention = attention;
        this.ffn = ffn;
    }

    NDArray forward(NDArray x, ForwardContext ctx) {
        NDArray h = x.add(attention.forward(Ops.rmsNorm(x, inputNorm, eps), ctx));
        if (ffn instanceof DenseMlp) {
            return h.add(ffn.forward(Ops.rmsNorm(h, postNorm, eps), ctx)); // linear takes (B, T, H) as is
        }
        long[] shape = h.getShape().getShape();
        NDArray flat = Ops.rmsNorm(h, postNorm, eps).reshape(-1, shape[2]);
        return h.add(ffn.forward(flat, ctx).reshape(shape));
    }
}
