package io.zerorl.reward;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.reward.code.CodeReward;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** Table-driven checks of the text and countdown rewards. */
class BuiltinRewardsTest {
    static final RewardRegistry REG = RewardRegistry.builtins();

    static double score(String reward, Map<String, Object> opts, String prompt, String completion, Map<String, Object> fields) {
        Double v = REG.create(reward, opts).scoreOne(new RewardInput(prompt, completion, fields)).value();
        return v == null ? Double.NaN : v;
    }

    static double score(String reward, String completion) {
        return score(reward, Map.of(), "", completion, Map.of());
    }

    @Test
    void format() {
        String strictOk = "<think>\nreason\n</think>\n<answer>\n42\n</answer>";
        Map<String, Object> strict = Map.of("mode", "strict");
        assertThat(score("format", strict, "", strictOk, Map.of())).isEqualTo(1.0);
        assertThat(score("format", strict, "", "<think>reason</think><answer>42</answer>", Map.of())).isEqualTo(0.0);
        assertThat(score("format", strict, "", strictOk + "\ntrailing", Map.of())).isEqualTo(0.0);
        assertThat(score("format", "<think>reason</think> <answer>42</answer>")).isEqualTo(1.0);
        assertThat(score("format", "<think>a</think><answer>1</answer><answer>2</answer>")).isEqualTo(0.0);
        assertThat(score("format", "<answer>42</answer><think>x</think>")).isEqualTo(0.0);
        assertThat(score("format", "just 42")).isEqualTo(0.0);
        // the R1-Zero prompt pre-fills "<think>"
        assertThat(score("format", Map.of(), "Assistant: <think>", "reason</think><answer>42</answer>", Map.of())).isEqualTo(1.0);
    }

    @Test
    void tagCountAndReasoningSteps() {
        assertThat(score("tag_count", "<think>\nx\n</think>\n<answer>\n1\n</answer>")).isEqualTo(1.0);
        assertThat(score("tag_count", "<think>\nx</think>")).isEqualTo(0.25);
        assertThat(score("tag_count", "none")).isEqualTo(0.0);
        assertThat(score("reasoning_steps", "Step 1: a\nStep 2: b\nStep 3: c")).isEqualTo(1.0);
        assertThat(score("reasoning_steps", "First, a. Finally, b.")).isCloseTo(2 / 3.0, offset(1e-12));
        assertThat(score("reasoning_steps", "no steps")).isEqualTo(0.0);
    }

    @Test
    void cosineLength() {
        Map<String, Object> gold = Map.of("answer", "7");
        Map<String, Object> opts = Map.of("max_len", 100);
        double shortRight = score("cosine_length", opts, "", "\\boxed{7}", gold);
        double longRight = score("cosine_length", opts, "", "x".repeat(200) + "\\boxed{7}", gold);
        double shortWrong = score("cosine_length", opts, "", "\\boxed{8}", gold);
        double longWrong = score("cosine_length", opts, "", "x".repeat(200) + "\\boxed{8}", gold);
        assertThat(shortRight).isCloseTo(1.0 - 0.5 * (1 - Math.cos(Math.PI * 9 / 100)) / 2, offset(1e-9));
        assertThat(longRight).isCloseTo(0.5, offset(1e-9));
        assertThat(longWrong).isCloseTo(-0.5, offset(1e-9));
        assertThat(shortWrong).isLessThan(-0.9);
        assertThat(score("cosine_length", opts, "", "\\boxed{7}", Map.of())).isNaN(); // no gold: not applicable
        // token counts from the trainer win over characters
        Score s = REG.create("cosine_length", opts).scoreOne(new RewardInput("", "\\boxed{7}", gold, 100));
        assertThat(s.value()).isCloseTo(0.5, offset(1e-9));
    }

    @Test
    void repetitionPenalty() {
        assertThat(score("repetition_penalty", "the cat sat on the mat today")).isEqualTo(0.0);
        double rep = score("repetition_penalty", "the cat sat ".repeat(20));
        assertThat(rep).isLessThan(-0.8).isGreaterThanOrEqualTo(-1.0);
        assertThat(score("repetition_penalty", Map.of("max_penalty", -0.5, "ngram_size", 2), "", "a b a b a b", Map.of()))
                .isCloseTo(-0.5 * (1 - 2 / 5.0), offset(1e-12));
        assertThat(score("repetition_penalty", "short")).isEqualTo(0.0);
    }

    @Test
    void languageConsistency() {
        assertThat(score("language_consistency", "<think>all english words here</think>42")).isEqualTo(1.0);
        assertThat(score("language_consistency", "<think>one two 三四</think>")).isCloseTo(0.5, offset(1e-12));
        assertThat(score("language_consistency", Map.of("script", "HAN"), "", "<think>我们 计算 x</think>", Map.of()))
                .isCloseTo(4 / 5.0, offset(1e-12));
        assertThat(score("language_consistency", "<think>1 + 2 = 3</think>")).isEqualTo(1.0);
    }

    @Test
    void softOverlong() {
        Map<String, Object> o = Map.of("max_length", 100, "cache_length", 20);
        RewardFunction f = REG.create("soft_overlong", o);
        assertThat(f.scoreOne(new RewardInput("", "x", Map.of(), 80)).value()).isEqualTo(0.0);
        assertThat(f.scoreOne(new RewardInput("", "x", Map.of(), 90)).value()).isCloseTo(-0.5, offset(1e-12));
        assertThat(f.scoreOne(new RewardInput("", "x", Map.of(), 100)).value()).isCloseTo(-1.0, offset(1e-12));
        assertThat(f.scoreOne(new RewardInput("", "x", Map.of(), 500)).value()).isEqualTo(-1.0);
        assertThat(f.scoreOne(new RewardInput("", "x".repeat(360), Map.of())).value()).isCloseTo(-0.5, offset(1e-12)); // 4 chars/token
    }

    @Test
    void countdownRules() {
        Map<String, Object> row = Map.of("nums", List.of(30, 100, 93), "target", 23);
        assertThat(score("countdown", Map.of(), "", "<answer>30 - (100 - 93)</answer>", row)).isEqualTo(1.0);
        assertThat(score("countdown", Map.of(), "", "<answer>30-(100-93) = 23</answer>", row)).isEqualTo(1.0);
        assertThat(score("countdown", Map.of(), "", "<answer>30 - 100 + 93</answer>", row)).isEqualTo(1.0);
        assertThat(score("countdown", Map.of(), "", "<answer>30 + 100 - 93</answer>", row)).isEqualTo(0.1); // 37
        assertThat(score("countdown", Map.of(), "", "<answer>30 - 7</answer>", row)).isEqualTo(0.1); // wrong numbers
        assertThat(score("countdown", Map.of(), "", "<answer>30 - (100 - 93) + 0</answer>", row)).isEqualTo(0.1); // extra number
        assertThat(score("countdown", Map.of(), "", "<answer>__import__('os')</answer>", row)).isEqualTo(0.1);
        assertThat(score("countdown", Map.of(), "", "<answer>30 ** 100 - 93</answer>", row)).isEqualTo(0.1);
        assertThat(score("countdown", Map.of(), "", "30 - (100 - 93)", row)).isEqualTo(0.0);
        assertThat(score("countdown", Map.of("format_score", 0.0), "", "<answer>30/(100-100)</answer>", row)).isEqualTo(0.0);
        // division is exact: 6 / 4 * 2 = 3
        assertThat(score("countdown", Map.of(), "", "<answer>6 / 4 * 2</answer>", Map.of("input", "6,4,2", "output", "3"))).isEqualTo(1.0);
        assertThat(score("countdown", Map.of(), "", "<answer>1</answer>", Map.of())).isNaN();
    }

    @Test
    void countdownCd3TestSetIsSolvableAndSolutionsScoreOne() throws IOException {
        RewardFunction f = REG.create("countdown", Map.of());
        List<RewardInput> in = new ArrayList<>();
        for (JsonNode row : MathDatasetsTest.rows("countdown/countdown_cd3_test.jsonl")) {
            String[] n = row.get("input").asText().split(",");
            String sol = solve(n, Double.parseDouble(row.get("output").asText()));
            assertThat(sol).as("solution for " + row).isNotNull();
            in.add(new RewardInput("", "<think>search</think><answer>" + sol + "</answer>",
                    Map.of("input", row.get("input").asText(), "output", row.get("output").asText())));
        }
        assertThat(in).hasSize(256);
        assertThat(f.score(in)).allMatch(s -> s.value() == 1.0);
    }

    /** Brute force over orders, operators and both bracketings of three numbers. */
    static String solve(String[] n, double target) {
        String ops = "+-*/";
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] p : perms) {
            for (char o1 : ops.toCharArray()) {
                for (char o2 : ops.toCharArray()) {
                    String a = n[p[0]].trim();
                    String b = n[p[1]].trim();
                    String c = n[p[2]].trim();
                    for (String e : new String[] {"(" + a + o1 + b + ")" + o2 + c, a + o1 + "(" + b + o2 + c + ")"}) {
                        Double v = eval(e, String.join(",", n));
                        if (v != null && Math.abs(v - target) < 1e-9) {
                            return e;
                        }
                    }
                }
            }
        }
        return null;
    }

    static Double eval(String e, String nums) {
        Score s = REG.create("countdown", Map.of()).scoreOne(new RewardInput("", "<answer>" + e + "</answer>",
                Map.of("nums", nums, "target", 0)));
        Object v = s.details().get("value");
        return v instanceof Double d ? d : null;
    }

    @Test
    void codeExtraction() {
        assertThat(CodeReward.extractCode("a\n```python\nx = 1\n```\nb\n```py\ny = 2\n```\n", false)).isEqualTo("y = 2\n");
        assertThat(CodeReward.extractCode("<think>hm</think>    return 1\n", false)).isEqualTo("    return 1\n");
        assertThat(CodeReward.extractCode("text\n```python\ndef f():\n    return 1", false)).isEqualTo("def f():\n    return 1");
        assertThat(CodeReward.extractCode("no code", true)).isNull();
        assertThat(score("code", "```python\nx=1\n```")).isNaN(); // no tests in the row
    }
}
