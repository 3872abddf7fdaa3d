package io.zerorl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DjlSmokeTest {
    @Test
    void pytorchEngineLoadsOffline() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.arange(6f).reshape(2, 3);
            assertThat(a.sum().getFloat()).isEqualTo(15f);
            assertThat(m.getEngine().getEngineName()).isEqualTo("PyTorch");
        }
    }
}
