package io.zerorl.reward.math;

import io.zerorl.reward.math.MathParser.Answer;
import io.zerorl.reward.math.MathParser.Items;
import io.zerorl.reward.math.MathParser.Kind;
import io.zerorl.reward.math.MathParser.Matrix;
import io.zerorl.reward.math.MathParser.Ratio;
import io.zerorl.reward.math.MathParser.Rel;
import io.zerorl.reward.math.MathParser.Scalar;
import io.zerorl.reward.math.MathParser.Text;
import io.zerorl.reward.math.MathParser.Union;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a predicted answer equals the gold answer, with Math-Verify's semantics in our own code.
 * Both sides are put in canonical spelling ({@link LatexNormalizer}) and read into structure ({@link MathParser});
 * then, cheapest first:
 * <ul>
 *   <li>equal canonical strings;</li>
 *   <li>equations: an assignment ({@code x = ...}, a lone variable or named quantity on the left) is cut to its first
 *       left and last right side ({@code x = 5+5+1 = 11} is {@code x = 11}); against a gold that is not an equation,
 *       a predicted assignment counts by its value; a gold assignment against a value counts by its value. A relation
 *       whose dropped side is not a lone variable is never reduced ({@code 0} is not an answer to {@code a+3z=0});</li>
 *   <li>relations: same kind after turning {@code >} into {@code <} ({@code 5 \ge x} is {@code x \le 5}), and sides
 *       whose differences are proportional (positively for inequalities: {@code -x > -1} is {@code x < 1},
 *       {@code 2x+4y-3=0} is {@code y=-x/2+3/4}); chains relation by relation;</li>
 *   <li>a gold inequality in one variable against a predicted interval or union is compared as a set
 *       ({@code -2 \le x \le 7} is {@code [-2,7]}, {@code 1 \le |z| \le 3/2} is a union); the other way round only
 *       with {@code allow_set_relation_comp};</li>
 *   <li>several answers: lists and sets unordered, tuples ordered, intervals with their bracket types, unions as
 *       sets; a single answer never equals a list of several (a list of candidates earns nothing unless the gold is a
 *       list of the same size);</li>
 *   <li>matrices element by element; ratios {@code a:b} by proportion, times such as {@code 12:00} part by part;</li>
 *   <li>numbers: exact rationals; when a decimal is involved and one side is a plain number, both are rounded to
 *       {@code precision} decimals (Math-Verify's float rounding); percent written on either side may be dropped or
 *       applied ({@code 28\%} equals {@code 28} and {@code 0.28}); a decimal comma ({@code 2,74}) is read only
 *       against a decimal number;</li>
 *   <li>expressions: value at random points of their variables ({@link ScalarExpr}), else the computer algebra system
 *       ({@link SymjaCas}, bounded by the item's time budget);</li>
 *   <li>words: case-insensitive; choice letters with or without brackets.</li>
 * </ul>
 * With {@code strict} off, the prediction's variables are renamed to the gold's when both have as many
 * ({@code f(y)} equals {@code f(x)}).
 */
public final class MathEquivalence {
    /** The decision and the rule that made it (for logs). */
    public record Result(boolean equal, String method) {}

    /**
     * Comparison settings, Math-Verify's defaults: {@code precision} decimals for float rounding (6), {@code strict}
     * variables (true), {@code allowSetRelationComp} (false), {@code fixMalformed} ({@code \frac12}, {@code \sqrt3};
     * true), {@code relTol} for values of expressions that are not plain numbers (1e-9).
     */
    public record Settings(int precision, boolean strict, boolean allowSetRelationComp, boolean fixMalformed, double relTol) {
        public static final Settings DEFAULT = new Settings(6, true, false, true, 1e-9);
    }

    private static final Pattern CHOICE = Pattern.compile("^\\(?([A-Ea-e])\\)?$");
    private static final Pattern PRED_CHOICE = Pattern.compile("^\\(?([A-E])(?:\\)|\\.|:|$|\\s)");
    private static final Pattern MALFORMED = Pattern.compile("\\\\(?:frac|sqrt)(?![A-Za-z])\\s*[^{\\[\\s]");
    private static final int MAX_ITEMS = 64;
    /** Answers longer than this are compared as strings only (no real final answer is that long). */
    private static final int MAX_ANSWER = 5000;

    private final Settings settings;
    private final long casTimeoutMs;
    private final boolean useCas;

    public MathEquivalence(Settings settings, long casTimeoutMs, boolean useCas) {
        this.settings = settings;
        this.casTimeoutMs = casTimeoutMs;
        this.useCas = useCas;
    }

    /** Default settings with another relative tolerance. */
    public MathEquivalence(double relTol, long casTimeoutMs, boolean useCas) {
        this(new Settings(6, true, false, true, relTol), casTimeoutMs, useCas);
    }

    public static MathEquivalence defaults() {
        return new MathEquivalence(Settings.DEFAULT, 2000, true);
    }

    /** State of one comparison: the time budget and the rule that decided. */
    private final class Ctx {
        final long deadline = System.nanoTime() + casTimeoutMs * 1_000_000L;
        String method = "none";
        boolean timedOut;
        int steps;

        long remainingMs() {
            return (deadline - System.nanoTime()) / 1_000_000L;
        }

        boolean decide(boolean v, String m) {
            method = m;
            return v;
        }
    }

    public Result equivalent(String gold, String pred) {
        if (gold == null || pred == null) {
            return new Result(false, "missing");
        }
        if (gold.length() > MAX_ANSWER || pred.length() > MAX_ANSWER) {
            return new Result(gold.strip().equals(pred.strip()), "too_long");
        }
        // fast path: two plain numbers (GSM8K, AIME)
        BigDecimal gn = plainNumber(gold);
        if (gn != null) {
            BigDecimal pn = plainNumber(pred);
            if (pn != null) {
                return new Result(numbersEqual(gn, pn), "numeric");
            }
        }
        String a = LatexNormalizer.canonical(gold, settings.fixMalformed());
        String b = LatexNormalizer.canonical(pred, settings.fixMalformed());
        if (b.isEmpty()) {
            return new Result(false, "empty");
        }
        if (!settings.strict()) {
            b = renameVariables(a, b);
        }
        if (a.equals(b)) {
            return new Result(true, "string");
        }
        Ctx ctx = new Ctx();
        boolean eq;
        try {
            eq = eq(MathParser.parse(a), MathParser.parse(b), ctx, 0);
        } catch (RuntimeException | StackOverflowError e) {
            return new Result(false, "error: " + e.getClass().getSimpleName());
        }
        if (!eq && ctx.timedOut) {
            return new Result(false, "cas_timeout");
        }
        return new Result(eq, ctx.method);
    }

    /** A plain decimal number, possibly in {@code $..$} and with thousands commas ({@code 1,234}); else null. */
    static BigDecimal plainNumber(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && Character.isWhitespace(s.charAt(a))) {
            a++;
        }
        while (b > a && Character.isWhitespace(s.charAt(b - 1))) {
            b--;
        }
        while (a < b - 1 && s.charAt(a) == '$' && s.charAt(b - 1) == '$') {
            a++;
            b--;
        }
        if (b - a == 0 || b - a > 40) {
            return null;
        }
        int i = a;
        if (s.charAt(i) == '-') {
            i++;
        }
        int digits = 0;
        int group = -1; // digits since the last thousands comma, -1 before the first comma
        boolean comma = false;
        for (; i < b; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                if (group >= 0) {
                    group++;
                }
            } else if (c == ',') {
                if (digits == 0 || digits > 3 && !comma || group >= 0 && group != 3 || s.charAt(a) == '0' || s.charAt(a) == '-' && s.charAt(a + 1) == '0') {
                    return null;
                }
                comma = true;
                group = 0;
            } else {
                break;
            }
        }
        if (comma && group != 3 || digits == 0) {
            return null;
        }
        if (i < b) {
            if (s.charAt(i) != '.' || i + 1 >= b) {
                return null;
            }
            for (int j = i + 1; j < b; j++) {
                if (s.charAt(j) < '0' || s.charAt(j) > '9') {
                    return null;
                }
            }
        }
        String t = s.substring(a, b);
        return new BigDecimal(comma ? t.replace(",", "") : t);
    }

    private boolean numbersEqual(BigDecimal x, BigDecimal y) {
        if (x.compareTo(y) == 0) {
            return true;
        }
        if (x.scale() > 0 || y.scale() > 0) {
            int p = settings.precision();
            return x.setScale(p, RoundingMode.HALF_EVEN).compareTo(y.setScale(p, RoundingMode.HALF_EVEN)) == 0;
        }
        return false;
    }

    // ---------------------------------------------------------------- dispatch

    private boolean eq(Answer g, Answer p, Ctx ctx, int depth) {
        if (g == null || p == null) {
            return ctx.decide(false, "unparsed");
        }
        if (depth > 12 || ++ctx.steps > 5000) {
            return ctx.decide(false, "too_deep");
        }
        if (g.src().equals(p.src())) {
            return ctx.decide(true, "string");
        }
        boolean gEq = isEquation(g);
        boolean pEq = isEquation(p);
        boolean gAssign = gEq && MathParser.named(((Rel) g).sides().get(0));
        boolean pAssign = pEq && MathParser.named(((Rel) p).sides().get(0));
        if (gAssign) {
            g = truncate((Rel) g);
        }
        if (pAssign) {
            p = truncate((Rel) p);
        }
        if (pEq && !gEq) {
            if (!pAssign) {
                return ctx.decide(false, "equation_vs_value");
            }
            p = MathParser.element(last((Rel) p), 0);
        } else if (gAssign && !pEq) {
            g = MathParser.element(last((Rel) g), 0);
        }
        if (g == null || p == null) {
            return ctx.decide(false, "unparsed");
        }
        if (g instanceof Rel gr && isSetLike(p)) {
            Answer s = relationToSet(gr);
            if (s != null) {
                g = s;
            }
        }
        if (settings.allowSetRelationComp() && p instanceof Rel pr && isSetLike(g)) {
            Answer s = relationToSet(pr);
            if (s != null) {
                p = s;
            }
        }
        if (g.src().equals(p.src())) {
            return ctx.decide(true, "string");
        }
        if (g instanceof Rel gr && p instanceof Rel pr) {
            return relEq(gr, pr, ctx, depth);
        }
        if (g instanceof Rel || p instanceof Rel) {
            return ctx.decide(false, "relation_vs_value");
        }
        if (isSetLike(g) || isSetLike(p)) {
            return setEq(g, p, ctx, depth);
        }
        if (g instanceof Matrix gm && p instanceof Matrix pm) {
            return matrixEq(gm, pm, ctx, depth);
        }
        if (g instanceof Matrix || p instanceof Matrix) {
            return ctx.decide(false, "matrix_vs_value");
        }
        if (g instanceof Ratio || p instanceof Ratio) {
            return ratioEq(g, p, ctx, depth);
        }
        if (g instanceof Text || p instanceof Text) {
            return textEq(g, p, ctx);
        }
        return scalarEq((Scalar) g, (Scalar) p, ctx);
    }

    private static boolean isEquation(Answer a) {
        if (!(a instanceof Rel r)) {
            return false;
        }
        for (String op : r.ops()) {
            if (!op.equals("=")) {
                return false;
            }
        }
        return true;
    }

    private static Rel truncate(Rel r) {
        if (r.sides().size() == 2) {
            return r;
        }
        String l = r.sides().get(0);
        String rr = last(r);
        return new Rel(l + "=" + rr, List.of(l, rr), List.of("="));
    }

    private static String last(Rel r) {
        return r.sides().get(r.sides().size() - 1);
    }

    private static boolean isSetLike(Answer a) {
        return a instanceof Items || a instanceof Union;
    }

    // ---------------------------------------------------------------- relations

    private static boolean strictOp(String op) {
        return op.equals("<") || op.equals(">");
    }

    private static boolean weakOp(String op) {
        return op.equals("\\le") || op.equals("\\ge");
    }

    /** The relation as (left, right, op) with > and \ge turned into < and \le. */
    private record Oriented(String left, String right, String op) {
        static Oriented of(String l, String op, String r) {
            return switch (op) {
                case ">" -> new Oriented(r, l, "<");
                case "\\ge" -> new Oriented(r, l, "\\le");
                default -> new Oriented(l, r, op);
            };
        }
    }

    private boolean relEq(Rel g, Rel p, Ctx ctx, int depth) {
        if (g.sides().size() != p.sides().size()) {
            return ctx.decide(false, "relation");
        }
        int n = g.ops().size();
        // both assignments to the same name: compare what is assigned (values, sets, intervals)
        if (n == 1 && isEquation(g) && isEquation(p) && MathParser.named(g.sides().get(0))
                && g.sides().get(0).equals(p.sides().get(0))) {
            boolean v = eq(MathParser.element(g.sides().get(1), 0), MathParser.element(p.sides().get(1), 0), ctx, depth + 1);
            return ctx.decide(v, "equation");
        }
        boolean forward = true;
        for (int k = 0; k < n && forward; k++) {
            forward = singleRelEq(Oriented.of(g.sides().get(k), g.ops().get(k), g.sides().get(k + 1)),
                    Oriented.of(p.sides().get(k), p.ops().get(k), p.sides().get(k + 1)), ctx, depth);
        }
        if (forward) {
            return ctx.decide(true, "relation");
        }
        if (n > 1) {
            // a < x < b written as b > x > a
            boolean backward = true;
            for (int k = 0; k < n && backward; k++) {
                int q = n - 1 - k;
                backward = singleRelEq(Oriented.of(g.sides().get(k), g.ops().get(k), g.sides().get(k + 1)),
                        Oriented.of(p.sides().get(q), p.ops().get(q), p.sides().get(q + 1)), ctx, depth);
            }
            if (backward) {
                return ctx.decide(true, "relation");
            }
        }
        return ctx.decide(false, "relation");
    }

    private boolean singleRelEq(Oriented g, Oriented p, Ctx ctx, int depth) {
        if (!g.op().equals(p.op())) {
            return false;
        }
        boolean symmetric = g.op().equals("=") || g.op().equals("\\ne");
        if (g.left().equals(p.left()) && g.right().equals(p.right())
                || symmetric && g.left().equals(p.right()) && g.right().equals(p.left())) {
            return true;
        }
        ScalarExpr gl = ScalarExpr.parse(g.left(), !settings.fixMalformed());
        ScalarExpr gr = ScalarExpr.parse(g.right(), !settings.fixMalformed());
        ScalarExpr pl = ScalarExpr.parse(p.left(), !settings.fixMalformed());
        ScalarExpr pr = ScalarExpr.parse(p.right(), !settings.fixMalformed());
        if (gl != null && gr != null && pl != null && pr != null) {
            int sign = proportional(gl, gr, pl, pr);
            return symmetric ? sign != 0 : sign > 0;
        }
        // sides that are not scalar expressions (sets, functions we cannot evaluate): side by side
        boolean same = eq(MathParser.element(g.left(), 0), MathParser.element(p.left(), 0), ctx, depth + 1)
                && eq(MathParser.element(g.right(), 0), MathParser.element(p.right(), 0), ctx, depth + 1);
        if (!same && symmetric) {
            same = eq(MathParser.element(g.left(), 0), MathParser.element(p.right(), 0), ctx, depth + 1)
                    && eq(MathParser.element(g.right(), 0), MathParser.element(p.left(), 0), ctx, depth + 1);
        }
        return same;
    }

    /**
     * Whether gl - gr = c (pl - pr) for one constant c at random points of the variables: the sign of c, or 0 when
     * there is no such constant (or it cannot be told).
     */
    private int proportional(ScalarExpr gl, ScalarExpr gr, ScalarExpr pl, ScalarExpr pr) {
        Set<String> vars = new LinkedHashSet<>();
        vars.addAll(gl.variables);
        vars.addAll(gr.variables);
        vars.addAll(pl.variables);
        vars.addAll(pr.variables);
        Random rnd = new Random(4242);
        Double ratio = null;
        int valid = 0;
        int zeroBoth = 0;
        for (int k = 0; k < 24 && valid < 6; k++) {
            Map<String, Double> at = point(vars, rnd, k);
            double dg = gl.eval(at) - gr.eval(at);
            double dp = pl.eval(at) - pr.eval(at);
            if (!Double.isFinite(dg) || !Double.isFinite(dp)) {
                continue;
            }
            double scale = 1 + Math.abs(gl.eval(at)) + Math.abs(gr.eval(at));
            double scaleP = 1 + Math.abs(pl.eval(at)) + Math.abs(pr.eval(at));
            boolean gz = Math.abs(dg) <= 1e-12 * scale;
            boolean pz = Math.abs(dp) <= 1e-12 * scaleP;
            if (gz && pz) {
                zeroBoth++;
                valid++;
                continue;
            }
            if (gz != pz) {
                return 0;
            }
            double r = dg / dp;
            if (ratio == null) {
                ratio = r;
            } else if (Math.abs(r - ratio) > 1e-9 * Math.max(1, Math.abs(ratio))) {
                return 0;
            }
            valid++;
        }
        if (valid < (vars.isEmpty() ? 1 : 3)) {
            return 0;
        }
        if (ratio == null) {
            return zeroBoth > 0 ? 1 : 0;
        }
        return ratio > 0 ? 1 : -1;
    }

    /** Point k: magnitudes in [0.35, 2.75]; the first point positive, then signs at random (|x| is not x). */
    private static Map<String, Double> point(Set<String> vars, Random rnd, int k) {
        Map<String, Double> at = new HashMap<>();
        int i = 0;
        for (String v : vars) {
            double mag = 0.35 + rnd.nextDouble() * 2.4;
            boolean negative = k > 0 && (k % 2 == 1 ? i % 2 == 0 : rnd.nextBoolean());
            at.put(v, negative ? -mag : mag);
            i++;
        }
        return at;
    }

    /**
     * A relation in one variable (or named quantity) and constants as a set: {@code x < c}, {@code a \le x < b},
     * {@code x \ne c}, and the same with {@code |x|}; null for anything else.
     */
    private Answer relationToSet(Rel r) {
        List<String> sides = r.sides();
        List<String> ops = r.ops();
        for (String op : ops) {
            if (!(strictOp(op) || weakOp(op) || op.equals("\\ne"))) {
                return null;
            }
        }
        int var = -1;
        for (int k = 0; k < sides.size(); k++) {
            if (constant(sides.get(k)) == null) {
                if (var >= 0) {
                    return null;
                }
                var = k;
            }
        }
        if (var < 0) {
            return null;
        }
        String v = sides.get(var);
        boolean abs = v.startsWith("|") && v.endsWith("|") && v.length() > 2;
        String inner = abs ? v.substring(1, v.length() - 1) : v;
        if (!MathParser.named(inner)) {
            return null;
        }
        // bounds on v: lower (value, closed) and upper
        String lo = "-\\infty";
        boolean loClosed = false;
        String hi = "\\infty";
        boolean hiClosed = false;
        Double loV = Double.NEGATIVE_INFINITY;
        Double hiV = Double.POSITIVE_INFINITY;
        String ne = null;
        for (int k = 0; k < ops.size(); k++) {
            String op = ops.get(k);
            boolean varLeft = k == var;
            boolean varRight = k + 1 == var;
            if (!varLeft && !varRight) {
                continue; // a relation between two constants in a chain: ignore only when it holds is too subtle
            }
            String c = varLeft ? sides.get(k + 1) : sides.get(k);
            Double cv = constant(c);
            if (op.equals("\\ne")) {
                if (ops.size() > 1) {
                    return null;
                }
                ne = c;
                continue;
            }
            boolean less = op.equals("<") || op.equals("\\le");
            boolean closed = weakOp(op);
            // v < c (upper bound) when v is on the left of "<" or on the right of ">"
            boolean upper = varLeft == less;
            if (upper) {
                if (cv < hiV) {
                    hiV = cv;
                    hi = c;
                    hiClosed = closed;
                }
            } else if (cv > loV) {
                loV = cv;
                lo = c;
                loClosed = closed;
            }
        }
        List<Answer> parts = new ArrayList<>();
        if (ne != null) {
            parts.add(interval("-\\infty", false, ne, false));
            parts.add(interval(ne, false, "\\infty", false));
        } else if (!abs) {
            parts.add(interval(lo, loClosed, hi, hiClosed));
        } else {
            // lo <= |v| <= hi: [-hi, -lo] u [lo, hi] (one interval when lo <= 0)
            if (loV <= 0 && !(loV == 0 && !loClosed)) {
                parts.add(interval(negate(hi), hiClosed, hi, hiClosed));
            } else {
                parts.add(interval(negate(hi), hiClosed, negate(lo), loClosed));
                parts.add(interval(lo, loClosed, hi, hiClosed));
            }
        }
        return parts.size() == 1 ? parts.get(0) : new Union(r.src(), parts);
    }

    private static String negate(String c) {
        if (c.equals("\\infty")) {
            return "-\\infty";
        }
        if (c.equals("-\\infty")) {
            return "\\infty";
        }
        return c.startsWith("-") ? c.substring(1) : "-" + c;
    }

    private static Items interval(String lo, boolean loClosed, String hi, boolean hiClosed) {
        String open = loClosed ? "[" : "(";
        String close = hiClosed ? "]" : ")";
        List<Answer> ends = List.of(new Scalar(lo, lo, false), new Scalar(hi, hi, false));
        return new Items(open + lo + "," + hi + close, Kind.PAIR, open, close, ends, null);
    }

    /** The value of a constant expression (±∞ allowed), or null when it has variables or does not evaluate. */
    private Double constant(String s) {
        ScalarExpr e = ScalarExpr.parse(s, !settings.fixMalformed());
        if (e == null || !e.variables.isEmpty()) {
            return null;
        }
        double v = e.eval();
        return Double.isNaN(v) || Double.isInfinite(v) && !e.hasInfinity ? null : v;
    }

    // ---------------------------------------------------------------- sets, tuples, intervals

    private boolean setEq(Answer g, Answer p, Ctx ctx, int depth) {
        // a decimal comma is read only against a decimal number on the other side
        if (g instanceof Items gi && gi.decimal() != null && p instanceof Scalar ps && ps.tex().contains(".")) {
            return scalarEq(new Scalar(gi.decimal(), gi.decimal(), false), ps, ctx);
        }
        if (p instanceof Items pi && pi.decimal() != null && g instanceof Scalar gs && gs.tex().contains(".")) {
            return scalarEq(gs, new Scalar(pi.decimal(), pi.decimal(), false), ctx);
        }
        if (g instanceof Union || p instanceof Union) {
            return unionEq(g, p, ctx, depth);
        }
        Items a = asItems(g);
        Items b = asItems(p);
        List<Answer> ga = dedupe(a.items());
        List<Answer> pb = dedupe(b.items());
        if (ga.size() != pb.size()) {
            return ctx.decide(false, ga.size() == 1 || pb.size() == 1 ? "one_vs_several" : "size");
        }
        if (ga.size() > MAX_ITEMS) {
            return ctx.decide(false, "too_many");
        }
        boolean gBracket = a.kind() == Kind.PAIR || a.kind() == Kind.TUPLE;
        boolean pBracket = b.kind() == Kind.PAIR || b.kind() == Kind.TUPLE;
        if (a.kind() == Kind.PAIR && b.kind() == Kind.PAIR) {
            // intervals or pairs: the same brackets, ends in order
            if (!a.open().equals(b.open()) || !a.close().equals(b.close())) {
                return ctx.decide(false, "interval_brackets");
            }
            return ctx.decide(ordered(ga, pb, ctx, depth), "interval");
        }
        if (gBracket && pBracket) {
            return ctx.decide(ordered(ga, pb, ctx, depth), "tuple");
        }
        if (gBracket) {
            // a gold tuple against a predicted list: in the order written; a closed interval is not a list
            if (a.kind() == Kind.PAIR && !(a.open().equals("(") && a.close().equals(")"))) {
                return ctx.decide(false, "interval_vs_list");
            }
            return ctx.decide(ordered(ga, pb, ctx, depth), "tuple");
        }
        if (pBracket && b.kind() == Kind.PAIR && !(b.open().equals("(") && b.close().equals(")"))) {
            return ctx.decide(false, "interval_vs_list");
        }
        return ctx.decide(unordered(ga, pb, ctx, depth), "set");
    }

    private static Items asItems(Answer a) {
        if (a instanceof Items it) {
            return it;
        }
        return new Items(a.src(), Kind.LIST, "", "", List.of(a), null);
    }

    /** Drops repeated items (the same canonical text): a set has each element once. */
    private static List<Answer> dedupe(List<Answer> xs) {
        if (xs.size() < 2) {
            return xs;
        }
        List<Answer> out = new ArrayList<>(xs.size());
        Set<String> seen = new LinkedHashSet<>();
        for (Answer x : xs) {
            if (seen.add(x.src())) {
                out.add(x);
            }
        }
        return out;
    }

    private boolean ordered(List<Answer> xs, List<Answer> ys, Ctx ctx, int depth) {
        for (int i = 0; i < xs.size(); i++) {
            if (!eq(xs.get(i), ys.get(i), ctx, depth + 1)) {
                return false;
            }
        }
        return true;
    }

    /** A perfect matching between the two lists (augmenting paths; lists are small). */
    private boolean unordered(List<Answer> xs, List<Answer> ys, Ctx ctx, int depth) {
        int n = xs.size();
        boolean[][] m = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            boolean any = false;
            for (int j = 0; j < n; j++) {
                m[i][j] = eq(xs.get(i), ys.get(j), ctx, depth + 1);
                any |= m[i][j];
            }
            if (!any) {
                return false;
            }
        }
        int[] matchOf = new int[n];
        java.util.Arrays.fill(matchOf, -1);
        for (int i = 0; i < n; i++) {
            if (!augment(i, m, matchOf, new boolean[n])) {
                return false;
            }
        }
        return true;
    }

    private static boolean augment(int i, boolean[][] m, int[] matchOf, boolean[] seen) {
        for (int j = 0; j < m.length; j++) {
            if (m[i][j] && !seen[j]) {
                seen[j] = true;
                if (matchOf[j] < 0 || augment(matchOf[j], m, matchOf, seen)) {
                    matchOf[j] = i;
                    return true;
                }
            }
        }
        return false;
    }

    /** One piece of a union in numbers: [lo, hi] with open/closed ends and the text of each end. */
    private record Piece(double lo, boolean loClosed, String loTex, double hi, boolean hiClosed, String hiTex) {}

    private boolean unionEq(Answer g, Answer p, Ctx ctx, int depth) {
        List<Piece> a = pieces(g);
        List<Piece> b = pieces(p);
        if (a == null || b == null) {
            // ends that are not numbers: the pieces as an unordered list
            List<Answer> ga = g instanceof Union gu ? gu.parts() : List.of(g);
            List<Answer> pb = p instanceof Union pu ? pu.parts() : List.of(p);
            return ctx.decide(ga.size() == pb.size() && unordered(ga, pb, ctx, depth), "union");
        }
        a = merge(a);
        b = merge(b);
        if (a.size() != b.size()) {
            return ctx.decide(false, "union");
        }
        for (int i = 0; i < a.size(); i++) {
            Piece x = a.get(i);
            Piece y = b.get(i);
            if (x.loClosed() != y.loClosed() || x.hiClosed() != y.hiClosed()
                    || !endEq(x.loTex(), x.lo(), y.loTex(), y.lo(), ctx) || !endEq(x.hiTex(), x.hi(), y.hiTex(), y.hi(), ctx)) {
                return ctx.decide(false, "union");
            }
        }
        return ctx.decide(true, "union");
    }

    private boolean endEq(String at, double av, String bt, double bv, Ctx ctx) {
        if (Double.isInfinite(av) || Double.isInfinite(bv)) {
            return av == bv;
        }
        return scalarEq(new Scalar(at, at, false), new Scalar(bt, bt, false), ctx);
    }

    private List<Piece> pieces(Answer a) {
        List<Piece> out = new ArrayList<>();
        List<Answer> parts = a instanceof Union u ? u.parts() : List.of(a);
        for (Answer part : parts) {
            if (part instanceof Items it && it.kind() == Kind.PAIR && !it.open().isEmpty()) {
                String l = it.items().get(0).src();
                String h = it.items().get(1).src();
                Double lv = constant(l);
                Double hv = constant(h);
                if (lv == null || hv == null) {
                    return null;
                }
                out.add(new Piece(lv, it.open().equals("["), l, hv, it.close().equals("]"), h));
            } else if (part instanceof Items it && (it.kind() == Kind.SET || it.kind() == Kind.LIST)) {
                for (Answer x : it.items()) {
                    Double v = constant(x.src());
                    if (v == null) {
                        return null;
                    }
                    out.add(new Piece(v, true, x.src(), v, true, x.src()));
                }
            } else if (part instanceof Scalar s) {
                Double v = constant(s.src());
                if (v == null) {
                    return null;
                }
                out.add(new Piece(v, true, s.src(), v, true, s.src()));
            } else {
                return null;
            }
        }
        return out;
    }

    /** Sorts the pieces and joins those that overlap or touch, so that equal sets have equal pieces. */
    private static List<Piece> merge(List<Piece> ps) {
        List<Piece> sorted = new ArrayList<>(ps);
        sorted.sort(Comparator.comparingDouble(Piece::lo).thenComparing(x -> !x.loClosed()));
        List<Piece> out = new ArrayList<>();
        for (Piece x : sorted) {
            if (out.isEmpty()) {
                out.add(x);
                continue;
            }
            Piece last = out.get(out.size() - 1);
            boolean touch = x.lo() < last.hi() || (x.lo() == last.hi() && (x.loClosed() || last.hiClosed()));
            if (touch) {
                boolean later = x.hi() > last.hi() || (x.hi() == last.hi() && x.hiClosed());
                out.set(out.size() - 1, later
                        ? new Piece(last.lo(), last.loClosed(), last.loTex(), x.hi(), x.hiClosed() || (x.hi() == last.hi() && last.hiClosed()), x.hiTex())
                        : last);
            } else {
                out.add(x);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- matrices, ratios, words

    private boolean matrixEq(Matrix g, Matrix p, Ctx ctx, int depth) {
        if (g.rows().size() != p.rows().size()) {
            return ctx.decide(false, "matrix");
        }
        for (int i = 0; i < g.rows().size(); i++) {
            List<String> a = g.rows().get(i);
            List<String> b = p.rows().get(i);
            if (a.size() != b.size()) {
                return ctx.decide(false, "matrix");
            }
            for (int j = 0; j < a.size(); j++) {
                String x = LatexNormalizer.canonical(a.get(j), settings.fixMalformed());
                String y = LatexNormalizer.canonical(b.get(j), settings.fixMalformed());
                if (!x.equals(y) && !eq(MathParser.element(x, 0), MathParser.element(y, 0), ctx, depth + 1)) {
                    return ctx.decide(false, "matrix");
                }
            }
        }
        return ctx.decide(true, "matrix");
    }

    /**
     * Ratios: {@code a:b} equals {@code c:d} when the parts are proportional (all non-zero), part by part otherwise
     * ({@code 12:00} is a time); a ratio of two numbers also equals its value.
     */
    private boolean ratioEq(Answer g, Answer p, Ctx ctx, int depth) {
        List<String> a = g instanceof Ratio r ? r.parts() : null;
        List<String> b = p instanceof Ratio r ? r.parts() : null;
        if (a != null && b != null) {
            if (a.size() != b.size()) {
                return ctx.decide(false, "ratio");
            }
            List<ScalarExpr.Rational> x = exactParts(a);
            List<ScalarExpr.Rational> y = exactParts(b);
            if (x != null && y != null && x.stream().allMatch(v -> v.num().signum() != 0)
                    && y.stream().allMatch(v -> v.num().signum() != 0)) {
                ScalarExpr.Rational k = x.get(0).div(y.get(0));
                for (int i = 1; i < x.size(); i++) {
                    if (!x.get(i).div(y.get(i)).equals(k)) {
                        return ctx.decide(false, "ratio");
                    }
                }
                return ctx.decide(true, "ratio");
            }
            for (int i = 0; i < a.size(); i++) {
                if (!eq(MathParser.element(a.get(i), 0), MathParser.element(b.get(i), 0), ctx, depth + 1)) {
                    return ctx.decide(false, "ratio");
                }
            }
            return ctx.decide(true, "ratio");
        }
        List<String> parts = a != null ? a : b;
        Answer other = a != null ? p : g;
        List<ScalarExpr.Rational> x = exactParts(parts);
        if (parts.size() == 2 && x != null && x.get(1).num().signum() != 0 && other instanceof Scalar s) {
            ScalarExpr.Rational v = x.get(0).div(x.get(1));
            String tex = "\\frac{" + v.num() + "}{" + v.den() + "}";
            Scalar value = new Scalar(tex, tex, false);
            return a != null ? scalarEq(value, s, ctx) : scalarEq(s, value, ctx);
        }
        return ctx.decide(false, "ratio");
    }

    private List<ScalarExpr.Rational> exactParts(List<String> parts) {
        List<ScalarExpr.Rational> out = new ArrayList<>();
        for (String s : parts) {
            ScalarExpr e = ScalarExpr.parse(s, !settings.fixMalformed());
            ScalarExpr.Rational r = e == null ? null : e.exact();
            if (r == null) {
                return null;
            }
            out.add(r);
        }
        return out;
    }

    private boolean textEq(Answer g, Answer p, Ctx ctx) {
        String a = g.src();
        String b = p.src();
        var ca = CHOICE.matcher(a);
        if (ca.matches()) {
            var cb = PRED_CHOICE.matcher(b);
            if (cb.find()) {
                return ctx.decide(ca.group(1).equalsIgnoreCase(cb.group(1)), "choice");
            }
        }
        String x = a.replace("(", "").replace(")", "");
        String y = b.replace("(", "").replace(")", "");
        if (x.length() > 1 && y.length() > 1 && x.chars().allMatch(Character::isLetter) && y.chars().allMatch(Character::isLetter)) {
            return ctx.decide(x.equalsIgnoreCase(y), "text");
        }
        if (g instanceof Text && p instanceof Text) {
            return ctx.decide(a.equals(b), "text");
        }
        // a word against an expression: e (Euler's number) and single letters are values; compare those
        if (g instanceof Scalar || p instanceof Scalar) {
            Scalar gs = g instanceof Scalar s ? s : new Scalar(a, a, false);
            Scalar ps = p instanceof Scalar s ? s : new Scalar(b, b, false);
            if (ScalarExpr.parse(gs.tex(), true) != null && ScalarExpr.parse(ps.tex(), true) != null) {
                return scalarEq(gs, ps, ctx);
            }
        }
        return ctx.decide(false, "text");
    }

    // ---------------------------------------------------------------- scalars

    private boolean scalarEq(Scalar g, Scalar p, Ctx ctx) {
        if (g.tex().equals(p.tex())) {
            return ctx.decide(true, "string");
        }
        boolean strictBraces = !settings.fixMalformed();
        ScalarExpr a = ScalarExpr.parse(g.tex(), strictBraces);
        ScalarExpr b = ScalarExpr.parse(p.tex(), strictBraces);
        if (a != null && b != null) {
            if (a.variables.isEmpty() && b.variables.isEmpty()) {
                Boolean v = valueEq(a, b, false, false);
                if (v != null) {
                    if (v) {
                        return ctx.decide(true, "numeric");
                    }
                    if ((g.percent() || p.percent()) && Boolean.TRUE.equals(valueEq(a, b, g.percent(), p.percent()))) {
                        return ctx.decide(true, "percent");
                    }
                    return ctx.decide(false, "numeric");
                }
                // too large for doubles and not exact: the CAS decides
            }
            int id = identity(a, b);
            if (id != 0) {
                return ctx.decide(id > 0, "numeric_identity");
            }
        }
        return cas(g.tex(), p.tex(), ctx);
    }

    /**
     * Two constant expressions; {@code gPct}/{@code pPct}: divide that side by 100. Null when it cannot be told in
     * double precision (a value overflows without being written as infinity).
     */
    private Boolean valueEq(ScalarExpr a, ScalarExpr b, boolean gPct, boolean pPct) {
        ScalarExpr.Rational ra = a.exact();
        ScalarExpr.Rational rb = b.exact();
        ScalarExpr.Rational hundred = ScalarExpr.Rational.of(java.math.BigInteger.valueOf(100), java.math.BigInteger.ONE);
        if (ra != null && gPct) {
            ra = ra.div(hundred);
        }
        if (rb != null && pPct) {
            rb = rb.div(hundred);
        }
        double da = ra != null ? ra.toDouble() : a.eval() / (gPct ? 100 : 1);
        double db = rb != null ? rb.toDouble() : b.eval() / (pPct ? 100 : 1);
        if (Double.isInfinite(da) && !a.hasInfinity || Double.isInfinite(db) && !b.hasInfinity) {
            return ra != null && rb != null ? ra.equals(rb) : null;
        }
        if (Double.isNaN(da) || Double.isNaN(db)) {
            return ra != null && rb != null ? ra.equals(rb) : false;
        }
        if (Double.isInfinite(da) || Double.isInfinite(db)) {
            return da == db;
        }
        boolean decimal = a.hasDecimal || b.hasDecimal;
        if (decimal && (a.atomicNumber || b.atomicNumber)) {
            int digits = settings.precision();
            BigDecimal x = ra != null ? ra.round(digits) : new BigDecimal(da).setScale(digits, RoundingMode.HALF_EVEN);
            BigDecimal y = rb != null ? rb.round(digits) : new BigDecimal(db).setScale(digits, RoundingMode.HALF_EVEN);
            return x.compareTo(y) == 0;
        }
        if (ra != null && rb != null) {
            return ra.equals(rb);
        }
        return Math.abs(da - db) <= settings.relTol() * Math.max(1, Math.max(Math.abs(da), Math.abs(db)));
    }

    /** +1 when equal at random points of their variables, -1 when they differ somewhere, 0 when it cannot be told. */
    private int identity(ScalarExpr a, ScalarExpr b) {
        Set<String> vars = new LinkedHashSet<>(a.variables);
        vars.addAll(b.variables);
        Random rnd = new Random(1234);
        int valid = 0;
        for (int k = 0; k < 24 && valid < 6; k++) {
            Map<String, Double> at = point(vars, rnd, k);
            double x = a.eval(at);
            double y = b.eval(at);
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                continue;
            }
            valid++;
            if (Math.abs(x - y) > settings.relTol() * Math.max(1, Math.max(Math.abs(x), Math.abs(y)))) {
                return -1;
            }
        }
        return valid >= 3 ? 1 : 0;
    }

    private boolean cas(String a, String b, Ctx ctx) {
        if (!useCas) {
            return ctx.decide(false, "no_cas");
        }
        if (!settings.fixMalformed() && (MALFORMED.matcher(a).find() || MALFORMED.matcher(b).find())) {
            return ctx.decide(false, "malformed");
        }
        long left = ctx.remainingMs();
        if (left <= 0) {
            ctx.timedOut = true;
            return ctx.decide(false, "cas_timeout");
        }
        SymjaCas.Verdict v = SymjaCas.compare(toCasTex(a), toCasTex(b), left);
        return switch (v) {
            case EQUAL -> ctx.decide(true, "cas");
            case NOT_EQUAL -> ctx.decide(false, "cas");
            case UNPARSEABLE -> ctx.decide(false, "unparseable");
            case TIMEOUT -> {
                ctx.timedOut = true;
                yield ctx.decide(false, "cas_timeout");
            }
        };
    }

    /** Spelling Symja's TeX parser understands. */
    static String toCasTex(String s) {
        return s.replace("\\times", "\\cdot ").replace("\\cdot", "\\cdot ").replace("\\ln", "\\log");
    }

    // ---------------------------------------------------------------- non-strict variables

    private static final Pattern LETTER = Pattern.compile("(?<![A-Za-z\\\\])[A-Za-z](?![A-Za-z])");

    /** Renames the prediction's single-letter variables to the gold's, in order of first appearance, when both have as many. */
    static String renameVariables(String gold, String pred) {
        List<String> gv = letters(gold);
        List<String> pv = letters(pred);
        if (gv.size() != pv.size() || gv.isEmpty() || gv.equals(pv)) {
            return pred;
        }
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < gv.size(); i++) {
            map.put(pv.get(i), gv.get(i));
        }
        return LETTER.matcher(pred).replaceAll(m -> map.getOrDefault(m.group(), m.group()));
    }

    private static List<String> letters(String s) {
        List<String> out = new ArrayList<>();
        var m = LETTER.matcher(s);
        while (m.find()) {
            String v = m.group();
            if (!v.equals("e") && !out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }
}
