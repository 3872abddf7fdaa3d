package io.zerorl.reward.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a canonical answer ({@link LatexNormalizer#canonical}) into its structure: several answers (a list, a set
 * in braces, {@code ;}-separated groups), tuples and intervals, unions, relations and chains of them, matrices,
 * ratios, percentages, words, and scalar expressions. Values are not computed here; {@link MathEquivalence}
 * compares the structures. Rules that carry Math-Verify's reading of an answer:
 * <ul>
 *   <li>{@code a \pm b} is the two answers {@code a+b} and {@code a-b};</li>
 *   <li>{@code x \in S} with a lone variable (or named quantity) on the left is just {@code S};</li>
 *   <li>{@code \approx}: {@code x \approx 11} reads as {@code x = 11}, and an approximation after an exact value
 *       ({@code x = 1/3 \approx 0.33}) is dropped;</li>
 *   <li>a comma answer that is otherwise one number ({@code 1000,99}, {@code 0,111}) also remembers its reading
 *       with a decimal comma, used only against a decimal number on the other side.</li>
 * </ul>
 */
final class MathParser {
    private MathParser() {}

    /** A parsed answer; {@code src} is its canonical text. */
    sealed interface Answer permits Scalar, Text, Rel, Items, Union, Matrix, Ratio {
        String src();
    }

    /** A scalar expression (value or formula); {@code percent} when written with a percent sign. */
    record Scalar(String src, String tex, boolean percent) implements Answer {}

    /** Words or a choice letter. */
    record Text(String src, String text) implements Answer {}

    /** A relation or a chain of them: sides[0] ops[0] sides[1] ops[1] ... */
    record Rel(String src, List<String> sides, List<String> ops) implements Answer {}

    enum Kind { LIST, SET, TUPLE, PAIR }

    /**
     * Several items: LIST (written without brackets: several answers), SET ({@code \{..\}}), TUPLE (brackets with
     * other than two items, or a {@code ;} group), PAIR (two items in brackets: a tuple or an interval).
     * {@code decimal}: the reading as one number with a decimal comma, or null.
     */
    record Items(String src, Kind kind, String open, String close, List<Answer> items, String decimal) implements Answer {}

    record Union(String src, List<Answer> parts) implements Answer {}

    record Matrix(String src, List<List<String>> rows) implements Answer {}

    record Ratio(String src, List<String> parts) implements Answer {}

    static final List<String> REL_OPS = List.of("\\approx", "\\le", "\\ge", "\\ne", "\\in", "=", "<", ">");
    // a decimal comma "where unambiguous": two decimals, four or more, or a zero before the comma (2,74 1000,99 0,111)
    private static final Pattern DECIMAL_COMMA = Pattern.compile("-?\\d+\u201A\\d{2}|-?\\d+\u201A\\d{4,}|-?0\u201A\\d+");
    private static final Pattern COMMA_MARKED = Pattern.compile("-?\\d+\u201A\\d+");
    private static final Pattern CHOICE_OR_WORD = Pattern.compile("\\(?[A-Za-z][A-Za-z']*\\)?");
    private static final Set<String> MATRIX_ENVS = Set.of("pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "matrix",
            "smallmatrix", "array");
    private static final int MAX_DEPTH = 12;

    static Answer parse(String c) {
        return parse(c, 0);
    }

    private static Answer parse(String c, int depth) {
        if (c == null || c.isEmpty() || depth > MAX_DEPTH) {
            return c == null || c.isEmpty() ? null : new Scalar(c, c, false);
        }
        List<String> semi = splitTop(c, ";");
        if (semi.size() > 1) {
            List<Answer> groups = new ArrayList<>();
            for (String part : semi) {
                if (part.isEmpty()) {
                    continue;
                }
                List<String> commas = nonEmpty(splitTop(part, ","));
                if (commas.size() > 1) {
                    groups.add(new Items(part, Kind.TUPLE, "", "", elements(commas, depth), null));
                } else {
                    addFlat(groups, element(part, depth));
                }
            }
            return new Items(c, Kind.LIST, "", "", groups, null);
        }
        if (c.indexOf(LatexNormalizer.DECIMAL_COMMA_MARK) >= 0 && COMMA_MARKED.matcher(c).matches()) {
            String dec = DECIMAL_COMMA.matcher(c).matches() ? c.replace(LatexNormalizer.DECIMAL_COMMA_MARK, '.') : null;
            List<String> two = splitTop(c, String.valueOf(LatexNormalizer.DECIMAL_COMMA_MARK));
            return new Items(c, Kind.LIST, "", "", elements(two, depth), dec);
        }
        List<String> items = nonEmpty(splitTop(c, ","));
        if (items.size() > 1) {
            return new Items(c, Kind.LIST, "", "", elements(items, depth), null);
        }
        return element(items.isEmpty() ? c : items.get(0), depth);
    }

    private static List<Answer> elements(List<String> items, int depth) {
        List<Answer> out = new ArrayList<>(items.size());
        for (String it : items) {
            addFlat(out, element(it, depth));
        }
        return out;
    }

    /** Adds an element; the two answers of a {@code \pm} join the enclosing list. */
    private static void addFlat(List<Answer> out, Answer a) {
        if (a instanceof Items it && it.kind() == Kind.LIST && it.src().contains("\\pm")) {
            out.addAll(it.items());
        } else if (a != null) {
            out.add(a);
        }
    }

    private static List<String> nonEmpty(List<String> xs) {
        List<String> out = new ArrayList<>(xs.size());
        for (String x : xs) {
            if (!x.isEmpty()) {
                out.add(x);
            }
        }
        return out;
    }

    /** One answer (no top-level comma). */
    static Answer element(String s, int depth) {
        s = LatexNormalizer.stripOuterBraces(s);
        if (s.isEmpty()) {
            return null;
        }
        // a \pm b: two answers
        int pm = indexTop(s, "\\pm", 0);
        if (pm < 0) {
            pm = indexTop(s, "\\mp", 0);
        }
        if (pm >= 0 && depth < MAX_DEPTH) {
            String a = s.substring(0, pm);
            String b = s.substring(pm + 3);
            List<Answer> two = new ArrayList<>(2);
            if (a.isEmpty() || a.endsWith("=")) {
                two.add(element(a + "-" + wrap(b), depth + 1));
                two.add(element(a + b, depth + 1));
            } else {
                two.add(element(a + "+" + wrap(b), depth + 1));
                two.add(element(a + "-" + wrap(b), depth + 1));
            }
            two.removeIf(x -> x == null);
            return new Items(s, Kind.LIST, "", "", two, null);
        }
        Answer rel = relation(s, depth);
        if (rel != null) {
            return rel;
        }
        List<String> cup = splitTop(s, "\\cup");
        if (cup.size() > 1) {
            List<Answer> parts = new ArrayList<>();
            for (String p : cup) {
                Answer a = element(p, depth + 1);
                if (a != null) {
                    parts.add(a);
                }
            }
            return new Union(s, parts);
        }
        if (s.contains("\\begin{")) {
            Answer m = matrix(s);
            if (m != null) {
                return m;
            }
        }
        if (s.startsWith("\\{") && s.endsWith("\\}") && closesAtEnd(s)) {
            String inner = s.substring(2, s.length() - 2);
            return new Items(s, Kind.SET, "\\{", "\\}", elements(nonEmpty(splitItems(inner)), depth + 1), null);
        }
        if (s.startsWith("{") && s.endsWith("}") && closesAtEnd(s)) {
            return new Items(s, Kind.SET, "{", "}", elements(nonEmpty(splitItems(s.substring(1, s.length() - 1))), depth + 1), null);
        }
        char f = s.charAt(0);
        char l = s.charAt(s.length() - 1);
        if ((f == '(' || f == '[') && (l == ')' || l == ']') && s.length() >= 2 && closesAtEnd(s)) {
            String inner = s.substring(1, s.length() - 1);
            List<String> items = nonEmpty(splitItems(inner));
            if (items.size() <= 1) {
                if (f == '(' && l == ')' || f == '[' && l == ']') {
                    return element(inner, depth + 1);
                }
            } else {
                List<Answer> els = elements(items, depth + 1);
                return new Items(s, items.size() == 2 ? Kind.PAIR : Kind.TUPLE, String.valueOf(f), String.valueOf(l), els, null);
            }
        }
        List<String> colon = splitTop(s, ":");
        if (colon.size() > 1 && colon.stream().noneMatch(String::isEmpty)) {
            return new Ratio(s, colon);
        }
        if (s.endsWith("%") && s.length() > 1) {
            String t = s.substring(0, s.length() - 1);
            return new Scalar(s, t, true);
        }
        if (CHOICE_OR_WORD.matcher(s).matches()) {
            return new Text(s, s);
        }
        return new Scalar(s, s, false);
    }

    private static String wrap(String b) {
        return ScalarExpr.parse(b, false) != null && b.matches("[\\w.\\\\{}]+") ? b : "(" + b + ")";
    }

    /** Items of a bracketed body: by comma, else by semicolon. */
    private static List<String> splitItems(String inner) {
        List<String> c = splitTop(inner, ",");
        return c.size() > 1 ? c : splitTop(inner, ";");
    }

    /** A relation or chain; {@code x \in S} with a named left side is S; approximations are dropped. */
    private static Answer relation(String s, int depth) {
        List<String> sides = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        splitRelations(s, sides, ops);
        if (ops.isEmpty()) {
            return null;
        }
        for (String side : sides) {
            if (side.isEmpty()) {
                return null; // "=5", "x=": not a relation we can read
            }
        }
        // approximations: x \approx 11 is x = 11; "= 1/3 \approx 0.33" drops the approximation
        for (int k = 0; k < ops.size(); k++) {
            if (ops.get(k).equals("\\approx")) {
                if (k == 0 && named(sides.get(0))) {
                    ops.set(0, "=");
                } else {
                    List<String> ks = new ArrayList<>(sides.subList(0, k + 1));
                    List<String> ko = new ArrayList<>(ops.subList(0, k));
                    sides = ks;
                    ops = ko;
                    break;
                }
            }
        }
        if (ops.isEmpty()) {
            return element(sides.get(0), depth + 1);
        }
        if (ops.size() == 1 && ops.get(0).equals("\\in") && named(sides.get(0))) {
            return element(sides.get(1), depth + 1);
        }
        String src = sides.size() == 2 && s.contains("\\approx") ? sides.get(0) + ops.get(0) + sides.get(1) : s;
        return new Rel(src, sides, ops);
    }

    static void splitRelations(String s, List<String> sides, List<String> ops) {
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0) {
                String op = opAt(s, i);
                if (op != null) {
                    sides.add(s.substring(start, i).strip());
                    ops.add(op.equals("\\approx ") ? "\\approx" : op);
                    i += op.length() - 1;
                    start = i + 1;
                }
            }
        }
        sides.add(s.substring(start).strip());
    }

    private static String opAt(String s, int i) {
        char c = s.charAt(i);
        if (c == '=' || c == '<' || c == '>') {
            return String.valueOf(c);
        }
        if (c != '\\') {
            return null;
        }
        for (String op : REL_OPS) {
            if (op.charAt(0) == '\\' && s.startsWith(op, i)) {
                int e = i + op.length();
                if (e >= s.length() || !Character.isLetter(s.charAt(e))) {
                    return op;
                }
            }
        }
        return null;
    }

    /**
     * A lone variable or a named quantity: symbols only, no numbers outside subscripts and no sums or differences
     * ({@code x}, {@code a_{37}}, {@code f(x)}, {@code |AB|}, {@code A:B}, {@code \frac{NO}{BO}}, {@code (p,q)},
     * {@code S_{MBCN}:S}). Only such a side may be dropped from a relation.
     */
    static boolean named(String side) {
        if (side == null || side.isEmpty() || side.length() > 80) {
            return false;
        }
        String t = side.replaceAll("_\\{[^{}]*\\}|_[A-Za-z0-9]", "").replace("\\frac", "").replace("\\overline", "")
                .replace("\\text", "").replace("\\vec", "").replace("\\angle", "").replace("'", "");
        // Greek letters are symbols too
        t = t.replaceAll("\\\\(?:alpha|beta|gamma|delta|epsilon|varepsilon|theta|lambda|mu|phi|varphi|psi|omega|rho|sigma|tau|xi|eta|zeta|kappa|nu|chi|Delta|Gamma|Theta|Lambda|Phi|Psi|Omega|Sigma)(?![A-Za-z])", "a");
        if (t.isEmpty() || t.indexOf('\\') >= 0) {
            return false;
        }
        boolean letter = false;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (Character.isLetter(c)) {
                letter = true;
            } else if ("(){}[]|:/, ".indexOf(c) < 0) {
                return false;
            }
        }
        return letter;
    }

    /** A matrix literal, or a sum/product of matrix literals with exact numeric cells (evaluated); else null. */
    private static Answer matrix(String s) {
        List<Object> terms = new ArrayList<>(); // matrices and operator chars
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("\\begin{", i)) {
                int nameEnd = s.indexOf('}', i);
                if (nameEnd < 0) {
                    return null;
                }
                String env = s.substring(i + 7, nameEnd);
                if (!MATRIX_ENVS.contains(env)) {
                    return null;
                }
                String end = "\\end{" + env + "}";
                int close = s.indexOf(end, nameEnd);
                if (close < 0) {
                    return null;
                }
                String body = s.substring(nameEnd + 1, close);
                if (env.equals("array") && body.startsWith("{")) {
                    int spec = LatexNormalizer.matchingClose(body, 0);
                    body = spec < 0 ? body : body.substring(spec + 1);
                }
                terms.add(cells(body));
                i = close + end.length();
            } else if (c == '+' || c == '*') {
                terms.add(c);
                i++;
            } else if (s.startsWith("\\cdot", i) || s.startsWith("\\times", i)) {
                terms.add('*');
                i += s.startsWith("\\cdot", i) ? 5 : 6;
            } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ' ') {
                i++; // \left[ \begin{array} ... \right] and (matrix)
            } else {
                return null;
            }
        }
        if (terms.size() == 1 && terms.get(0) instanceof List<?>) {
            @SuppressWarnings("unchecked")
            List<List<String>> rows = (List<List<String>>) terms.get(0);
            return new Matrix(s, rows);
        }
        return evaluateMatrixExpression(s, terms);
    }

    private static List<List<String>> cells(String body) {
        List<List<String>> rows = new ArrayList<>();
        for (String row : body.split("\\\\\\\\")) {
            String r = row.strip();
            if (r.isEmpty() || r.equals("\\hline")) {
                continue;
            }
            List<String> cs = new ArrayList<>();
            for (String cell : r.split("&", -1)) {
                cs.add(cell.strip());
            }
            rows.add(cs);
        }
        return rows;
    }

    /** M1 + M2, M1 M2, M1 \cdot M2 with exact rational cells. */
    private static Answer evaluateMatrixExpression(String s, List<Object> terms) {
        List<ScalarExpr.Rational[][]> sum = new ArrayList<>();
        ScalarExpr.Rational[][] product = null;
        for (Object t : terms) {
            if (t instanceof Character ch) {
                if (ch == '+') {
                    if (product == null) {
                        return null;
                    }
                    sum.add(product);
                    product = null;
                }
                continue;
            }
            @SuppressWarnings("unchecked")
            ScalarExpr.Rational[][] m = exactMatrix((List<List<String>>) t);
            if (m == null) {
                return null;
            }
            product = product == null ? m : multiply(product, m);
            if (product == null) {
                return null;
            }
        }
        if (product == null) {
            return null;
        }
        sum.add(product);
        ScalarExpr.Rational[][] total = sum.get(0);
        for (int k = 1; k < sum.size(); k++) {
            ScalarExpr.Rational[][] b = sum.get(k);
            if (b.length != total.length || b[0].length != total[0].length) {
                return null;
            }
            ScalarExpr.Rational[][] r = new ScalarExpr.Rational[total.length][total[0].length];
            for (int i = 0; i < r.length; i++) {
                for (int j = 0; j < r[0].length; j++) {
                    r[i][j] = total[i][j].add(b[i][j]);
                }
            }
            total = r;
        }
        List<List<String>> rows = new ArrayList<>();
        for (ScalarExpr.Rational[] row : total) {
            List<String> cs = new ArrayList<>();
            for (ScalarExpr.Rational v : row) {
                cs.add(v.isInteger() ? v.num().toString() : "\\frac{" + v.num() + "}{" + v.den() + "}");
            }
            rows.add(cs);
        }
        return new Matrix(s, rows);
    }

    private static ScalarExpr.Rational[][] exactMatrix(List<List<String>> rows) {
        if (rows.isEmpty()) {
            return null;
        }
        int w = rows.get(0).size();
        ScalarExpr.Rational[][] m = new ScalarExpr.Rational[rows.size()][w];
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).size() != w) {
                return null;
            }
            for (int j = 0; j < w; j++) {
                ScalarExpr e = ScalarExpr.parse(rows.get(i).get(j), false);
                ScalarExpr.Rational r = e == null ? null : e.exact();
                if (r == null) {
                    return null;
                }
                m[i][j] = r;
            }
        }
        return m;
    }

    private static ScalarExpr.Rational[][] multiply(ScalarExpr.Rational[][] a, ScalarExpr.Rational[][] b) {
        if (a[0].length != b.length) {
            return null;
        }
        ScalarExpr.Rational[][] r = new ScalarExpr.Rational[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                ScalarExpr.Rational acc = ScalarExpr.Rational.ZERO;
                for (int k = 0; k < b.length; k++) {
                    acc = acc.add(a[i][k].mul(b[k][j]));
                }
                r[i][j] = acc;
            }
        }
        return r;
    }

    /** True when the bracket at 0 is closed only by the last character (so "(1)+(2)" is not a tuple). */
    static boolean closesAtEnd(String s) {
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

    /** Index of {@code tok} outside brackets and braces, at or after {@code from}; -1 if none. */
    static int indexTop(String s, String tok, int from) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && i >= from && s.startsWith(tok, i)) {
                int e = i + tok.length();
                if (tok.charAt(0) != '\\' || e >= s.length() || !Character.isLetter(s.charAt(e))) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Splits at a separator outside any brackets or braces. */
    static List<String> splitTop(String s, String sep) {
        List<String> out = new ArrayList<>();
        if (!s.contains(sep)) {
            out.add(s);
            return out;
        }
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
}
