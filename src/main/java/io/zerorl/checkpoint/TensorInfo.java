package io.zerorl.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where one tensor lives: its file, the absolute byte offset of its first byte in that file (header
 * included) and its byte length. The shape array is copied in and out, so instances are immutable.
 */
public record TensorInfo(String name, DType dtype, long[] shape, Path file, long offset, long byteLength) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(file, "file");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    /** Number of elements: the product of the shape (1 for a scalar). Validated not to overflow on open. */
    public long numel() {
        return numel(shape);
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && file.equals(t.file)
                && offset == t.offset && byteLength == t.byteLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), file, offset, byteLength);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @" + file.getFileName() + ":" + offset
                + "+" + byteLength;
    }
}
