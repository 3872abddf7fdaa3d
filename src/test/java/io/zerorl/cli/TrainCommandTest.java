package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code zerorl train} with the recipe's eval section: evaluation is turned on from the recipe alone. */
class TrainCommandTest {
    private static String[] train(Path run, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "recipes/qwen2-tiny/grpo/toy.yaml",
                "--set", "model.path=" + TestPaths.fixture("qwen2-tiny"), "--set", "output_dir=" + run,
                "--set", "train.steps=4", "--set", "data.data_dir=" + TestPaths.datasets()));
        for (String e : extra) {
            args.add("--set");
            args.add(e);
        }
        return args.toArray(String[]::new);
    }

    @Test
    void evalSectionLogsPassAtOneWithTheStepsItIsDueAndABaselineAtStepZero(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        CliRun.Result r = CliRun.run(train(run, "eval.every=2", "eval.at_start=true", "eval.benchmarks=[gsm8k]",
                "eval.limit=2", "eval.max_new_tokens=4"));
        assertThat(r.code()).as(r.err()).isZero();

        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(5); // the baseline (step 0) and steps 1..4
        for (int i = 0; i < lines.size(); i++) {
            JsonNode m = Json.MAPPER.readTree(lines.get(i));
            assertThat(m.get("step").asInt()).isEqualTo(i);
            boolean due = i % 2 == 0;
            assertThat(m.has("eval/gsm8k/pass@1")).as("step %d", i).isEqualTo(due);
            if (due) {
                assertThat(m.get("eval/gsm8k/pass@1").asDouble()).isBetween(0.0, 1.0);
                assertThat(m.get("eval/gsm8k/problems").asInt()).isEqualTo(2);
                assertThat(m.get("eval/step").asInt()).isEqualTo(i);
            }
            assertThat(m.has("reward")).as("step %d is a training step", i).isEqualTo(i > 0);
        }
        // the step log line carries the eval metrics too, and the baseline has its own line
        assertThat(r.out()).containsPattern("step 0 +\\(before training\\) +eval/gsm8k/pass@1 ")
                .containsPattern("step 2 .*eval/gsm8k/pass@1 ").containsPattern("step 4 .*eval/gsm8k/pass@1 ");
        assertThat(r.out().lines().filter(l -> l.startsWith("step 3 ")).findFirst().orElseThrow()).doesNotContain("eval/");
        assertThat(run.resolve("eval/step_000002/gsm8k/problems.jsonl")).isRegularFile();
        assertThat(run.resolve("eval/step_000004/summary.md")).isRegularFile();
    }

    @Test
    void evalIsOffByDefaultAndABadEvalSectionFailsBeforeTheModelLoads(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        CliRun.Result bad = CliRun.run(train(run, "eval.every=2", "eval.benchmarks=[gsm9k]"));
        assertThat(bad.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(bad.err()).contains("unknown benchmark 'gsm9k'", "did you mean 'gsm8k'", "math500");
        assertThat(run.resolve("metrics.jsonl")).doesNotExist();
    }
}
