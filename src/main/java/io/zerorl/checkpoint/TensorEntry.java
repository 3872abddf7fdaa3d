package io.zerorl.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor to write: its name, shape and lazily produced data. A {@link #float32} entry supplies float32
 * values and is stored in {@link WriteOptions#floatDtype()} (F32, F16 or BF16); a {@link #raw} entry
 * supplies bytes already in {@code dtype} and is stored verbatim.
 */
public record TensorEntry(String name, DType dtype, long[] shape, boolean raw, TensorData data) {
    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        if (!raw && dtype != DType.F32) {
            throw new IllegalArgumentException("a converted entry supplies F32 data; use raw() for " + dtype);
        }
    }

    public static TensorEntry float32(String name, long[] shape, TensorData data) {
        return new TensorEntry(name, DType.F32, shape, false, data);
    }

    public static TensorEntry raw(String name, DType dtype, long[] shape, TensorData data) {
        return new TensorEntry(name, dtype, shape, true, data);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The dtype this entry is stored in under the given options. */
    public DType storedDtype(WriteOptions options) {
        return raw ? dtype : options.floatDtype();
    }

    @Override
    public String toString() {
        return name + " " + (raw ? dtype : "float32") + Arrays.toString(shape);
    }
}
