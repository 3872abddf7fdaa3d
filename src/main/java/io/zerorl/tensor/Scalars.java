package io.zerorl.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.HashMap;
import java.util.Map;

/**
 * Scalar constants owned by torch. DJL's {@code Number} overloads ({@code x.mul(2f)}, {@code x.add(1e-6f)}) wrap a
 * Java buffer and close it at once while autograd may still read it (docs/DJL-NOTES.md, hazard 2), so any constant
 * used in a differentiated expression is made here: once per call ({@link #of}, {@link #like}), living in the
 * caller's manager or scope, or once per model ({@link #cached} on an instance kept with the model's weights).
 */
public final class Scalars {
    private final NDManager manager;
    private final Map<String, NDArray> cache = new HashMap<>();

    /** A cache of constants owned by {@code manager} (a model's), alive as long as it is. */
    public Scalars(NDManager manager) {
        this.manager = manager;
    }

    /** The constant {@code value} of {@code type}, created on first use and kept. */
    public synchronized NDArray cached(double value, DataType type) {
        return cache.computeIfAbsent(type + ":" + value, k -> {
            NDArray a = manager.full(new Shape(), (float) value, type);
            // created lazily, possibly inside a caller's NDScope (a training step): it must outlive that scope
            NDScope.unregister(a);
            return a;
        });
    }

    /** A 0-dim float32 constant in {@code manager}. */
    public static NDArray of(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value);
    }

    /** A 0-dim constant with the dtype, device and manager of {@code like} (keeps fp16 math in fp16). */
    public static NDArray like(NDArray like, double value) {
        DataType type = like.getDataType().isFloating() ? like.getDataType() : DataType.FLOAT32;
        return like.getManager().full(new Shape(), (float) value, type, like.getDevice());
    }
}
