package io.zerorl.reward;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.reward.math.AnswerExtractor;
import io.zerorl.reward.math.MathAccuracyReward;
import io.zerorl.reward.math.MathEquivalence;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The math reward against real benchmark files in ../shared/datasets. */
class MathDatasetsTest {
    static List<JsonNode> rows(String rel) throws IOException {
        Path p = TestPaths.datasets().resolve(rel);
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(p)) {
            if (!line.isBlank()) {
                out.add(Json.MAPPER.readTree(line));
            }
        }
        return out;
    }

    @Test
    void gsm8kGoldScoresOneInEveryFormatAndGoldPlusOneScoresZero() throws IOException {
        RewardFunction r = RewardRegistry.builtins().create("math_accuracy", Map.of());
        List<JsonNode> rows = rows("gsm8k/test.jsonl");
        assertThat(rows).hasSize(1319);
        List<RewardInput> right = new ArrayList<>();
        List<RewardInput> wrong = new ArrayList<>();
        for (JsonNode row : rows) {
            String solution = row.get("answer").asText();
            String gold = solution.substring(solution.lastIndexOf("#### ") + 5).trim();
            String plain = gold.replace(",", "");
            String plus1 = new BigInteger(plain).add(BigInteger.ONE).toString();
            Map<String, Object> f = Map.of("answer", solution);
            for (String fmt : formats()) {
                right.add(new RewardInput("q", fmt.formatted(gold), f));
                right.add(new RewardInput("q", fmt.formatted(plain), f));
                wrong.add(new RewardInput("q", fmt.formatted(plus1), f));
            }
        }
        r.score(right.subList(0, 2000)); // warm-up (JIT)
        long t0 = System.nanoTime();
        List<Score> ok = r.score(right);
        double rate = right.size() / ((System.nanoTime() - t0) / 1e9);
        System.out.printf("math_accuracy throughput, numeric GSM8K answers: %,.0f completions/s (1 thread)%n", rate);
        List<Score> bad = r.score(wrong);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ok.size(); i++) {
            if (ok.get(i).value() != 1.0) {
                failures.add("should be 1: " + right.get(i).completion() + " " + ok.get(i).details());
            }
        }
        for (int i = 0; i < bad.size(); i++) {
            if (bad.get(i).value() != 0.0) {
                failures.add("should be 0: " + wrong.get(i).completion() + " " + bad.get(i).details());
            }
        }
        System.out.println("GSM8K: " + right.size() + " gold completions, " + wrong.size() + " gold+1 completions, "
                + failures.size() + " failures");
        assertThat(failures).isEmpty();
        assertThat(rate).as("numeric answers per second (target 5,000 on 2 cores; loose floor for shared CI)").isGreaterThan(1000);
    }

    /** Every supported answer format, as a model might write it. */
    static List<String> formats() {
        return List.of(
                "Let me think. 2 + 2 = 4. So the result is \\boxed{%s}.",
                "Working... final: $\\fbox{%s}$",
                "<think>some reasoning with 7 and 12</think>\n<answer>%s</answer>",
                "<think>r</think><answer>The answer is $\\boxed{%s}$</answer>",
                "Natalia sold 48/2 = 24 clips.\n#### %s",
                "So in total 3 + 5 = 8. The answer is %s.",
                "The final answer is: $%s$",
                "We get \\boxed{\\$%s} dollars.",
                "\\boxed{%s \\text{ dollars}}");
    }

    @Test
    void math500GoldSolutionsBoxedAnswerMatchesAnswerField() throws IOException {
        MathEquivalence eq = MathEquivalence.defaults();
        List<JsonNode> rows = rows("math500/test.jsonl");
        assertThat(rows).hasSize(500);
        List<String> misses = new ArrayList<>();
        long t0 = System.nanoTime();
        for (JsonNode row : rows) {
            String boxed = AnswerExtractor.lastBoxed(row.get("solution").asText());
            String answer = row.get("answer").asText();
            MathEquivalence.Result res = eq.equivalent(answer, boxed == null ? "" : boxed);
            if (!res.equal()) {
                misses.add(row.get("unique_id").asText() + ": boxed=" + boxed + " answer=" + answer + " (" + res.method() + ")");
            }
        }
        System.out.printf("MATH-500 gold self-consistency: %d/500 equal, %d misses (%.1f s)%n",
                500 - misses.size(), misses.size(), (System.nanoTime() - t0) / 1e9);
        misses.forEach(m -> System.out.println("  MISS " + m));
        assertThat(misses.size()).isLessThanOrEqualTo(5);
    }

    @Test
    void math500AnswersScoreThroughTheRewardAndWrongAnswersDoNot() throws IOException {
        RewardFunction r = RewardRegistry.builtins().create("math_accuracy", Map.of());
        List<JsonNode> rows = rows("math500/test.jsonl").subList(0, 100);
        List<RewardInput> in = new ArrayList<>();
        for (JsonNode row : rows) {
            in.add(new RewardInput("p", "So \\boxed{" + row.get("answer").asText() + "}", Map.of("answer", row.get("answer").asText())));
        }
        assertThat(r.score(in)).allMatch(s -> s.value() == 1.0);
        // each answer against the next problem's answer: almost never equal
        int equal = 0;
        for (int i = 0; i < rows.size(); i++) {
            String a = rows.get(i).get("answer").asText();
            String b = rows.get((i + 1) % rows.size()).get("answer").asText();
            if (!io.zerorl.reward.math.LatexNormalizer.normalize(a).equals(io.zerorl.reward.math.LatexNormalizer.normalize(b))
                    && r.scoreOne(new RewardInput("p", "\\boxed{" + b + "}", Map.of("answer", a))).value() == 1.0) {
                equal++;
                System.out.println("judged equal: " + a + " vs " + b);
            }
        }
        assertThat(equal).isZero();
    }

    @Test
    void amcFloatAnswersAndAimeLeadingZeros() throws IOException {
        RewardFunction r = RewardRegistry.builtins().create("math_accuracy", Map.of());
        for (JsonNode row : rows("amc23/test.jsonl")) {
            double a = row.get("answer").asDouble();
            Map<String, Object> f = Map.of("answer", row.get("answer").asText());
            assertThat(r.scoreOne(new RewardInput("", "\\boxed{" + (long) a + "}", f)).value()).isEqualTo(1.0);
        }
        for (JsonNode row : rows("aime24/test.jsonl")) {
            String a = row.get("answer").asText();
            Map<String, Object> f = Map.of("answer", a);
            assertThat(r.scoreOne(new RewardInput("", "\\boxed{" + Integer.parseInt(a) + "}", f)).value()).isEqualTo(1.0);
        }
    }
}
