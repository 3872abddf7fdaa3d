package io.zerorl.reward;

import io.zerorl.reward.math.MathEquivalence;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Table-driven equivalence: gold, prediction, expected verdict. */
class MathEquivalenceTableTest {
    record Case(String gold, String pred, boolean equal) {}

    static Case eq(String g, String p) {
        return new Case(g, p, true);
    }

    static Case ne(String g, String p) {
        return new Case(g, p, false);
    }

    static final List<Case> CASES = List.of(
            // numbers, separators, trailing zeros, units, percent, degrees, dollars
            eq("42", "42.0"), eq("42", "42.000"), eq("1,450,000", "1450000"), eq("1{,}000", "1000"),
            eq("0.5", ".5"), eq("0.5", "\\frac{1}{2}"), eq("\\frac12", "\\frac{1}{2}"), eq("\\dfrac{3}{4}", "0.75"),
            eq("\\tfrac{3}{4}", "3/4"), eq("-\\frac{2}{3}", "\\frac{-2}{3}"), eq("50\\%", "50"), eq("30^\\circ", "30"),
            eq("30^{\\circ}", "30 degrees"), eq("\\$18", "18"), eq("18", "18 \\text{ dollars}"), eq("5", "5\\text{ cm}"),
            eq("12", "12 \\mbox{ inches}"), eq("10", "x = 10"), eq("3", "\\left( 3 \\right)"), eq("2\\frac{1}{2}", "2.5"),
            eq("\\text{(C)}", "C"), eq("(B)", "B"), eq("B", "(B)"), eq("\\text{Tuesday}", "Tuesday"),
            eq("1.5e3", "1500"), eq("-7", "-7.0"), eq("+3", "3"),
            // radicals, pi, expressions (CAS)
            eq("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}"), eq("2\\sqrt{2}", "\\sqrt{8}"), eq("\\sqrt2", "\\sqrt{2}"),
            eq("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}"), eq("3\\pi", "\\pi \\cdot 3"), eq("\\frac{\\pi}{2}", "0.5\\pi"),
            eq("x^2+2x+1", "(x+1)^2"), eq("2x+3", "3+2x"), eq("\\frac{x}{2}", "0.5x"), eq("6 - 2\\sqrt{5}", "-2\\sqrt{5}+6"),
            eq("\\sqrt[3]{8}", "2"), eq("2^{10}", "1024"), eq("\\frac{1}{\\sqrt{3}}", "\\frac{\\sqrt{3}}{3}"),
            eq("y = 2x + 3", "y=3+2x"), eq("a^2 b", "b a^2"),
            // tuples, intervals, sets, lists
            eq("\\left( 3, \\frac{\\pi}{2} \\right)", "(3, \\pi/2)"), eq("(1, 2)", "(1,2)"), eq("[1, 2)", "[1,2)"),
            eq("(-\\infty, 3]", "(-\\infty,3]"), eq("\\{1, 2, 3\\}", "\\{3, 2, 1\\}"), eq("1, -2", "-2, 1"),
            eq("(0, \\frac{1}{2})", "(0, 0.5)"), eq("(-\\infty, 0) \\cup (1, \\infty)", "(-\\infty,0)\\cup(1,\\infty)"),
            // not equal
            ne("42", "43"), ne("1,450,000", "1450001"), ne("0.5", "0.51"), ne("\\frac{1}{2}", "\\frac{1}{3}"),
            ne("2\\sqrt{2}", "\\sqrt{2}"), ne("3\\pi", "3"), ne("x^2+2x+1", "x^2+1"), ne("(1, 2)", "(2, 1)"),
            ne("[1, 2)", "[1, 2]"), ne("(1, 2)", "[1, 2]"), ne("\\text{(C)}", "D"), ne("B", "(C)"), ne("(1,2)", "(1,2,3)"),
            ne("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{2}}{2}"), ne("2x+3", "2x-3"), ne("1, -2", "1, 2"),
            ne("-7", "7"), ne("\\frac{\\pi}{2}", "\\frac{\\pi}{3}"), ne("(-\\infty, 3]", "(-\\infty, 3)"), ne("10", "100"),
            ne("\\text{Tuesday}", "Monday"), ne("y = 2x + 3", "y = 2x + 4"), ne("12", ""), ne("1000", "1,001"));

    @Test
    void table() {
        MathEquivalence eq = MathEquivalence.defaults();
        List<String> wrong = new ArrayList<>();
        for (Case c : CASES) {
            MathEquivalence.Result r = eq.equivalent(c.gold(), c.pred());
            if (r.equal() != c.equal()) {
                wrong.add((c.equal() ? "should be equal: " : "should differ: ") + c.gold() + "  vs  " + c.pred() + "  (" + r.method() + ")");
            }
        }
        System.out.println("equivalence table: " + CASES.size() + " pairs, " + wrong.size() + " wrong");
        wrong.forEach(w -> System.out.println("  " + w));
        assertThat(CASES.size()).isGreaterThanOrEqualTo(60);
        assertThat(wrong).isEmpty();
    }
}
