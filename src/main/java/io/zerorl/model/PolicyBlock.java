package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.Map;

/**
 * A {@link Policy} as a DJL {@link ai.djl.nn.Block}, for code that works with DJL's block API
 * (parameter listing, {@code Model}/{@code Predictor}). Its parameters are the policy's own arrays
 * registered as DJL {@link Parameter}s under their Hugging Face names.
 *
 * <p>Inputs: {@code (input_ids, attention_mask[, position_ids])}, int64 (B, T); position ids default
 * to {@code cumsum(mask) - 1} clamped at 0. Output: logits (B, T, V).
 *
 * <p>The policy itself is not built from nested DJL blocks: a block's NDList-in/NDList-out forward
 * cannot carry the KV cache, position ids and router statistics each layer needs, and every
 * {@link ParameterStore} lookup adds per-op overhead on the hot decode path.
 */
public final class PolicyBlock extends AbstractBlock {
    private final Policy policy;

    public PolicyBlock(Policy policy) {
        this.policy = policy;
        for (Map.Entry<String, NDArray> e : policy.parameters().entrySet()) {
            addParameter(Parameter.builder().setName(e.getKey()).setType(Parameter.Type.WEIGHT)
                    .optShape(e.getValue().getShape()).optArray(e.getValue()).build());
        }
        inputNames = java.util.List.of("input_ids", "attention_mask", "position_ids");
    }

    public Policy policy() {
        return policy;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : ids.onesLike();
        NDArray positions = inputs.size() > 2 ? inputs.get(2) : defaultPositions(mask);
        return new NDList(policy.forward(ids, mask, positions));
    }

    private static NDArray defaultPositions(NDArray mask) {
        NDArray m = mask.toType(DataType.INT64, false);
        NDArray p = m.cumSum(1).sub(m.getManager().ones(new Shape(), DataType.INT64));
        return p.maximum(m.getManager().zeros(new Shape(), DataType.INT64));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        return new Shape[] {new Shape(ids.get(0), ids.get(1), policy.config().vocabSize)};
    }

    @Override
    public void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
        // weights come from the policy (loaded or initialised there)
    }
}
