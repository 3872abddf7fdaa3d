package io.zerorl.tensor;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NativeAllocatorTest {
    @Test
    void setsGlibcThresholdsUnlessTheUserChoseOtherwise() {
        assertThat(NativeAllocator.apply(Map.of("ZERORL_MALLOC", "default"))).contains("ZERORL_MALLOC=default");
        assertThat(NativeAllocator.apply(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")))
                .contains("GLIBC_TUNABLES");
        assertThat(NativeAllocator.apply(Map.of("MALLOC_TOP_PAD_", "1048576")))
                .isEqualTo("glibc defaults plus MALLOC_TOP_PAD_");
        // Linux with glibc here (the CI machines too): mallopt accepts all three
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "glibc is Linux's");
        String set = "glibc, mmap and trim thresholds 32 MiB, top pad 4 MiB";
        assertThat(NativeAllocator.apply(Map.of())).isEqualTo(set);
        assertThat(NativeAllocator.apply(Map.of("GLIBC_TUNABLES", "glibc.rtld.nns=2")))
                .as("other tunables do not count")
                .isEqualTo(set);
        assertThat(NativeAllocator.configure()).isEqualTo(NativeAllocator.configure()); // once per process
    }
}
