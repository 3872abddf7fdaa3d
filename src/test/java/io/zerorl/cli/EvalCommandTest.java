package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EvalCommandTest {
    static CliRun.Result run(String... args) {
        return CliRun.run(args);
    }

    private static String data() {
        return TestPaths.datasets().toString();
    }

    @Test
    void oracleThroughTheCliWritesReports(@TempDir Path out) throws IOException {
        CliRun.Result r = run("eval", "--reference", "oracle", "--benchmark", "gsm8k,humaneval", "--limit", "5", "--n", "2",
                "--k", "1,2", "--data-dir", data(), "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("| benchmark | n | pass@1 (%) | pass@2 (%) | maj@1 (%) | maj@2 (%) | problems | time |",
                "| gsm8k | 2 | 100.0 ± 0.0 | 100.0 ± 0.0 | 100.0 ± 0.0 | 100.0 ± 0.0 | 5 |",
                "| humaneval | 2 | 100.0 ± 0.0 |");
        assertThat(Files.readString(out.resolve("summary.md"))).contains("| gsm8k | 2 | 100.0 ± 0.0 |");
        List<String> lines = Files.readAllLines(out.resolve("gsm8k/problems.jsonl"));
        assertThat(lines).hasSize(5);
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertThat(first.get("id").asText()).isEqualTo("gsm8k/1");
        assertThat(first.get("prompt").asText()).startsWith("A conversation between User and Assistant.")
                .contains("Janet’s ducks lay 16 eggs");
        assertThat(first.get("gold").asText()).isEqualTo("18");
        assertThat(first.get("correct").asInt()).isEqualTo(2);
        assertThat(first.get("samples").get(0).get("answer").asText()).isEqualTo("18");
        assertThat(first.get("samples").get(0).get("score").asDouble()).isEqualTo(1.0);
        JsonNode summary = Json.readTree(out.resolve("summary.json"));
        assertThat(summary.get("settings").get("source").asText()).isEqualTo("oracle");
        assertThat(summary.get("benchmarks").get(1).get("benchmark").asText()).isEqualTo("humaneval");
        assertThat(summary.get("benchmarks").get(1).get("pass@2").get("mean").asDouble()).isEqualTo(1.0);
        assertThat(Json.readTree(out.resolve("humaneval/summary.json")).get("maj@2").get("mean").asDouble()).isEqualTo(1.0);
    }

    @Test
    void unknownBenchmark() {
        CliRun.Result r = run("eval", "--reference", "oracle", "--benchmark", "gsm9k", "--data-dir", data());
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("unknown benchmark 'gsm9k'", "did you mean 'gsm8k'", "math500", "humaneval");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void missingBenchmarkFileSaysWhereToPutIt(@TempDir Path empty) {
        CliRun.Result r = run("eval", "--reference", "oracle", "--benchmark", "math500", "--data-dir", empty.toString());
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("Dataset file for 'math500' not found", empty.resolve("math500/test.jsonl").toString(),
                "zerorl datasets fetch math500");
    }

    @Test
    void malformedBenchmarkFileNamesTheLine(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("gsm8k"));
        Files.writeString(dir.resolve("gsm8k/test.jsonl"), "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{\"question\": \"q2\", \"answer\n");
        CliRun.Result r = run("eval", "--reference", "oracle", "--benchmark", "gsm8k", "--data-dir", dir.toString());
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("gsm8k/test.jsonl line 2: malformed JSON");
        // a well-formed but truncated file is caught by the descriptor's row count
        Files.writeString(dir.resolve("gsm8k/test.jsonl"), "{\"question\": \"q\", \"answer\": \"#### 1\"}\n");
        CliRun.Result t = run("eval", "--reference", "oracle", "--benchmark", "gsm8k", "--data-dir", dir.toString());
        assertThat(t.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(t.err()).contains("gave 1 rows for 'gsm8k', expected 1319");
    }

    @Test
    void kGreaterThanN() {
        CliRun.Result r = run("eval", "--reference", "oracle", "--benchmark", "gsm8k", "--n", "4", "--k", "1,8", "--data-dir", data());
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err()).contains("pass@8 and maj@8 need at least 8 samples per problem, but n = 4");
    }

    @Test
    void modelOrReferenceAndMissingModel(@TempDir Path dir) {
        CliRun.Result none = run("eval", "--benchmark", "gsm8k", "--data-dir", data());
        assertThat(none.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(none.err()).contains("give either --model DIR or --reference oracle|wrong");
        CliRun.Result missing = run("eval", "--model", dir.resolve("nope").toString(), "--benchmark", "gsm8k", "--limit", "1",
                "--data-dir", data(), "--output", dir.resolve("out").toString());
        assertThat(missing.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(missing.err()).contains("Model directory not found");
        CliRun.Result badTemplate = run("eval", "--reference", "oracle", "--benchmark", "gsm8k", "--template", "r2",
                "--data-dir", data(), "--output", dir.resolve("out").toString());
        assertThat(badTemplate.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(badTemplate.err()).contains("unknown prompt template 'r2'");
    }

    /** A benchmark that is only a JSONL file plus a descriptor, evaluated with the tiny model: same seed, same run
     * (a different seed giving different samples is checked in EvaluatorTest). */
    @Test
    void descriptorFileAndTinyModelAreReproducible(@TempDir Path dir) throws IOException {
        Path yaml = EvalCommandTestSupport.toyBenchmark(dir);
        String model = TestPaths.fixture("qwen2-tiny").toString();
        String[] common = {"eval", "--model", model, "--benchmark", yaml.toString(), "--data-dir", dir.resolve("data").toString(),
            "--n", "4", "--k", "1,4", "--temperature", "1.0", "--max-new-tokens", "8", "--batch-size", "2", "--template", "chat"};
        CliRun.Result a = run(concat(common, "--seed", "7", "--output", dir.resolve("a").toString()));
        CliRun.Result b = run(concat(common, "--seed", "7", "--output", dir.resolve("b").toString()));
        System.out.print(a.out() + a.err());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        String pa = Files.readString(dir.resolve("a/toy/problems.jsonl"));
        assertThat(pa.lines()).hasSize(5);
        assertThat(pa).contains("<|im_start|>user\\n1 + 1 =<|im_end|>");
        assertThat(Files.readString(dir.resolve("b/toy/problems.jsonl"))).isEqualTo(pa);
        assertThat(numbers(dir.resolve("b/toy/summary.json"))).isEqualTo(numbers(dir.resolve("a/toy/summary.json")));
    }

    private static JsonNode numbers(Path summary) {
        ObjectNode s = (ObjectNode) Json.readTree(summary);
        s.remove("seconds");
        return s;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
