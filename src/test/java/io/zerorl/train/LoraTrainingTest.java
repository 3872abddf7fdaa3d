package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.model.LoraTest;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.recipe.Recipe;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GRPO with LoRA: only adapters train, the reference is the base itself, checkpoints and exports hold adapters. */
class LoraTrainingTest {
    @TempDir
    Path tmp;

    static final String[] LORA = {"lora.r=4", "lora.alpha=8", "optim.lr=0.01", "optim.weight_decay=0.0",
        "optim.warmup_steps=0"};

    static Recipe recipe(Path out, String... extra) {
        List<String> o = new ArrayList<>(Arrays.asList(LORA));
        o.addAll(List.of(extra));
        return TrainerFeaturesTest.recipe("qwen2-tiny", out, o.toArray(String[]::new));
    }

    @Test
    void onlyAdaptersTrainAndTheirKlToTheBaseStartsAtZero() {
        try (GrpoTrainer t = new GrpoTrainer(recipe(tmp.resolve("a"), "train.steps=2", "algo.beta=0.04"), false)) {
            assertThat(t.hasReference()).isTrue();
            Map<String, float[]> base = new HashMap<>();
            t.policy().parameters().forEach((n, p) -> base.put(n, p.toFloatArray()));
            Map<String, float[]> adapters = new HashMap<>();
            t.policy().adapters().parameters().forEach((n, p) -> adapters.put(n, p.toFloatArray()));
            Map<String, Object> first = t.runStep();
            // fresh adapters (B = 0) are the base exactly, so the policy's KL to the base is 0 at the first step
            assertThat(((Number) first.get("kl")).doubleValue()).isZero();
            t.runStep();
            t.policy().parameters().forEach((n, p) -> assertThat(p.toFloatArray()).as(n).containsExactly(base.get(n)));
            List<String> unchanged = new ArrayList<>();
            t.policy().adapters().parameters().forEach((n, p) -> {
                if (Arrays.equals(adapters.get(n), p.toFloatArray())) {
                    unchanged.add(n);
                }
            });
            // B moves at step 1 (A's gradient is B^T ... = 0 there), A from step 2 on: after two steps every tensor
            assertThat(unchanged).as("adapter tensors not updated").isEmpty();
        }
    }

    @Test
    void resumeFromAnAdapterCheckpointReproducesTheRunAndExportsMergeOrKeepTheAdapter() {
        String[] common = {"train.steps=4", "checkpoint.every=2", "checkpoint.keep=1", "algo.beta=0.04",
            "export.dtype=fp32", "export.at_end=true", "export.lora=both", "lora.dropout=0.1"};
        TrainResult full = GrpoTrainer.run(recipe(tmp.resolve("full"), common), false, null);
        Path run = tmp.resolve("killed");
        assertThatThrownBy(() -> GrpoTrainer.run(recipe(run, common), false, (step, m) -> {
            if (step == 3) {
                throw new IllegalStateException("simulated kill after step 3");
            }
        })).hasMessageContaining("simulated kill");
        Path ck = new RunCheckpoints(run.resolve("checkpoints"), 1).latest();
        assertThat(PeftAdapter.isAdapter(ck)).isTrue();
        assertThat(ck.resolve("model.safetensors")).doesNotExist();
        TrainResult resumed = GrpoTrainer.run(recipe(run, common), true, null);
        for (int i = 0; i < 2; i++) {
            Map<String, Object> a = full.history().get(2 + i);
            Map<String, Object> b = resumed.history().get(i);
            for (String k : a.keySet()) {
                if (!TrainerFeaturesTest.NONDETERMINISTIC.contains(k)) {
                    assertThat(b.get(k)).as("step %s %s", a.get("step"), k).isEqualTo(a.get(k));
                }
            }
        }
        // the merged export computes what base + adapter computes
        Path export = resumed.exportDir();
        float[] merged;
        try (Policy p = Policy.load(export, Device.cpu(), DataType.FLOAT32)) {
            merged = LoraTest.logits(p);
        }
        try (Policy p = Policy.load(io.zerorl.TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
            p.attach(PeftAdapter.read(export.resolve("adapter"), p));
            float[] adapted = LoraTest.logits(p);
            double max = 0;
            for (int i = 0; i < adapted.length; i++) {
                max = Math.max(max, Math.abs(adapted[i] - merged[i]));
            }
            assertThat(max).isLessThan(1e-5);
        }
    }

    @Test
    void badLoraSettingsFailBeforeAnyModelLoads() {
        assertThatThrownBy(() -> recipe(tmp.resolve("b"), "train.ref_sync_steps=2", "algo.beta=0.04"))
                .isInstanceOf(ZerorlException.class).hasMessageContaining("train.ref_sync_steps must be 0 with LoRA");
        assertThatThrownBy(() -> recipe(tmp.resolve("c"), "lora.r=-1")).hasMessageStartingWith("lora.r must be >= 0");
        assertThatThrownBy(() -> new GrpoTrainer(recipe(tmp.resolve("d"), "lora.init_from=" + tmp), false))
                .hasMessageContaining("lora.init_from").hasMessageContaining("is not a PEFT adapter folder");
        assertThatThrownBy(() -> new GrpoTrainer(recipe(tmp.resolve("e"), "lora.target_modules=[wq]"), false))
                .hasMessageContaining("match no projection");
    }
}
