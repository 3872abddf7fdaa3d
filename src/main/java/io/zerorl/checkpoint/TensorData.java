package io.zerorl.checkpoint;

import io.zerorl.util.DirectBuffers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The bytes of one tensor, produced only when the writer reaches it, so a checkpoint can be written with
 * one tensor (or one chunk of one) in memory at a time. {@link #emit} passes the data in order as one or
 * more buffers; each is fully consumed before {@code emit} continues, so a buffer may be reused.
 *
 * <p>For a {@linkplain TensorEntry#float32 float32} entry the bytes are read in each buffer's own
 * {@link ByteBuffer#order()} (DJL and {@code readFloat32} give little-endian; a heap {@code ByteBuffer}
 * defaults to big-endian) and every buffer must hold whole floats. For a {@linkplain TensorEntry#raw raw}
 * entry the bytes are copied verbatim and must already be in safetensors layout (little-endian).
 */
@FunctionalInterface
public interface TensorData {
    void emit(Consumer<ByteBuffer> sink) throws IOException;

    /** A buffer that already exists: its remaining bytes (its position and limit are left untouched). */
    static TensorData of(ByteBuffer buffer) {
        ByteOrder order = buffer.order();
        return sink -> sink.accept(buffer.duplicate().order(order)); // duplicate() would reset the order
    }

    /** A buffer made on demand, e.g. {@code () -> checkpoint.readFloat32(name)} or an NDArray's bytes. */
    static TensorData lazy(Supplier<? extends ByteBuffer> supplier) {
        return sink -> {
            ByteBuffer b = supplier.get();
            sink.accept(b.duplicate().order(b.order()));
        };
    }

    /**
     * As {@link #lazy}, for a supplier that makes a new direct buffer each time and hands it over (e.g.
     * {@code checkpoint.readFloat32(name)}): its memory is freed as soon as the writer consumed it, rather than when a
     * GC collects it, so a whole checkpoint streamed this way holds one tensor's bytes at a time.
     */
    static TensorData lazyOwned(Supplier<? extends ByteBuffer> supplier) {
        return sink -> {
            ByteBuffer b = supplier.get();
            try {
                sink.accept(b.duplicate().order(b.order()));
            } finally {
                DirectBuffers.free(b);
            }
        };
    }

    static TensorData ofFloats(float[] values) {
        return sink -> {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            sink.accept(b);
        };
    }
}
