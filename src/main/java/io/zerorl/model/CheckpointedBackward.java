package io.zerorl.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.Seeds;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Activation checkpointing per decoder layer (Chen et al. 2016; {@code torch.utils.checkpoint}). The forward pass
 * runs without a graph and keeps only each layer's input. The loss is computed from the last layer's output (a leaf)
 * and back-propagated to it. Then, from the last layer to the first, each layer runs again from its saved input, with
 * a graph, and is back-propagated with the gradient of its output as the vector-Jacobian product
 * {@code sum(y * g)}; the embedding gets the first layer's input gradient last. Parameter gradients accumulate as in
 * a plain backward: the same values up to float rounding. Memory: one layer's activations at a time, plus a
 * {@code (B, T, H)} input per layer.
 *
 * <p>LoRA dropout draws from torch's generator, which is reseeded before each layer in both passes, so the recomputed
 * masks are the first pass's. The MoE load-balancing loss (times {@code auxWeight}) is added layer by layer: each
 * MoE layer's share ({@code 1 / number of MoE layers} of the mean) joins its recomputation's backward. DJL frees memory
 * only on close (docs/DJL-NOTES.md, hazard 6): every layer runs in its own scope.
 */
public final class CheckpointedBackward {
    /**
     * @param loss    the value the head returned
     * @param auxLoss the load-balancing loss (mean over MoE layers), or null when not asked for
     */
    public record Result(double loss, Double auxLoss) {}

    private final Policy policy;
    private final double auxWeight;
    private final long seed;

    /**
     * @param auxWeight weight of the load-balancing loss in the total (0 = none), already times any loss scale
     * @param seed      reseeds torch's generator per layer when LoRA dropout is on
     */
    CheckpointedBackward(Policy policy, double auxWeight, long seed) {
        this.policy = policy;
        this.auxWeight = auxWeight;
        this.seed = seed;
    }

    /**
     * @param head the loss from the final hidden states (B, T, H), after the final norm; runs inside a gradient
     *             collector and a scope that closes every array it makes: copy out what must outlive it
     */
    Result run(NDArray ids, NDArray attentionMask, NDArray positionIds, Function<NDArray, NDArray> head) {
        List<DecoderLayer> layers = policy.decoderLayers();
        List<NDArray> inputs = new ArrayList<>(layers.size());
        ForwardContext ctx;
        NDArray x;
        try (NoGrad ng = new NoGrad()) {
            ctx = policy.context(positionIds, policy.maskBias(ids, attentionMask), null, null);
            x = Ops.rows(policy.embedding(), ids);
            for (int l = 0; l < layers.size(); l++) {
                inputs.add(x);
                x = keep(l, layers.get(l), x, ctx);
            }
        }
        double[] loss = new double[1];
        NDArray g = headBackward(x, head, loss);
        double aux = 0;
        int moeLayers = (int) layers.stream().filter(d -> d.ffn instanceof MoeFeedForward).count();
        for (int l = layers.size() - 1; l >= 0; l--) {
            double[] layerAux = new double[1];
            NDArray next = layerBackward(l, layers.get(l), inputs.get(l), g, ctx, moeLayers, layerAux);
            aux += layerAux[0];
            g.close();
            g = next;
        }
        if (policy.embedding().hasGradient()) {
            try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                scope.suppressNotUsedWarning();
                gc.backward(Ops.rows(policy.embedding(), ids).mul(g).sum());
            }
        }
        g.close();
        inputs.forEach(NDArray::close);
        return new Result(loss[0], auxWeight > 0 && moeLayers > 0 ? aux : null);
    }

    /** One layer without a graph; only its output outlives the step. */
    private NDArray keep(int l, DecoderLayer layer, NDArray x, ForwardContext ctx) {
        try (NDScope scope = new NDScope()) {
            reseed(l);
            NDArray y = layer.forward(x, ctx);
            NDScope.unregister(y);
            return y;
        }
    }

    /** The loss from the last layer's output, back-propagated; returns the output's gradient. */
    private NDArray headBackward(NDArray x, Function<NDArray, NDArray> head, double[] loss) {
        try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray leaf = leaf(x);
            NDArray value = head.apply(policy.finalNorm(leaf));
            loss[0] = value.toType(DataType.FLOAT64, false).getDouble();
            gc.backward(value);
            return gradient(leaf);
        }
    }

    /** Layer {@code l} again from its input, back-propagated with {@code g}; returns the input's gradient. */
    private NDArray layerBackward(int l, DecoderLayer layer, NDArray input, NDArray g, ForwardContext ctx,
                                  int moeLayers, double[] aux) {
        try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray leaf = leaf(input);
            boolean moe = auxWeight > 0 && layer.ffn instanceof MoeFeedForward;
            RoutingStats routing = moe ? new RoutingStats() : null;
            ForwardContext c = moe ? new ForwardContext(ctx.cos(), ctx.sin(), ctx.maskBias(), null, routing, ctx.lora())
                    : ctx;
            reseed(l);
            NDArray s = layer.forward(leaf, c).mul(g).sum();
            if (moe && !routing.layers().isEmpty()) {
                NDArray lb = routing.loadBalancingLoss(leaf.getManager());
                aux[0] = lb.toType(DataType.FLOAT64, false).getDouble() / moeLayers;
                s = s.add(lb.mul(Scalars.like(lb, auxWeight / moeLayers)));
            }
            gc.backward(s);
            return gradient(leaf);
        }
    }

    private static NDArray leaf(NDArray x) {
        NDArray leaf = x.stopGradient();
        leaf.setRequiresGradient(true);
        return leaf;
    }

    /** A copy of the leaf's gradient that outlives the scope. */
    private static NDArray gradient(NDArray leaf) {
        NDArray g = leaf.getGradient().duplicate();
        NDScope.unregister(g);
        return g;
    }

    private void reseed(int layer) {
        LoraAdapters lora = policy.adapters();
        if (lora != null && lora.isTraining() && lora.config().dropout() > 0) {
            Engine.getInstance().setRandomSeed((int) Seeds.mix(seed, layer));
        }
    }
}
