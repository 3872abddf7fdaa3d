package io.zerorl.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.data.DataDirs;
import io.zerorl.data.Dataset;
import io.zerorl.data.DatasetRegistry;
import io.zerorl.eval.EvalConfig;
import io.zerorl.eval.EvalDuringTraining;
import io.zerorl.eval.PolicyGenerator;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The trainer evaluates every N steps on a held-out set and logs the metrics with the step's own. */
class TrainerEvalHookTest {
    @Test
    void evalMetricsAreLoggedEveryNSteps(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Dataset heldOut = DatasetRegistry.builtin().load("gsm8k", DataDirs.resolve(TestPaths.datasets()));
        EvalConfig cfg = EvalConfig.builder("gsm8k").n(2).ks(1, 2).template("plain").temperature(1.0)
                .maxNewTokens(8).limit(3).seed(0).build();
        try (GrpoTrainer trainer = new GrpoTrainer(TrainerTest.toy(run, "train.steps=4"), false);
             Tokenizer tok = Tokenizer.load(TestPaths.fixture("qwen2-tiny"));
             EvalDuringTraining eval = new EvalDuringTraining(2, cfg, List.of(heldOut),
                     new PolicyGenerator(trainer.policy(), tok, "training policy"))) {
            trainer.withEvalHook((step, policy) -> eval.maybeEvaluate(step)).train(null);
        }
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(4);
        for (int i = 0; i < 4; i++) {
            JsonNode m = Json.MAPPER.readTree(lines.get(i));
            boolean due = (i + 1) % 2 == 0;
            assertThat(m.has("eval/gsm8k/pass@1")).as("step %d", i + 1).isEqualTo(due);
            if (due) {
                assertThat(m.get("eval/gsm8k/pass@1").asDouble()).isBetween(0.0, 1.0);
                assertThat(m.has("eval/gsm8k/pass@2")).isTrue();
            }
        }
    }

    /** Step 0: a non-empty hook result before the first step is a baseline line of its own, not a training step. */
    @Test
    void aBaselineFromTheHookAtStepZeroIsLoggedBeforeTheFirstStep(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        List<Integer> calledAt = new java.util.ArrayList<>();
        TrainResult r;
        try (GrpoTrainer trainer = new GrpoTrainer(TrainerTest.toy(run, "train.steps=2"), false)) {
            r = trainer.withEvalHook((step, policy) -> {
                calledAt.add(step);
                return step == 0 ? java.util.Map.of("eval/x/pass@1", 0.25) : java.util.Map.of();
            }).train((step, m) -> assertThat(step).isPositive());
        }
        assertThat(calledAt).containsExactly(0, 1, 2);
        assertThat(r.history()).hasSize(2);
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(3);
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertThat(first.get("step").asInt()).isZero();
        assertThat(first.get("eval/x/pass@1").asDouble()).isEqualTo(0.25);
        assertThat(first.has("reward")).isFalse();
        assertThat(Json.MAPPER.readTree(lines.get(1)).get("step").asInt()).isEqualTo(1);
    }
}
