package io.zerorl.reward;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code math_accuracy} against Hugging Face Math-Verify's own test suite: the 285 gold / prediction / verdict
 * triples in {@code ../shared/rewards/mathverify_cases.jsonl} (data only; its README gives the source). Each case
 * becomes a completion as that README says (a prediction that reads like a model's answer is used as it is, a
 * bare answer is wrapped as {@code The answer is $\boxed{X}$.}) and is scored with the case's configuration mapped
 * to reward options. Required: at least 95% agreement and no false positive (expected 0, scored 1).
 */
class MathVerifyCasesTest {
    record Case(int id, String source, String gold, String pred, int expected, JsonNode config) {}

    static List<Case> cases() throws IOException {
        Path p = TestPaths.shared().resolve("rewards/mathverify_cases.jsonl");
        List<Case> out = new ArrayList<>();
        for (String line : Files.readAllLines(p)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = Json.MAPPER.readTree(line);
            out.add(new Case(n.get("id").asInt(), n.get("source").asText(), n.get("gold").asText(), n.get("pred").asText(),
                    n.get("expected").asInt(), n.get("config")));
        }
        return out;
    }

    private static final Pattern MATH_SPAN = Pattern.compile(
            "\\$\\$.*?\\$\\$|(?<!\\\\)\\$[^$]*?(?<!\\\\)\\$|\\\\\\(.*?\\\\\\)|\\\\\\[.*?\\\\\\]", Pattern.DOTALL);
    private static final Pattern WORD = Pattern.compile("[A-Za-z]{2,}");

    /** The README's rule: a prediction with a box or with prose outside its LaTeX is used as it is. */
    static boolean readsLikeAnAnswer(String pred) {
        if (pred.contains("\\boxed") || pred.contains("\\fbox")) {
            return true;
        }
        String outside = MATH_SPAN.matcher(pred).replaceAll(" ").replaceAll("\\\\[A-Za-z]+", " ");
        return WORD.matcher(outside).find();
    }

    /** A bare answer without its {@code $} and {@code \( \)} / {@code \[ \]} delimiters. */
    static String stripDelimiters(String pred) {
        return pred.replaceAll("(?<!\\\\)\\$", "").replace("\\(", "").replace("\\)", "")
                .replace("\\[", "").replace("\\]", "").strip();
    }

    static String completion(String pred) {
        return readsLikeAnAnswer(pred) ? pred : "The answer is $\\boxed{" + stripDelimiters(pred) + "}$.";
    }

    /** The case's Math-Verify configuration as math_accuracy options (defaults are left out). */
    static Map<String, Object> options(JsonNode config) {
        Map<String, Object> o = new LinkedHashMap<>();
        return o;
    }

    @Test
    void agreesWithMathVerifyOnItsOwnTestSuiteWithoutFalsePositives() throws IOException {
        List<Case> cases = cases();
        assertThat(cases).hasSize(285);
        RewardRegistry reg = RewardRegistry.builtins();
        Map<Map<String, Object>, RewardFunction> rewards = new HashMap<>();
        int agree = 0;
        List<String> falsePositives = new ArrayList<>();
        Map<String, List<String>> missesByKind = new TreeMap<>();
        long t0 = System.nanoTime();
        for (Case c : cases) {
            Map<String, Object> opts = options(c.config());
            RewardFunction r = rewards.computeIfAbsent(opts, o -> reg.create("math_accuracy", o));
            Score s = r.scoreOne(new RewardInput("", completion(c.pred()), Map.of("answer", c.gold())));
            int got = s.valueOr(0) > 0.5 ? 1 : 0;
            if (got == c.expected()) {
                agree++;
                continue;
            }
            String line = "#" + c.id() + " " + c.source().replaceAll(".*::", "") + " expected " + c.expected()
                    + " gold=" + shorten(c.gold()) + " pred=" + shorten(c.pred()) + " " + opts + " " + s.details();
            if (c.expected() == 0) {
                falsePositives.add(line);
            } else {
                missesByKind.computeIfAbsent(MISS_KIND.getOrDefault(c.id(), "unexplained"), k -> new ArrayList<>()).add(line);
            }
        }
        System.out.printf("Math-Verify cases: %d/%d agree (%.1f%%), %d false positives, %.1f s%n", agree, cases.size(),
                100.0 * agree / cases.size(), falsePositives.size(), (System.nanoTime() - t0) / 1e9);
        falsePositives.forEach(f -> System.out.println("  FALSE POSITIVE " + f));
        missesByKind.forEach((kind, lines) -> {
            System.out.println("  misses, " + kind + ": " + lines.size());
            lines.forEach(l -> System.out.println("    " + l));
        });
        rewards.values().forEach(RewardFunction::close);
        assertThat(falsePositives).as("cases Math-Verify rejects that math_accuracy accepts").isEmpty();
        assertThat(agree).as("agreement with Math-Verify").isGreaterThanOrEqualTo((int) Math.ceil(0.95 * cases.size()));
        assertThat(missesByKind.get("unexplained")).as("every miss has a known kind, explained in rewards/README.md").isNull();
    }

    /** Known disagreements (expected 1, scored 0), by id; each kind is explained in rewards/README.md. */
    static final Map<Integer, String> MISS_KIND = Map.of();

    private static String shorten(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() <= 90 ? one : one.substring(0, 40) + " ... " + one.substring(one.length() - 45);
    }
}
