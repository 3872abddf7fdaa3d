package io.zerorl.train;

import ai.djl.ndarray.BaseNDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steps leave nothing behind in the policy's long-lived manager (DJL frees memory only on close: an intermediate that
 * lands there is a leak of one model-sized tensor per step), including the reference-model sync.
 */
class TrainerMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void theArraysOfThePolicyManagerStayConstantAcrossStepsWithReferenceSync() {
        List<Integer> live = new ArrayList<>();
        try (GrpoTrainer t = new GrpoTrainer(TrainerTest.toy(tmp.resolve("run"), "train.steps=5", "algo.beta=0.04",
                "train.ref_sync_steps=1", "train.ref_sync_alpha=0.5"), false)) {
            assertThat(t.hasReference()).isTrue();
            BaseNDManager m = (BaseNDManager) t.policy().manager();
            t.train((step, metrics) -> live.add(m.getManagedArrays().size()));
        }
        assertThat(live).hasSize(5);
        assertThat(live.subList(1, 5)).as("arrays in the policy's manager after steps 1..5: " + live)
                .containsOnly(live.get(1));
    }
}
