package io.zerorl.reward.math;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a predicted answer equals the gold answer. Cheapest first: canonical strings
 * ({@link LatexNormalizer}), multiple-choice letters, plain numbers and fractions (relative tolerance),
 * then structure (tuples, intervals with their bracket types, unordered lists, sets, unions, equations),
 * and only then the computer algebra system ({@link SymjaCas}, time-bounded).
 */
public final class MathEquivalence {
    /** The decision and the rule that made it (for logs). */
    public record Result(boolean equal, String method) {}

    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?");
    private static final Pattern FRAC = Pattern.compile("(-?)\\\\frac\\{(-?[\\d.]+)\\}\\{(-?[\\d.]+)\\}");
    private static final Pattern SLASH = Pattern.compile("(-?[\\d.]+)/(-?[\\d.]+)");
    private static final Pattern MIXED = Pattern.compile("(-?)(\\d+)\\\\frac\\{(\\d+)\\}\\{(\\d+)\\}");
    private static final Pattern CHOICE = Pattern.compile("^\\(?([A-Ea-e])\\)?$");
    private static final Pattern PRED_CHOICE = Pattern.compile("^\\(?([A-E])(?:\\)|\\.|:|$|\\s)");

    private final double relTol;
    private final long casTimeoutMs;
    private final boolean useCas;

    public MathEquivalence(double relTol, long casTimeoutMs, boolean useCas) {
        this.relTol = relTol;
        this.casTimeoutMs = casTimeoutMs;
        this.useCas = useCas;
    }

    public static MathEquivalence defaults() {
        return new MathEquivalence(1e-6, 2000, true);
    }

    public Result equivalent(String gold, String pred) {
        if (gold == null || pred == null) {
            return new Result(false, "missing");
        }
        String a = LatexNormalizer.normalize(gold);
        String b = LatexNormalizer.normalize(pred);
        if (b.isEmpty()) {
            return new Result(false, "empty");
        }
        return compare(a, b, 0);
    }

    private Result compare(String a, String b, int depth) {
        if (a.equals(b)) {
            return new Result(true, "string");
        }
        Matcher ca = CHOICE.matcher(a);
        if (ca.matches()) {
            Matcher cb = PRED_CHOICE.matcher(b);
            if (cb.find()) {
                return new Result(ca.group(1).equalsIgnoreCase(cb.group(1)), "choice");
            }
        }
        if (NUMBER.matcher(a).matches() && NUMBER.matcher(b).matches() && a.length() < 60 && b.length() < 60) {
            // two decimals: exact (1450000 vs 1450001 must differ, which a relative tolerance would not see)
            return new Result(new BigDecimal(a).compareTo(new BigDecimal(b)) == 0, "numeric");
        }
        Double na = number(a);
        Double nb = number(b);
        if (na != null && nb != null) {
            return new Result(close(na, nb), "numeric");
        }
        if (depth < 3) {
            Result r = structural(a, b, depth);
            if (r != null) {
                return r;
            }
        }
        if (a.equalsIgnoreCase(b) && a.chars().allMatch(Character::isLetter)) {
            return new Result(true, "text");
        }
        if (!useCas) {
            return new Result(false, "no_cas");
        }
        SymjaCas.Verdict v = SymjaCas.compare(toCasTex(a), toCasTex(b), casTimeoutMs);
        return switch (v) {
            case EQUAL -> new Result(true, "cas");
            case NOT_EQUAL -> new Result(false, "cas");
            case UNPARSEABLE -> new Result(false, "unparseable");
            case TIMEOUT -> new Result(false, "cas_timeout");
        };
    }

    boolean close(double x, double y) {
        if (x == y) {
            return true;
        }
        return Math.abs(x - y) <= relTol * Math.max(Math.abs(x), Math.abs(y)) + 1e-12;
    }

    /** A plain number, fraction, mixed number or a/b; null otherwise. */
    static Double number(String s) {
        if (s.isEmpty() || s.length() > 60) {
            return null;
        }
        if (NUMBER.matcher(s).matches()) {
            try {
                return new BigDecimal(s).doubleValue();
            } catch (NumberFormatException e) {
                return null;
            }
        }
        Matcher m = FRAC.matcher(s);
        if (m.matches()) {
            Double p = number(m.group(2));
            Double q = number(m.group(3));
            return p == null || q == null || q == 0 ? null : (m.group(1).isEmpty() ? 1 : -1) * p / q;
        }
        m = SLASH.matcher(s);
        if (m.matches()) {
            Double p = number(m.group(1));
            Double q = number(m.group(2));
            return p == null || q == null || q == 0 ? null : p / q;
        }
        m = MIXED.matcher(s);
        if (m.matches()) {
            double v = Double.parseDouble(m.group(2)) + Double.parseDouble(m.group(3)) / Double.parseDouble(m.group(4));
            return m.group(1).isEmpty() ? v : -v;
        }
        return null;
    }

    /** Tuples, intervals, sets, unordered lists, unions and equations; null when neither side has structure. */
    private Result structural(String a, String b, int depth) {
        // unions of intervals: compare piecewise, in order
        List<String> ua = splitTop(a, "\\cup");
        List<String> ub = splitTop(b, "\\cup");
        if (ua.size() > 1 || ub.size() > 1) {
            return pairwise(ua, ub, depth, "union");
        }
        // equations: both sides in order
        List<String> ea = splitTop(a, "=");
        List<String> eb = splitTop(b, "=");
        if (ea.size() == 2 && eb.size() == 2) {
            return pairwise(ea, eb, depth, "equation");
        }
        if (ea.size() == 2 && eb.size() == 1) {
            return compare(ea.get(1), b, depth + 1);
        }
        Seq sa = seq(a);
        Seq sb = seq(b);
        if (sa == null && sb == null) {
            return null;
        }
        if (sa == null || sb == null) {
            if (sa != null && sa.open.isEmpty() && sa.items.size() == 1) {
                return null;
            }
            // "(1,2)" vs "1,2": accept a bracketed tuple only against an unbracketed list of the same items
            Seq x = sa != null ? sa : sb;
            if (x.items.size() > 1) {
                return new Result(false, "structure");
            }
            return null;
        }
        if (sa.items.size() != sb.items.size()) {
            return new Result(false, "length");
        }
        boolean interval = sa.items.size() == 2 && isInterval(sa) && isInterval(sb);
        if (interval && !(sa.open.equals(sb.open) && sa.close.equals(sb.close))) {
            return new Result(false, "interval_brackets");
        }
        boolean unordered = (sa.open.isEmpty() && sb.open.isEmpty()) || (sa.open.equals("\\{") && sb.open.equals("\\{"));
        if (!unordered && !sa.open.isEmpty() && !sb.open.isEmpty() && !interval && !sa.open.equals(sb.open)) {
            return new Result(false, "brackets");
        }
        if (unordered) {
            List<String> rest = new ArrayList<>(sb.items);
            outer:
            for (String x : sa.items) {
                for (int i = 0; i < rest.size(); i++) {
                    if (compare(x, rest.get(i), depth + 1).equal()) {
                        rest.remove(i);
                        continue outer;
                    }
                }
                return new Result(false, "set");
            }
            return new Result(true, "set");
        }
        return pairwise(sa.items, sb.items, depth, interval ? "interval" : "tuple");
    }

    private Result pairwise(List<String> xs, List<String> ys, int depth, String method) {
        if (xs.size() != ys.size()) {
            return new Result(false, method);
        }
        for (int i = 0; i < xs.size(); i++) {
            if (!compare(xs.get(i), ys.get(i), depth + 1).equal()) {
                return new Result(false, method);
            }
        }
        return new Result(true, method);
    }

    private static boolean isInterval(Seq s) {
        return (s.open.equals("(") || s.open.equals("[")) && (s.close.equals(")") || s.close.equals("]"));
    }

    private record Seq(String open, String close, List<String> items) {}

    /** Splits "(a,b)", "[a,b)", "\{a,b\}" or "a,b"; null when there is no top-level comma. */
    private static Seq seq(String s) {
        String open = "";
        String close = "";
        String body = s;
        if (s.startsWith("\\{") && s.endsWith("\\}") && s.length() >= 4) {
            open = "\\{";
            close = "\\}";
            body = s.substring(2, s.length() - 2);
        } else if (s.length() >= 2 && "([".indexOf(s.charAt(0)) >= 0 && ")]".indexOf(s.charAt(s.length() - 1)) >= 0
                && closesAtEnd(s)) {
            open = s.substring(0, 1);
            close = s.substring(s.length() - 1);
            body = s.substring(1, s.length() - 1);
        }
        List<String> items = splitTop(body, ",");
        if (items.size() < 2) {
            return open.equals("\\{") ? new Seq(open, close, items) : null;
        }
        return new Seq(open, close, items);
    }

    /** True when the bracket at 0 is closed only by the last character (so "(1)+(2)" is not a tuple). */
    private static boolean closesAtEnd(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0 && i < s.length() - 1) {
                    return false;
                }
            }
        }
        return depth == 0;
    }

    /** Splits at a separator outside any brackets or braces. */
    static List<String> splitTop(String s, String sep) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && s.startsWith(sep, i)) {
                out.add(s.substring(start, i));
                start = i + sep.length();
                i += sep.length() - 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** Spelling Symja's TeX parser understands. */
    static String toCasTex(String s) {
        return s.replace("\\times", "\\cdot ").replace("\\cdot", "\\cdot ").replace("\\ln", "\\log");
    }
}
