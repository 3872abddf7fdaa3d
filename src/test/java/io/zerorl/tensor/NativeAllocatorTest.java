package io.zerorl.tensor;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NativeAllocatorTest {
    @Test
    void setsGlibcThresholdsUnlessTheUserChoseOtherwise() {
        assertThat(NativeAllocator.apply("default", null)).contains("ZERORL_MALLOC=default");
        assertThat(NativeAllocator.apply(null, "glibc.malloc.arena_max=2")).contains("GLIBC_TUNABLES");
        // Linux with glibc here (the CI machines too): mallopt accepts both thresholds
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "glibc is Linux's");
        assertThat(NativeAllocator.apply(null, null)).isEqualTo("glibc, mmap and trim thresholds 32 MiB");
        assertThat(NativeAllocator.apply(null, "glibc.rtld.nns=2")).as("other tunables do not count")
                .isEqualTo("glibc, mmap and trim thresholds 32 MiB");
        assertThat(NativeAllocator.configure()).isEqualTo(NativeAllocator.configure()); // once per process
    }
}
