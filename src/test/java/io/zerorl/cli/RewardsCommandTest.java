package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RewardsCommandTest {
    static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsBuiltinsAndPlugins() {
        int[] rc = new int[1];
        String out = capture(() -> rc[0] = Main.run("rewards", "list"));
        assertThat(rc[0]).isZero();
        assertThat(out).contains("math_accuracy", "code", "countdown", "soft_overlong", "example_keyword");
    }

    @Test
    void scoreWritesOneLinePerRowWithNullForNotApplicable(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("rows.jsonl");
        Files.write(in, List.of(
                "{\"completion\": \"so \\\\boxed{\\\\frac{1}{2}}\", \"answer\": \"0.5\"}",
                "{\"completion\": \"#### 1,000\", \"answer\": \"Work.\\n#### 1000\"}",
                "{\"completion\": \"The answer is 7.\", \"answer\": \"8\"}",
                "{\"completion\": \"no gold here\"}"));
        Path out = dir.resolve("out/scores.jsonl");
        int rc = Main.run("rewards", "score", "--reward", "math_accuracy", "--input", in.toString(), "--output", out.toString(),
                "--option", "timeout_ms=3000");
        assertThat(rc).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(4);
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertThat(first.get("score").asDouble()).isEqualTo(1.0);
        assertThat(first.get("details").get("extraction").asText()).isEqualTo("boxed");
        assertThat(Json.MAPPER.readTree(lines.get(1)).get("score").asDouble()).isEqualTo(1.0);
        assertThat(Json.MAPPER.readTree(lines.get(2)).get("score").asDouble()).isEqualTo(0.0);
        assertThat(Json.MAPPER.readTree(lines.get(3)).get("score").isNull()).isTrue();
    }

    @Test
    void scoreRunsCodeRowsAndCountdownRows(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("code.jsonl");
        Files.write(in, List.of(
                "{\"completion\": \"```python\\ndef add(a, b):\\n    return a + b\\n```\", \"test_list\": [\"assert add(1, 2) == 3\"]}",
                "{\"completion\": \"```python\\ndef add(a, b):\\n    return a - b\\n```\", \"test_list\": [\"assert add(1, 2) == 3\"]}"));
        Path out = dir.resolve("code-scores.jsonl");
        assertThat(Main.run("rewards", "score", "--reward", "code", "--input", in.toString(), "--output", out.toString())).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(Json.MAPPER.readTree(lines.get(0)).get("score").asDouble()).isEqualTo(1.0);
        assertThat(Json.MAPPER.readTree(lines.get(1)).get("score").asDouble()).isEqualTo(0.0);

        Path cd = dir.resolve("cd.jsonl");
        Files.write(cd, List.of("{\"completion\": \"<answer>30 - (100 - 93)</answer>\", \"nums\": [30, 100, 93], \"target\": 23}"));
        Path cdOut = dir.resolve("cd-scores.jsonl");
        assertThat(Main.run("rewards", "score", "--reward", "countdown", "--input", cd.toString(), "--output", cdOut.toString())).isZero();
        assertThat(Json.MAPPER.readTree(Files.readAllLines(cdOut).get(0)).get("score").asDouble()).isEqualTo(1.0);
    }

    @Test
    void badInputIsAUserError(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("bad.jsonl");
        Files.write(in, List.of("{\"answer\": \"1\"}"));
        assertThat(Main.run("rewards", "score", "--reward", "math_accuracy", "--input", in.toString(), "--output",
                dir.resolve("o.jsonl").toString())).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(Main.run("rewards", "score", "--reward", "nope", "--input", in.toString(), "--output",
                dir.resolve("o.jsonl").toString())).isEqualTo(Main.EXIT_BAD_INPUT);
    }
}
