package io.zerorl.reward;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Table-driven checks of every rule of {@code math_accuracy} (issue #22), through the reward as a trainer calls it:
 * a completion, a gold answer, the options, the expected score. One table per rule; the hacking guards have their own.
 */
class MathAccuracyRulesTest {
    record Row(String gold, String completion, int expected, Map<String, Object> options) {}

    static Row ok(String gold, String completion) {
        return new Row(gold, completion, 1, Map.of());
    }

    static Row no(String gold, String completion) {
        return new Row(gold, completion, 0, Map.of());
    }

    static Row ok(String gold, String completion, Object... options) {
        return new Row(gold, completion, 1, opts(options));
    }

    static Row no(String gold, String completion, Object... options) {
        return new Row(gold, completion, 0, opts(options));
    }

    static Map<String, Object> opts(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Boxed answer as a trainer's completion would carry it. */
    static String boxed(String answer) {
        return "Some reasoning first. So the answer is $\\boxed{" + answer + "}$.";
    }

    static final RewardRegistry REG = RewardRegistry.builtins();
    static final Map<Map<String, Object>, RewardFunction> REWARDS = new HashMap<>();

    static void check(String rule, List<Row> rows) {
        List<String> wrong = new ArrayList<>();
        for (Row r : rows) {
            RewardFunction f = REWARDS.computeIfAbsent(r.options(), o -> REG.create("math_accuracy", o));
            Score s = f.scoreOne(new RewardInput("", r.completion(), Map.of("answer", r.gold())));
            int got = s.valueOr(-1) > 0.5 ? 1 : 0;
            if (got != r.expected()) {
                wrong.add("expected " + r.expected() + ": gold=" + r.gold() + " completion=" + r.completion().replace("\n", "\\n")
                        + " " + r.options() + " -> " + s.details());
            }
        }
        System.out.println(rule + ": " + rows.size() + " rows, " + wrong.size() + " wrong");
        wrong.forEach(w -> System.out.println("  " + w));
        assertThat(wrong).as(rule).isEmpty();
    }

    @Test
    void extractionPrioritiesAndFallbacks() {
        check("extraction", List.of(
                // the last box wins over earlier boxes far from it and over plain numbers
                ok("5", "We first guess \\boxed{3}. After checking the arithmetic again we find the result is \\boxed{5}."),
                ok("5", "Working: 3 + 4 = 7 and 12 more. \\fbox{5}"),
                ok("5", "\\boxed 5$ is it"),
                // <answer> tags: a box inside, else the whole content
                ok("7", "<think>2+2=4, then 99</think><answer>7</answer>"),
                ok("7", "<think>r</think><answer>The answer is $\\boxed{7}$</answer>"),
                ok("2x+1", "<think>r</think><answer>2x+1</answer>"),
                // GSM8K
                ok("1450", "Natalia sold 48/2 = 24 clips.\n#### 1,450"),
                // "final answer is X. I hope" ends after an earlier box: it wins
                ok("10455", "so $\\boxed{255}$ dollars interest. Final Answer: The final answer is $10,455$. I hope it is correct."),
                // "final answer ... is X", "answer: ... X", "the answer is X"
                ok("34", "Final Answer: The largest $n$ is 34."),
                ok("19", "Final Answer: The maximum number of points in the domain of $f(x)$ is 19."),
                ok("3", "Final Answer: Jane started growing Sphere 3 hours ago."),
                ok("2x+1", "So the answer is 2x+1."),
                ok("\\frac{1}{2}", "The final answer is: $\\frac12$"),
                ok("5", "The answer is 5 apples."),
                // no marker: the last LaTeX span, or the last number, whichever ends later
                ok("x \\ge 5", "Therefore $x \\geq 5$ is the solution."),
                ok("\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}", "The identity matrix is $ \\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix} $."),
                ok("12", "The divisors of 90 are 1, 2, 3, 5, 6, 9. Therefore, there are 12 sequences."),
                ok("2/3", "P(A) = (1/2) * (4/3) P(A) = 2/3 Therefore, the probability is 2/3."),
                ok("1000.99", "the number is not 10 which is 1,000.99€"),
                ok("9", "Answer \\[ 9 \\]"),
                ok("9", "Answer $$ \n 9 \n $$"),
                ok("10", "Answer \\( (9+1) \\)"),
                // an inline span does not cross a line; a number glued to letters is not a number
                no("9", "Answer $ \n 9 \n $", "match_types", "latex"),
                no("2", "AZYUK2A"),
                // match_types: latex only has no number fallback; none has no fallback at all
                no("12", "so there are 12 ways", "match_types", "latex"),
                ok("12", "so there are $12$ ways", "match_types", "latex"),
                no("12", "so there are $12$ ways", "match_types", "none"),
                ok("12", "so there are 12 ways", "match_types", "expr"),
                no("12", "so there are 12 ways", "fallback_last_number", false),
                // boxed_match_priority: -1 ignores boxes, 50 lets "final answer ... is" win
                no("1", "\\boxed{1}", "match_types", "latex", "boxed_match_priority", -1),
                ok("9999", "final answer is $9999$, \\boxed{1}", "boxed_match_priority", 100),
                ok("1", "final answer is $9999$, \\boxed{1}"),
                // choice letters (match_types: string)
                ok("A", "A. Because B is not valid", "match_types", "string"),
                ok("B", "Because B is valid", "match_types", "string"),
                ok("U", "The answer is U.", "match_types", "string", "choices", "U")));
    }

    @Test
    void setsAndSeveralAnswers() {
        check("sets", List.of(
                ok("(2, 2), (6, 2)", "$$\\boxed{(2, 2)} \\quad \\text{and} \\quad \\boxed{(6, 2)}$$"),
                ok("(6, 2), (2, 2)", "$$\\boxed{(2, 2)} \\quad \\text{and} \\quad \\boxed{(6, 2)}$$"),
                ok("\\pm 2021", boxed("\\{-2021, 2021\\}")),
                ok("p=5,q=2;p=7,q=2", boxed("(5,2),(7,2)")),
                ok("6 \\text{ and } 8", boxed("6,8")),
                ok("19, 46, and 82", boxed("19, 46, \\text{ and } 82")),
                ok("$21,16$ or $11$", boxed("21,16,11")),
                ok("1, -2", boxed("-2, 1")),
                ok("\\{1, 2, 3\\}", boxed("\\{3, 2, 1\\}")),
                ok("{1,2,3}", "\\boxed{1} and \\boxed{2} and \\boxed{3}"),
                ok("a_3 = 2, a_{37} = 19", boxed("a_{37} = 19, \\quad a_3 = 2")),
                ok("x = -5,\\ p = \\frac{14}{3}", boxed("-5, \\frac{14}{3}")),
                ok("(1, 3)", boxed("\\{1,3\\}")),
                ok("(37,3,3,13),(17,3,3,7),(3,37,3,13)", boxed("(3, 37, 3, 13), (17,3,3,7), (37,3,3,13), (17, 3, 3, 7)")),
                no("(3, 1)", boxed("\\{1,3\\}")),
                no("(1, 2)", boxed("(2, 1)")),
                no("(37,3,3),(17,3,3,7)", boxed("(37,3,3,13),(17,3,3,7)")),
                no("n=2, 3, 4", boxed("n=1, 2, 3")),
                ok("\\begin{pmatrix}6 & 8 \\\\ 10 & 12\\end{pmatrix}",
                        "The sum is $\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix} + \\begin{pmatrix}5 & 6 \\\\ 7 & 8\\end{pmatrix}$"),
                ok("\\begin{bmatrix}0 & 0 \\\\ 0 & 0\\end{bmatrix}", boxed("\\begin{pmatrix}0 & 0 \\\\ 0 & 0\\end{pmatrix}")),
                no("\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}", boxed("\\begin{pmatrix}1 & 2 \\\\ 3 & 5\\end{pmatrix}"))));
    }

    @Test
    void relationsAndIntervalsInCanonicalForm() {
        check("relations", List.of(
                ok("x \\leq 5", boxed("5 \\geq x")),
                ok("x >= 5", boxed("x \\geqslant 5")),
                ok("x < 1", boxed("-x > -1")),
                ok("x \\ne 3", boxed("x != 3")),
                ok("x = 11", boxed("x = 5+5+1 = 7 = 11")),
                ok("x = 1/3", boxed("x = 5+5+1 = 1/3 \\approx 11")),
                ok("11", boxed("x \\approx 11")),
                ok("2x+4y-3=0", boxed("y=-\\frac{1}{2}x+\\frac{3}{4}")),
                ok("x^2/4 + y^2/3 = 1", boxed("x^2/16 + y^2/12 = 1/4")),
                ok("34x+45y-20z+100=0", boxed("-34x-45y+20z-100=0")),
                ok("0<f(x)<1", boxed("(0,1)")),
                ok("-2 \\le x \\le 7", boxed("x \\in [-2,7]")),
                ok("-793 < a < 10", boxed("(-793, 10)")),
                ok("1\\leq|z|\\leq \\frac{3}{2}", boxed("z \\in \\left[-\\frac{3}{2}, -1\\right] \\cup \\left[1, \\frac{3}{2}\\right]")),
                ok("x \\in [-2,7]", boxed("-2 \\le x \\le 7"), "allow_set_relation_comp", true),
                ok("(-\\infty, 0) \\cup (1, \\infty)", boxed("(1,\\infty)\\cup(-\\infty,0)")),
                ok("[-1, -\\frac{1}{2}) \\cup (-\\frac{1}{2}, 0)", boxed("[-1, -\\tfrac12) \\cup (-\\tfrac12, 0)")),
                ok("[0,2]", boxed("[0,1] \\cup [1,2]")),
                ok("f(2) < f(1) < f(4)", boxed("f(2) < f(1) < f(4)")),
                no("x \\in [-2,7]", boxed("-2 \\le x \\le 7")),
                no("x > 5", boxed("x < 5")),
                no("x \\geq 5", boxed("x \\leq 5")),
                no("x < 1", boxed("x > -1")),
                no("x < 5", boxed("x \\le 5")),
                no("[0,1)", boxed("(0,1)")),
                no("(0,9)", boxed("[0,9)")),
                no("1", boxed("-[0,1)")),
                no("D = (0, 1)", boxed("D = (0, 1.5)"))));
    }

    @Test
    void equationsAndVariables() {
        check("equations", List.of(
                ok("k=1", boxed("1")),
                ok("1", boxed("k=1")),
                ok("f(x)=1", boxed("1")),
                ok("|AB|=1", boxed("1")),
                ok("(p,q)=(3,2)", boxed("(3,2)")),
                ok("y = 2x + 3", boxed("y=3+2x")),
                ok("\\frac{NO}{BO}=\\frac{1}{\\sqrt{6}}", boxed("\\frac{1}{\\sqrt{6}}")),
                no("x=1", boxed("y=1")),
                ok("x=1", boxed("y=1"), "strict", false),
                no("f(x)", boxed("f(y)")),
                ok("f(x)", boxed("f(y)"), "strict", false),
                no("z = 1 + 1 = 2", boxed("z = 3")),
                ok("z = 1 + 1 = 2", boxed("z = 3+3 = 2"))));
    }

    @Test
    void percentUnitsNumbersAndDecimalCommas() {
        check("normalisation", List.of(
                ok("28\\%", "28 percent"), ok("28\\%", "28 pct"), ok("28\\%", boxed("28 percentage")), ok("28\\%", "$28$ %"),
                ok("28\\%", boxed("0.28")), ok("28\\%", boxed("28")), ok("20", boxed("20\\%")), no("28\\%", boxed("29")),
                ok("125 miles", boxed("125\\textnormal{ miles}")), ok("15\\mbox{ cm}^2", boxed("15")), ok("90^\\circ", boxed("90")),
                ok("16386.17", boxed("\\$16,\\!386.17")), ok("0.06 \\text{ yuan}", boxed("0.06")),
                ok("7425000", boxed("7,425,000")), ok("1000", boxed("1 000")), ok("14916", boxed("14{,}916")),
                ok("32349", boxed("32,\\! 349")), ok("11111111100", boxed("11,\\! 111,\\! 111,\\! 100")),
                ok("2.74", "Soucis : 2,74 $ a.."), ok("1.22", boxed("1,22")), ok("1,22", boxed("1.22")), ok("0,111", boxed("0.111")),
                ok("1000.99", boxed("1000,99")), ok("0.4", boxed(".4")), ok("1000", boxed("1000.0")),
                no("1,5", boxed("1.5")), no("-2,1", boxed("-2.1")), no("2.74", boxed("2, 74")),
                ok("\\frac{1}{3}", boxed("\\frac13")), ok("\\sqrt{3}", boxed("\\sqrt3")), ok("\\frac{1}{3}", boxed("\\cfrac{1}{3}")),
                ok("\\text{Evelyn}", boxed("Evelyn")), ok("\\text{E}", boxed("E")), ok("\\text{odd}", boxed("Odd")),
                no("d", boxed("\\text{E}")), ok("\\text{(C)}", boxed("C")), ok("C", boxed("(C)")), no("B", boxed("(C)")),
                ok("2\\frac{1}{2}", boxed("2.5")), ok("1.5e3", boxed("1500"))));
    }

    @Test
    void precisionOption() {
        check("precision", List.of(
                ok("\\frac{1}{3}", boxed("0.333333")), no("\\frac{1}{3}", boxed("0.33333")),
                ok("\\frac{1}{3}", boxed("0.333"), "precision", 3), no("\\frac{1}{3}", boxed("0.333"), "precision", 4),
                ok("\\frac{1}{3}+1", boxed("1.333"), "precision", 3), no("\\frac{1}{3}+1", boxed("1.333"), "precision", 4),
                ok("4.123105625617661", boxed("\\sqrt{17}"), "precision", 5), no("4", boxed("4\\sqrt{2}"), "precision", 5),
                ok("(\\frac{3}{5},\\frac{8}{3}]", boxed("(0.6,2.6667]"), "precision", 2),
                ok("\\frac{1}{12}", boxed("0.0833333333333333")), ok("1000", boxed("1000.0000001")),
                no("1450000", boxed("1450001")), ok("\\frac{\\pi}{2}", boxed("0.5\\pi"))));
    }

    /** The false positives named in the issue and the two guards: none of these may score. */
    @Test
    void hackingGuards() {
        check("guards", List.of(
                // a relation is reduced to one side only when the dropped side is a lone variable (or named quantity)
                no("a +3z = 0", boxed("0")), no("2x + z = 1", boxed("1")), no("a^2 + b = 0", boxed("0")),
                no("7 = 11a+c", boxed("11a+c")), no("11", boxed("2x+z=11")), no("11", boxed("5+5+1=11+0=3")),
                // >= is one relation, never split at its '='
                no("x >= 5", boxed("5")), no("x \\geq 5", boxed("5")), no("5", boxed("x \\ge 5")), no("x \\le 5", boxed("5")),
                // ratios and times are not sent to the CAS as divisions of anything
                no("3:2", boxed("2:3")), no("3:2", boxed("6:1")), no("12:00", boxed("1:00")), ok("3:2", boxed("6:4")),
                ok("12:00", boxed("12:00")),
                // a number with a space after its comma is two numbers
                no("32349", "is $\\boxed{32, 349}$"), no("1000", boxed("1, 000")),
                // several candidates earn credit only where the gold is itself a list of the same size
                no("1", "\\boxed{1} or \\boxed{2}"), no("2", "\\boxed{1} and \\boxed{2}"), no("2", boxed("1, 2, 3")),
                no("2", boxed("\\{1,2\\}")), no("2", boxed("\\pm 2")), no("\\pm 2021", boxed("2021")),
                no("2", "$1$ or $2$"), no("(1,2)", boxed("(1,2),(2,1)")), no("x=2", boxed("x=1, x=2")),
                no("\\boxed{1} no no no no no \\boxed{2}", boxed("1,2")), ok("1,2", "\\boxed{1} or \\boxed{2}"),
                // the CAS is not a back door: words and values stay apart
                no("\\frac{1}{2}", boxed("\\frac{1}{3}")), no("x+1", boxed("x+2")), no("|x|", boxed("x")),
                no("\\sqrt{x^2}", boxed("x")), no("\\text{Monday}", boxed("Tuesday"))));
    }
}
