package io.zerorl.model;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Router outputs collected during one forward pass, for the load-balancing loss and for logs.
 * Per MoE layer: the routing probabilities (N, E) (softmax or sigmoid scores, differentiable) and the
 * number of tokens each expert received.
 */
public final class RoutingStats {
    /** One MoE layer's record. */
    public record Layer(int layer, NDArray probs, long[] tokensPerExpert) {}

    private final List<Layer> layers = new ArrayList<>();

    void add(int layer, NDArray probs, long[] counts) {
        layers.add(new Layer(layer, probs, counts));
    }

    public List<Layer> layers() {
        return layers;
    }
}
