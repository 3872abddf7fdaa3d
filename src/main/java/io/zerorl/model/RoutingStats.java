package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.zerorl.tensor.Scalars;

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

    /**
     * Switch Transformer / transformers {@code load_balancing_loss_func}: E * sum_e f_e * P_e per MoE layer, with
     * f_e the share of routed token slots sent to expert e (counts / N, summed over the top-k) and P_e the mean
     * router probability of e; averaged over layers. Padding tokens are included, as in transformers without a
     * mask. Differentiable through the probabilities; the constants land in {@code m}. Needs at least one layer.
     */
    public NDArray loadBalancingLoss(NDManager m) {
        if (layers.isEmpty()) {
            throw new IllegalStateException("no MoE layer was routed in this forward pass");
        }
        NDArray total = null;
        for (Layer l : layers) {
            NDArray probs = l.probs();
            long n = probs.getShape().get(0);
            int e = (int) probs.getShape().get(1);
            float[] f = new float[e];
            for (int i = 0; i < e; i++) {
                f[i] = (float) l.tokensPerExpert()[i] / n;
            }
            NDArray frac;
            try (NDArray view = m.create(f)) {
                frac = view.duplicate().toType(probs.getDataType(), false);
            }
            NDArray layer = probs.mean(new int[] {0}).mul(frac).sum().mul(Scalars.like(probs, e));
            total = total == null ? layer : total.add(layer);
        }
        return total.div(Scalars.like(total, layers.size()));
    }
}
