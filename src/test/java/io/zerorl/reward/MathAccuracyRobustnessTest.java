package io.zerorl.reward;

import io.zerorl.reward.math.SymjaCas;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input never crashes {@code math_accuracy} and never makes it slow: malformed and pathological completions
 * score 0 (or 1) with details, and a computer algebra call never blocks past the item's time budget.
 */
class MathAccuracyRobustnessTest {
    static final List<String> GOLDS = List.of("42", "\\frac{1}{2}", "x^2+1", "(1,2)", "[0,1)", "x \\ge 5", "a+3z=0",
            "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "3:2", "\\text{Evelyn}", "1,22", "\\{1,2\\}", "28\\%");

    static List<String> nasty() {
        List<String> s = new ArrayList<>(List.of("", " ", "\\boxed{", "\\boxed{}", "\\boxed", "}}}}{{{", "$", "$$", "$$$",
                "\\(", "\\)", "\\[", "\\frac", "\\frac{", "\\frac{1}{", "\\sqrt[", "\\begin{pmatrix}", "\\end{pmatrix}",
                "\\begin{pmatrix}1&2\\\\3\\end{pmatrix}", "<answer></answer>", "<answer>", "####", "#### ", "The answer is",
                "Final Answer: The final answer is", "answer: =", "x = = = 5", "= 5", "5 =", "\\le", ">=<=", "(((((", ")))))",
                "[1,2", "1,,,,2", ";;;", "\\{\\}", "\\pm", "\\pm\\pm 3", "1:::2", ":", "%%%", "\\%", "2^{2^{2^{2^{2^{2}}}}}",
                "10^{10^{10}}", "(10^{7})!", "1000000!", "\\binom{100000}{50000}", "0/0", "1/0", "\\frac{1}{0}", "\\infty-\\infty",
                "\\sqrt{-1}", "\\log(0)", "e^{e^{e^{e^{e}}}}", "1e999999", "9".repeat(5000), "\\zzz{\\yyy}", "\\text{",
                "x \\in", "\\in \\in", "|||", "|x", "\\left(", "\\right)", "0.\u0000", "\u202e\u200b", "€$£", "½", "１２",
                "\\boxed{\\boxed{\\boxed{1}}}", "\\fbox 5", "\\boxed 5", "and or and", ", and", "\\cup\\cup", "[0,1)\\cup"));
        String unit = "\\boxed{1} and ";
        s.add(unit.repeat(3000));
        s.add("{".repeat(20_000));
        s.add("(".repeat(10_000) + ")".repeat(10_000));
        s.add("1 ".repeat(40_000));
        s.add("1+".repeat(20_000) + "1");
        s.add("$1$ and ".repeat(5000));
        s.add("answer ".repeat(8000) + "$5$");
        s.add("final answer ".repeat(5000) + "is 5");
        s.add("\\frac{".repeat(3000) + "1" + "}{2}".repeat(3000));
        s.add("x=".repeat(5000) + "1");
        s.add("2^".repeat(2000) + "2");
        s.add("\\boxed{" + "1,".repeat(5000) + "1}");
        s.add("\\sqrt{".repeat(2000) + "2" + "}".repeat(2000));
        s.add("a".repeat(100_000));
        // random LaTeX-ish noise
        Random rnd = new Random(22);
        String[] tokens = {"\\frac", "{", "}", "(", ")", "[", "]", "1", "2", "x", "=", "<", "\\le", ",", ";", ":", "$", "\\boxed{",
            "\\pm", "\\cup", "\\sqrt", "^", "_", "\\text{", "and", " ", ".", "%", "\\infty", "-", "+", "\\begin{pmatrix}",
            "\\\\", "&", "\\end{pmatrix}", "answer", "is", "#### ", "\\left(", "|", "!", "e", "\\pi"};
        for (int i = 0; i < 300; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + rnd.nextInt(40);
            for (int k = 0; k < n; k++) {
                b.append(tokens[rnd.nextInt(tokens.length)]);
            }
            s.add(b.toString());
        }
        return s;
    }

    @Test
    void malformedAndPathologicalCompletionsScoreWithoutThrowingOrStalling() {
        RewardFunction r = RewardRegistry.builtins().create("math_accuracy", Map.of("timeout_ms", 500));
        List<String> inputs = nasty();
        long worst = 0;
        String worstInput = "";
        int scored = 0;
        Map<String, Long> slowest = new java.util.HashMap<>();
        for (String gold : GOLDS) {
            for (String c : inputs) {
                long t0 = System.nanoTime();
                Score s = r.scoreOne(new RewardInput("", c, Map.of("answer", gold)));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(s.value()).as("score of %s", c.length() > 60 ? c.substring(0, 60) : c).isIn(0.0, 1.0);
                if (s.value() == 0.0) {
                    assertThat(s.details()).isNotEmpty();
                }
                slowest.merge(c.length() > 40 ? c.substring(0, 40) + "... (" + c.length() + " chars)" : c, ms, Long::sum);
                if (ms > worst) {
                    worst = ms;
                    worstInput = c.length() > 60 ? c.substring(0, 60) + "... (" + c.length() + " chars)" : c;
                }
                scored++;
            }
            // malformed golds too: a bad reference answer is not the policy's fault, but it must not crash
            Score s = r.scoreOne(new RewardInput("", "\\boxed{42}", Map.of("answer", gold + "\\boxed{")));
            assertThat(s.value()).isNotNull();
        }
        System.out.printf("robustness: %d completions scored, slowest %d ms (%s)%n", scored, worst, worstInput);
        slowest.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                .forEach(e -> System.out.printf("  %6d ms over all golds: %s%n", e.getValue(), e.getKey()));
        assertThat(worst).as("slowest item (500 ms CAS budget, shared 2-core machine)").isLessThan(3000);
        r.close();
    }

    @Test
    void aCasCallNeverBlocksPastTheItemsTimeBudget() {
        SymjaCas.warmUp();
        RewardFunction r = RewardRegistry.builtins().create("math_accuracy", Map.of("timeout_ms", 300));
        // Symja sums ten million terms exactly: far beyond 300 ms; several in a row, so the pool is also busy
        String slow = "\\sum_{k=1}^{10^{7}} \\frac{1}{k^2}";
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            Score s = r.scoreOne(new RewardInput("", "\\boxed{\\frac{\\pi^2}{6}}", Map.of("answer", slow)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("slow CAS item %d: %s in %d ms%n", i, s.details().get("method"), ms);
            assertThat(s.value()).isEqualTo(0.0);
            assertThat(s.details()).containsEntry("method", "cas_timeout");
            assertThat(ms).as("returns at the 300 ms budget (plus scheduling slack)").isLessThan(300 + 700);
        }
        // a list of slow items shares one budget: no item takes (items x items x timeout)
        long t0 = System.nanoTime();
        String slowList = slow + ", " + slow.replace("10^{7}", "10^{7}+1") + ", " + slow.replace("10^{7}", "10^{7}+2");
        Score s = r.scoreOne(new RewardInput("", "\\boxed{\\frac{\\pi^2}{6}, \\frac{\\pi^2}{7}, \\frac{\\pi^2}{8}}",
                Map.of("answer", slowList)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("three slow elements: %s in %d ms%n", s.details().get("method"), ms);
        assertThat(s.value()).isEqualTo(0.0);
        assertThat(ms).isLessThan(300 + 700);
        // and the CAS still answers quickly afterwards
        Score ok = r.scoreOne(new RewardInput("", "\\boxed{\\frac{1}{3}}", Map.of("answer", "\\int_0^1 x^2 dx")));
        assertThat(ok.value()).isEqualTo(1.0);
        r.close();
    }
}
