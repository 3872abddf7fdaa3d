package io.zerorl.tensor;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NativeAllocatorTest {
    @Test
    void setsGlibcThresholdsUnlessTheUserChoseOtherwise() {
        assertThat(NativeAllocator.apply("default", null, null)).contains("ZERORL_MALLOC=default");
        assertThat(NativeAllocator.apply(null, "glibc.malloc.arena_max=2", null)).contains("GLIBC_TUNABLES");
        assertThat(NativeAllocator.apply(null, null, "MALLOC_TOP_PAD_")).isEqualTo("glibc defaults plus MALLOC_TOP_PAD_");
        // Linux with glibc here (the CI machines too): mallopt accepts all three
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "glibc is Linux's");
        String set = "glibc, mmap and trim thresholds 32 MiB, top pad 4 MiB";
        assertThat(NativeAllocator.apply(null, null, null)).isEqualTo(set);
        assertThat(NativeAllocator.apply(null, "glibc.rtld.nns=2", null)).as("other tunables do not count").isEqualTo(set);
        assertThat(NativeAllocator.configure()).isEqualTo(NativeAllocator.configure()); // once per process
    }
}
