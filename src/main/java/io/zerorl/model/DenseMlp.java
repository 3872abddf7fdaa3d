package io.zerorl.model;

import ai.djl.ndarray.NDArray;

/** Dense SwiGLU feed-forward: {@code down(silu(gate(x)) * up(x))}. */
final class DenseMlp implements FeedForward {
    private final Linear gate;
    private final Linear up;
    private final Linear down;

    DenseMlp(Linear gate, Linear up, Linear down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    /** The three projections named by {@code names} (gate, up, down weights) in {@code params}. */
    static DenseMlp of(java.util.Map<String, NDArray> params, String gate, String up, String down) {
        return new DenseMlp(Linear.of(params, gate, null), Linear.of(params, up, null), Linear.of(params, down, null));
    }

    @Override
    public NDArray forward(NDArray x, ForwardContext ctx) {
        return down.apply(Ops.silu(gate.apply(x, ctx)).mul(up.apply(x, ctx)), ctx);
    }
}
