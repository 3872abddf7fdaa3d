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
        if (config.hasNonNull("precision") && config.get("precision").asInt() != 6) {
            o.put("precision", config.get("precision").asInt());
        }
        if (config.has("strict") && !config.get("strict").asBoolean()) {
            o.put("strict", false);
        }
        if (config.has("allow_set_relation_comp") && config.get("allow_set_relation_comp").asBoolean()) {
            o.put("allow_set_relation_comp", true);
        }
        List<String> types = new ArrayList<>();
        config.path("match_types").forEach(t -> types.add(t.asText()));
        if (!types.isEmpty() && !types.equals(List.of("latex", "expr"))) {
            o.put("match_types", String.join(",", types));
        }
        if (config.path("string_config").has("strings")) {
            List<String> letters = new ArrayList<>();
            config.get("string_config").get("strings").forEach(t -> letters.add(t.asText()));
            o.put("choices", String.join(",", letters));
        }
        if (config.has("boxed_match_priority")) {
            o.put("boxed_match_priority", config.get("boxed_match_priority").asInt());
        }
        if (config.has("normalization_config.malformed_operators")) {
            o.put("malformed_operators", config.get("normalization_config.malformed_operators").asBoolean());
        }
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

    /**
     * Known disagreements (expected 1, scored 0), by id; each kind is explained in rewards/README.md ("Math-Verify's
     * test suite"). All are cases where accepting would break a hacking guard or accept a wrong value.
     */
    static final Map<Integer, String> MISS_KIND = Map.of(
            // "Answer $ \frac{1}{2} \$ = \frac{10}{9} $" vs 10/9: Math-Verify takes the right side of any predicted
            // equation; we drop a side only when it is a lone variable or named quantity, and 1/2 is a number
            35, "guard: a predicted relation is not reduced to its right side (left side is not a variable)",
            // gold "1 = \zzz = x = 0" vs 0: Math-Verify cannot parse \zzz and falls back to the last side
            109, "guard: a gold relation is not reduced to its last side (unknown command, sides are not variables)",
            // gold: an unclosed box with "W(n) = 1 and W(n) = -1" (two answers); pred "W(x)=1orW(x)=-1" reads as -1
            218, "guard: one predicted value against a gold of two answers (and W(x) is not W(n) in strict mode)",
            // 1 - 1/e vs 1 + 1/e (0.632 vs 1.368): Math-Verify's own test expects equal; we keep the values apart
            270, "not equal in value: Math-Verify's test accepts 1 - 1/e for 1 + 1/e");

    private static String shorten(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() <= 90 ? one : one.substring(0, 40) + " ... " + one.substring(one.length() - 45);
    }
}
