package io.zerorl.train;

import ai.djl.ndarray.BaseNDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** A step with activation checkpointing computes what a plain step computes (MoE with load balancing, LoRA). */
    @Test
    void activationCheckpointingGivesThePlainStepsMetrics() {
        for (String[] extra : new String[][] {{"train.moe.router_aux_loss_coef=0.01"}, {"lora.r=4", "lora.alpha=8"}}) {
            Map<String, Object>[] m = new Map[2];
            for (int i = 0; i < 2; i++) {
                java.util.List<String> o = new java.util.ArrayList<>(java.util.List.of("train.steps=1",
                        "train.activation_checkpointing=" + (i == 1), "train.micro_batch_size=5"));
                o.addAll(java.util.List.of(extra));
                try (GrpoTrainer t = new GrpoTrainer(TrainerFeaturesTest.recipe("qwen3moe-tiny", tmp.resolve("ck" + i
                        + extra.length), o.toArray(String[]::new)), false)) {
                    m[i] = t.runStep();
                }
            }
            for (String k : new String[] {"loss", "moe/aux_loss", "grad_norm", "entropy"}) {
                Object a = m[0].get(k);
                if (a == null) {
                    assertThat(m[1].get(k)).as(k).isNull();
                    continue;
                }
                assertThat(((Number) m[1].get(k)).doubleValue()).as(k + " " + String.join(",", extra))
                        .isCloseTo(((Number) a).doubleValue(), org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }
}
