package io.zerorl.reward;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.reward.code.CodeReward;
import io.zerorl.reward.code.PythonSandbox;
import io.zerorl.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** HumanEval and MBPP reference solutions through the code reward and its sandbox. */
class CodeSandboxTest {
    static RewardFunction code;

    @BeforeAll
    static void setUp() {
        code = RewardRegistry.builtins().create("code", Map.of("timeout_ms", 20_000));
        System.out.println("sandbox isolation: " + PythonSandbox.isolation().describe());
    }

    @AfterAll
    static void tearDown() {
        ((CodeReward) code).sandbox().close();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> fields(JsonNode row) {
        return Json.MAPPER.convertValue(row, Map.class);
    }

    @Test
    void humanEvalCanonicalSolutionsPassAndFailWithoutTheirLastLine() throws IOException {
        List<JsonNode> rows = MathDatasetsTest.rows("humaneval/HumanEval.jsonl");
        assertThat(rows).hasSize(164);
        List<RewardInput> good = new ArrayList<>();
        List<RewardInput> cut = new ArrayList<>();
        for (JsonNode row : rows) {
            String sol = row.get("canonical_solution").asText();
            good.add(new RewardInput("", sol, fields(row)));
            String trimmed = sol.stripTrailing();
            String withoutLast = trimmed.substring(0, Math.max(0, trimmed.lastIndexOf('\n') + 1));
            // a fenced completion exercises the extraction too
            cut.add(new RewardInput("", "Here:\n```python\n" + row.get("prompt").asText() + withoutLast + "\n```\n", fields(row)));
        }
        long t0 = System.nanoTime();
        List<Score> g = code.score(good);
        List<Score> c = code.score(cut);
        double secs = (System.nanoTime() - t0) / 1e9;
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (g.get(i).value() != 1.0) {
                bad.add(rows.get(i).get("task_id").asText() + " canonical failed: " + g.get(i).details());
            }
            if (c.get(i).value() != 0.0) {
                bad.add(rows.get(i).get("task_id").asText() + " passed without its last line");
            }
        }
        System.out.printf("HumanEval: 328 programs in %.1f s (%.1f programs/s), %d unexpected%n", secs, 328 / secs, bad.size());
        bad.forEach(b -> System.out.println("  " + b));
        assertThat(bad).isEmpty();
    }

    @Test
    void mbppTestSplitReferenceCodePasses() throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode row : MathDatasetsTest.rows("mbpp/mbpp.jsonl")) {
            int id = row.get("task_id").asInt();
            if (id >= 11 && id <= 510) {
                rows.add(row);
            }
        }
        assertThat(rows).hasSize(500);
        List<RewardInput> in = new ArrayList<>();
        for (JsonNode row : rows) {
            in.add(new RewardInput("", "```python\n" + row.get("code").asText() + "\n```", fields(row)));
        }
        long t0 = System.nanoTime();
        List<Score> s = code.score(in);
        double secs = (System.nanoTime() - t0) / 1e9;
        List<String> fails = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (s.get(i).value() != 1.0) {
                fails.add(rows.get(i).get("task_id").asText() + ": " + s.get(i).details().get("status") + " "
                        + String.valueOf(s.get(i).details().get("output")).replace('\n', ' '));
            }
        }
        System.out.printf("MBPP test split: %d/500 reference solutions pass (%.1f programs/s)%n", 500 - fails.size(), 500 / secs);
        fails.forEach(f -> System.out.println("  FAIL " + f));
        assertThat(fails.size()).isLessThanOrEqualTo(5);
    }
}
