package io.zerorl.reward.math;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code countdown}: the equation in the last {@code <answer>} uses each given number exactly once, only
 * {@code + - * /} and parentheses, and equals the target (TinyZero {@code verl/utils/reward_score/countdown.py};
 * d1 {@code countdown_reward_func}). Evaluated exactly with rationals by a small parser, never {@code eval}.
 * Row fields: {@code nums} (list or "30,100,93") and {@code target}, or the cd3 file's {@code input}/{@code output}.
 * Scores: {@code score} (default 1) when correct, {@code format_score} (default 0.1, TinyZero) when an
 * equation was given but is wrong, 0 when none. An {@code =} part ("... = 23") is ignored.
 */
public final class CountdownReward extends RewardFunction.PerItem {
    private static final Pattern ALLOWED = Pattern.compile("^[\\d+\\-*/().\\s]+$");
    private static final Pattern INT = Pattern.compile("\\d+");
    private final double correctScore;
    private final double formatScore;

    public CountdownReward(String name, RewardOptions o) {
        super(name);
        this.correctScore = o.getDouble("score", 1.0);
        this.formatScore = o.getDouble("format_score", 0.1);
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        List<Long> nums = numbers(in.fields().containsKey("nums") ? in.fields().get("nums") : in.fields().get("input"));
        Object t = in.fields().containsKey("target") ? in.fields().get("target") : in.fields().get("output");
        if (nums == null || t == null) {
            return Score.notApplicable("row needs nums/target (or input/output)");
        }
        double target;
        try {
            target = Double.parseDouble(t.toString().trim());
        } catch (NumberFormatException e) {
            return Score.notApplicable("target is not a number: " + t);
        }
        String eqn = AnswerExtractor.lastAnswerTag(in.completion());
        if (eqn == null) {
            return Score.of(0.0, "reason", "no <answer> tag");
        }
        eqn = eqn.strip();
        int eqSign = eqn.indexOf('=');
        if (eqSign >= 0) {
            eqn = eqn.substring(0, eqSign).strip();
        }
        if (eqn.isEmpty() || !ALLOWED.matcher(eqn).matches()) {
            return Score.of(formatScore, "reason", "characters other than digits, + - * / ( ) .", "equation", eqn);
        }
        List<Long> used = new ArrayList<>();
        Matcher m = INT.matcher(eqn);
        while (m.find()) {
            if (m.group().length() > 12) {
                return Score.of(formatScore, "reason", "number too long", "equation", eqn);
            }
            used.add(Long.parseLong(m.group()));
        }
        List<Long> a = new ArrayList<>(used);
        List<Long> b = new ArrayList<>(nums);
        a.sort(null);
        b.sort(null);
        if (!a.equals(b)) {
            return Score.of(formatScore, "reason", "numbers used " + used + " != given " + nums, "equation", eqn);
        }
        BigInteger[] v;
        try {
            v = new Parser(eqn).parse();
        } catch (RuntimeException e) {
            return Score.of(formatScore, "reason", "cannot evaluate: " + e.getMessage(), "equation", eqn);
        }
        double value = new java.math.BigDecimal(v[0]).divide(new java.math.BigDecimal(v[1]), java.math.MathContext.DECIMAL64).doubleValue();
        boolean ok = Math.abs(value - target) < 1e-5;
        return Score.of(ok ? correctScore : formatScore, "equation", eqn, "value", value, "target", target);
    }

    private static List<Long> numbers(Object o) {
        if (o == null) {
            return null;
        }
        List<Long> out = new ArrayList<>();
        try {
            if (o instanceof Collection<?> c) {
                for (Object x : c) {
                    out.add(Math.round(Double.parseDouble(x.toString().trim())));
                }
            } else {
                for (String p : o.toString().replaceAll("[\\[\\]]", "").split(",")) {
                    if (!p.isBlank()) {
                        out.add(Math.round(Double.parseDouble(p.trim())));
                    }
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return out.isEmpty() ? null : out;
    }

    /** Recursive-descent parser over exact fractions {num, den}: expr = term (('+'|'-') term)*, etc. */
    private static final class Parser {
        private final String s;
        private int i;
        private int depth;

        Parser(String s) {
            this.s = s.replace(" ", "").replace("\t", "").replace("\n", "");
        }

        BigInteger[] parse() {
            BigInteger[] v = expr();
            if (i != s.length()) {
                throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "'");
            }
            return v;
        }

        private BigInteger[] expr() {
            BigInteger[] v = term();
            while (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                char op = s.charAt(i++);
                BigInteger[] r = term();
                v = norm(new BigInteger[] {op == '+' ? v[0].multiply(r[1]).add(r[0].multiply(v[1]))
                        : v[0].multiply(r[1]).subtract(r[0].multiply(v[1])), v[1].multiply(r[1])});
            }
            return v;
        }

        private BigInteger[] term() {
            BigInteger[] v = factor();
            while (i < s.length() && (s.charAt(i) == '*' || s.charAt(i) == '/')) {
                char op = s.charAt(i++);
                BigInteger[] r = factor();
                if (op == '*') {
                    v = norm(new BigInteger[] {v[0].multiply(r[0]), v[1].multiply(r[1])});
                } else {
                    if (r[0].signum() == 0) {
                        throw new ArithmeticException("division by zero");
                    }
                    v = norm(new BigInteger[] {v[0].multiply(r[1]), v[1].multiply(r[0])});
                }
            }
            return v;
        }

        private BigInteger[] factor() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '-' || c == '+') { // unary sign
                i++;
                BigInteger[] v = factor();
                return c == '-' ? new BigInteger[] {v[0].negate(), v[1]} : v;
            }
            if (c == '(') {
                if (++depth > 100) {
                    throw new IllegalArgumentException("nested too deep");
                }
                i++;
                BigInteger[] v = expr();
                if (i >= s.length() || s.charAt(i) != ')') {
                    throw new IllegalArgumentException("missing ')'");
                }
                i++;
                depth--;
                return v;
            }
            int st = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (st == i) {
                throw new IllegalArgumentException("expected a number at " + st);
            }
            java.math.BigDecimal d = new java.math.BigDecimal(s.substring(st, i));
            BigInteger den = BigInteger.TEN.pow(Math.max(0, d.scale()));
            return norm(new BigInteger[] {d.movePointRight(Math.max(0, d.scale())).toBigIntegerExact(), den});
        }

        private static BigInteger[] norm(BigInteger[] f) {
            BigInteger g = f[0].gcd(f[1]);
            if (g.signum() == 0) {
                return f;
            }
            if (f[1].signum() < 0) {
                g = g.negate();
            }
            return new BigInteger[] {f[0].divide(g), f[1].divide(g)};
        }
    }
}
