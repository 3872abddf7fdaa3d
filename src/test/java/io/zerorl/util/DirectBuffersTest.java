package io.zerorl.util;

import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class DirectBuffersTest {
    private static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow().getMemoryUsed();
    }

    @Test
    void freeingADirectBufferReturnsItsMemoryAtOnceAndIgnoresWhatOwnsNone() {
        ByteBuffer big = ByteBuffer.allocateDirect(32 << 20);
        big.putLong(0, 42);
        long before = directBytes();
        DirectBuffers.free(big.slice()); // a slice owns nothing: left alone, the buffer stays usable
        DirectBuffers.free(big.duplicate());
        assertThat(big.getLong(0)).isEqualTo(42);
        assertThat(directBytes()).isEqualTo(before);
        DirectBuffers.free(big);
        assertThat(before - directBytes()).as("bytes released without a GC").isEqualTo(32L << 20);
        DirectBuffers.free(ByteBuffer.allocate(16)); // heap buffers: nothing to do
        DirectBuffers.free(null);
    }
}
