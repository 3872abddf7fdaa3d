package io.zerorl.algo;

import ai.djl.ndarray.NDArray;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The scalar loss to call backward on, and metrics of this (micro-)batch (token-masked means; see
 * {@link GrpoLoss} for names). Metrics are plain doubles read without gradient, computed when first asked for: after
 * the backward, a training step's saved activations are gone by then, so the metrics' vocabulary-sized temporaries
 * (the entropy's) do not add to its peak; a pass whose metrics nobody reads skips them. The arrays they read must
 * still be open then.
 */
public final class LossResult {
    private final NDArray loss;
    private Supplier<Map<String, Double>> pending;
    private Map<String, Double> metrics;

    public LossResult(NDArray loss, Supplier<Map<String, Double>> metrics) {
        this.loss = loss;
        this.pending = metrics;
    }

    public NDArray loss() {
        return loss;
    }

    public Map<String, Double> metrics() {
        if (metrics == null) {
            metrics = pending.get();
            pending = null;
        }
        return metrics;
    }
}
