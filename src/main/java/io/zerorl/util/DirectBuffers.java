package io.zerorl.util;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Releases a direct buffer's native memory (or a file mapping) at once instead of whenever the GC collects the
 * buffer object. Java 17 has no public way; {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported) is what
 * Lucene and Netty use. With a small, rarely collected heap a dead buffer can keep its memory for the whole run: the
 * 64 MB staging buffer of a model load stayed resident through every later step, and a full read of a large
 * checkpoint kept every page it touched mapped.
 *
 * <p>Only call it on a buffer that nothing else references (no tensor wrapping it, no slice or duplicate in use):
 * touching a released buffer crashes the JVM. Where the API is unavailable, or for a slice or duplicate (which own
 * no memory), this is a no-op and the GC releases it later.
 */
public final class DirectBuffers {
    private static final MethodHandle INVOKE_CLEANER = find();

    private DirectBuffers() {}

    private static MethodHandle find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Frees {@code buffer}'s memory now (see the class comment for when that is safe); heap buffers are ignored. */
    public static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact(buffer);
        } catch (Throwable ignored) {
            // a slice or duplicate (IllegalArgumentException): its owner's cleaner or the GC frees it
        }
    }
}
