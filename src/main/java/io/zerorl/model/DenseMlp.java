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
        // intermediates closed as soon as used, as in Ops.rmsNorm: at most two (T, intermediate) arrays alive
        NDArray g = gate.apply(x, ctx);
        NDArray act = Ops.silu(g);
        g.close();
        NDArray u = up.apply(x, ctx);
        NDArray h = act.mul(u);
        act.close();
        u.close();
        NDArray out = down.apply(h, ctx);
        h.close();
        return out;
    }
}
