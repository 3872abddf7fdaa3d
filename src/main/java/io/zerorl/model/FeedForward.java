package io.zerorl.model;

import ai.djl.ndarray.NDArray;

/** A layer's feed-forward block: dense SwiGLU or a mixture of experts. */
public interface FeedForward {
    /** x (N, H) flattened tokens -> (N, H). */
    NDArray forward(NDArray x, ForwardContext ctx);
}
