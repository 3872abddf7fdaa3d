package io.zerorl.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar constants owned by torch. DJL's {@code Number} overloads ({@code x.mul(2f)}, {@code x.add(1e-6f)})
 * wrap a Java buffer and close it at once while autograd may still read it (DJL-NOTES hazard 2), so any
 * constant used in a differentiated expression is made here and lives in the caller's manager or scope.
 */
public final class Scalars {
    private Scalars() {}

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
