package io.zerorl.checkpoint;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Releases a memory mapping at once instead of whenever the GC collects the buffer. Java 17 has no public
 * unmap; {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported) is what Lucene and Netty use. With
 * a small heap the GC may not run for a long time, so without this a full read of a large checkpoint keeps
 * every page it touched mapped and counted in the process's RSS.
 *
 * <p>Only call it on a mapping that nothing else references: touching an unmapped buffer crashes the JVM.
 * The reader therefore unmaps only the private windows it converts from, never a buffer it hands out.
 * Where the API is unavailable this is a no-op and the GC unmaps later.
 */
final class Unmapper {
    private static final MethodHandle INVOKE_CLEANER = find();

    private Unmapper() {}

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

    static void unmap(MappedByteBuffer buffer) {
        if (INVOKE_CLEANER == null || buffer == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) buffer);
        } catch (Throwable ignored) {
            // leave it to the GC
        }
    }
}
