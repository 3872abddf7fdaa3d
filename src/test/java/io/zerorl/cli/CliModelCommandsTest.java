package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CliModelCommandsTest {
    @Test
    void forwardWritesLogitsComparableWithTheReference(@TempDir Path tmp) throws Exception {
        Path fixture = TestPaths.fixture("qwen3moe-tiny");
        JsonNode ref = Json.readTree(fixture.resolve("reference.json"));
        ObjectNode in = Json.MAPPER.createObjectNode();
        in.set("input_ids", ref.get("input_ids"));
        in.set("attention_mask", ref.get("attention_mask"));
        Path input = tmp.resolve("ids.json");
        Files.writeString(input, in.toString());
        Path output = tmp.resolve("out/logits.json");
        int code = Main.run("forward", "--model", fixture.toString(), "--input", input.toString(), "--output", output.toString());
        assertThat(code).isZero();
        JsonNode out = Json.readTree(output);
        assertThat(out.get("position_ids")).isEqualTo(ref.get("position_ids")); // derived like transformers
        double max = 0;
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < ref.get("input_ids").get(b).size(); t++) {
                for (int j = 0; j < 509; j++) {
                    max = Math.max(max, Math.abs(out.get("logits").get(b).get(t).get(j).asDouble()
                            - ref.get("logits").get(b).get(t).get(j).asDouble()));
                }
            }
        }
        assertThat(max).isLessThan(1e-4);
    }

    @Test
    void forwardRejectsBadInputWithExitCode2(@TempDir Path tmp) throws Exception {
        Path input = tmp.resolve("ids.json");
        Files.writeString(input, "{\"input_ids\": [[1, 2, 3], [4, 5]]}");
        String err = runErr("forward", "--model", TestPaths.fixture("qwen2-tiny").toString(),
                "--input", input.toString(), "--output", tmp.resolve("o.json").toString());
        assertThat(err).contains("input_ids[1] has 2 entries, expected 3");
        Files.writeString(input, "{\"input_ids\": [[1, 2, 9999]]}");
        err = runErr("forward", "--model", TestPaths.fixture("qwen2-tiny").toString(),
                "--input", input.toString(), "--output", tmp.resolve("o.json").toString());
        assertThat(err).contains("input_ids[0][2] = 9999 is outside the vocabulary");
        assertThat(Files.exists(tmp.resolve("o.json"))).isFalse();
    }

    static JsonNode inspectJson(String fixture) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf));
        int code;
        try {
            code = Main.run("inspect", TestPaths.fixture(fixture).toString(), "--json");
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        return Json.readTree(writeTemp(buf.toString()));
    }

    @Test
    void inspectNamesTheRoutingRules() {
        assertThat(inspectJson("qwen3moe-tiny").get("router").asText()).isEqualTo("softmax, renormalised");
        assertThat(inspectJson("deepseekv3-tiny").get("router").asText())
                .isEqualTo("sigmoid + correction bias, group-limited (1 of 2 groups by top-2 sum), renormalised, x2.5");
    }

    @Test
    void inspectReportsTotalAndActiveParameters() {
        JsonNode j = inspectJson("qwen3moe-tiny");
        assertThat(j.get("experts").asInt()).isEqualTo(8);
        assertThat(j.get("checkpoint_missing_tensors").asInt()).isZero();
        long total = j.get("params_total").asLong();
        long active = j.get("params_active_per_token").asLong();
        // 2 MoE layers x 6 unused experts x 3 x 64 x 32 parameters are inactive per token
        assertThat(total - active).isEqualTo(2L * 6 * 3 * 64 * 32);
    }

    static Path writeTemp(String s) {
        try {
            Path p = Files.createTempFile("inspect", ".json");
            Files.writeString(p, s);
            p.toFile().deleteOnExit();
            return p;
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    static String runErr(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(buf));
        try {
            assertThat(Main.run(args)).isEqualTo(Main.EXIT_BAD_INPUT);
        } finally {
            System.setErr(old);
        }
        return buf.toString();
    }
}
