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

/** zerorl distill end to end on the fixtures: both phases, evaluation during SFT, and the phases run alone. */
class DistillCommandTest {
    @Test
    void bothPhasesThenSftAloneWithEvaluationDuringTraining(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        String[] common = {"distill", "recipes/qwen2-tiny/distill/toy.yaml", "--set", "output_dir=" + run,
            "--set", "model.path=" + TestPaths.fixture("qwen2-tiny"), "--set",
            "distill.teacher=" + TestPaths.fixture("qwen3-tiny"), "--set", "data.data_dir=" + TestPaths.datasets()};
        CliRun.Result r = CliRun.run(common);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("traces: 16 prompts, 128 completions", "sft: done");
        long kept = Files.readAllLines(run.resolve("traces.jsonl")).size();
        assertThat(r.out()).contains(kept + " kept");
        // the SFT phase alone, again, with the recipe's eval section
        List<String> args = new java.util.ArrayList<>(List.of(common));
        args.addAll(List.of("--phase", "sft", "--set", "eval.every=2", "--set", "eval.at_start=true", "--set",
                "eval.benchmarks=[gsm8k]", "--set", "eval.limit=2", "--set", "eval.max_new_tokens=4", "--set",
                "eval.template=plain"));
        CliRun.Result s = CliRun.run(args.toArray(String[]::new));
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.out()).doesNotContain("traces: 16 prompts").contains("step 0  (before training)  eval/gsm8k/pass@1");
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertThat(first.get("step").asInt()).isZero();
        assertThat(first.has("eval/gsm8k/pass@1")).isTrue();
        JsonNode second = Json.MAPPER.readTree(lines.get(2));
        assertThat(second.get("step").asInt()).isEqualTo(2);
        assertThat(second.has("eval/gsm8k/pass@1")).isTrue();
        assertThat(second.has("loss")).isTrue();
        // a bad phase name is a usage error
        CliRun.Result bad = CliRun.run("distill", "recipes/qwen2-tiny/distill/toy.yaml", "--phase", "both");
        assertThat(bad.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(bad.err()).contains("--phase must be traces, sft or all");
    }
}
