package io.zerorl.model;

import ai.djl.ndarray.NDArray;

/** Dense SwiGLU feed-forward. */
final class DenseMlp implements FeedForward {
    private final NDArray gate;
    private final NDArray up;
    private final NDArray down;

    DenseMlp(NDArray gate, NDArray up, NDArray down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    @Override
    public NDArray forward(NDArray x, ForwardContext ctx) {
        return Ops.swiglu(x, gate, up, down);
    }
}
