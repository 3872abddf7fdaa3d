package io.zerorl.reward.math;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a LaTeX answer in a canonical string form before it is parsed and compared. Spelling only, never meaning:
 * spacing and sizing macros, {@code \left}/{@code \right}, {@code \dfrac}/{@code \tfrac}, {@code \text{}} and its
 * relatives, words for "and"/"or" between answers (to commas), percent words (to {@code \%}), degrees, dollars,
 * unit words at the right end of an answer, relation spellings ({@code >=}, {@code \geq}, {@code \geqslant} all
 * become {@code \ge}), thousands separators when the whole answer is one number written with them
 * ({@code 7,425,000}, {@code 14{,}916}, {@code 1\,000}; {@code 32, 349} with a space after the comma stays a list),
 * trailing zeros of decimals, and, unless switched off, the shorthands {@code \frac12} and {@code \sqrt3}.
 * A doubled backslash before a command ({@code \\frac}, from JSON written twice) becomes one.
 */
public final class LatexNormalizer {
    private LatexNormalizer() {}

    // unit words removed at the right end of an answer only, so a variable such as m in "2m+1" is never touched
    private static final Pattern UNITS = Pattern.compile(
            "(?i)(?<![a-z\\\\])\\s*(?:square\\s+|sq\\.?\\s*|cubic\\s+)?(?:units?|degrees?|cm|centimeters?|centimetres?|meters?|metres?|"
                    + "mm|km|kilometers?|miles?|mph|kmh|seconds?|minutes?|hours?|days?|weeks?|months?|years?|foot|feet|ft|"
                    + "inch(?:es)?|yards?|dollars?|cents?|pounds?|ounces?|liters?|litres?|gallons?|grams?|kg|mins?|hrs?|"
                    + "sec|people|students|ways|m|g|s|yuan|rupees?|euros?)(?:\\^[23]|\\^\\{[23]\\}|²|³)?\\s*\\.?\\s*$");
    private static final Pattern TEXT_ALIASES = Pattern.compile(
            "\\\\(?:textnormal|textbf|textit|textrm|textsf|texttt|mbox|mathrm|mathbf|mathit|mathsf|mathtt|operatorname|hbox)\\s*(?=\\{)");
    private static final Pattern TEXT_MACRO = Pattern.compile("\\\\text\\s*\\{([^{}]*)\\}");
    private static final Pattern AND_OR = Pattern.compile("(?<![A-Za-z\\\\]),?\\s*\\b(?:and|or)\\b(?![A-Za-z])");
    private static final Pattern PERCENT_WORD = Pattern.compile("\\s*\\b(?:percentage|percent|pct)\\b");
    private static final Pattern DOTS = Pattern.compile(",?\\s*\\\\(?:ldots|cdots|dots)\\s*,?");
    private static final Pattern DEGREES = Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*\\}?|\\\\circ|°|\\\\degree");
    private static final Pattern GE = Pattern.compile("\\\\(?:geqslant|geq|ge)(?![A-Za-z])|>=|≥");
    private static final Pattern LE = Pattern.compile("\\\\(?:leqslant|leq|le)(?![A-Za-z])|<=|≤");
    private static final Pattern NE = Pattern.compile("\\\\(?:neq|ne)(?![A-Za-z])|!=|≠");
    private static final Pattern APPROX = Pattern.compile("\\\\approx(?![A-Za-z])|≈|~=");
    private static final Pattern LT_GT = Pattern.compile("\\\\([lg])t(?![A-Za-z])");
    private static final Pattern DOUBLE_BACKSLASH_COMMAND = Pattern.compile("\\\\\\\\(?=[A-Za-z])");
    private static final Pattern LEFT_RIGHT = Pattern.compile(
            "\\\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![A-Za-z])\\s*(\\.)?");
    private static final Pattern SPACE_MACROS = Pattern.compile("\\\\qquad|\\\\quad|(?<!\\\\)\\\\[,;: ]|~");
    private static final Pattern BRACE_COMMA = Pattern.compile("\\s*\\{\\s*,\\s*\\}\\s*");
    private static final Pattern FRAC_SHORT = Pattern.compile("\\\\frac\\s*([0-9A-Za-z])\\s*([0-9A-Za-z])");
    private static final Pattern FRAC_SHORT_L = Pattern.compile("\\\\frac\\s*([0-9A-Za-z])\\s*(?=\\{)");
    private static final Pattern FRAC_SHORT_R = Pattern.compile("\\\\frac\\s*(\\{[^{}]*\\})\\s*([0-9A-Za-z])");
    private static final Pattern SQRT_SHORT = Pattern.compile("\\\\sqrt\\s*([0-9]+|[A-Za-z](?![A-Za-z]))");
    private static final Pattern SQRT_CALL = Pattern.compile("(?<![\\\\A-Za-z])sqrt\\s*\\(([^()]*)\\)");
    /** Marks a comma between two digit groups with no space ({@code 2,74}): a decimal comma or a list of two. */
    static final char DECIMAL_COMMA_MARK = '\u201A';
    private static final Pattern COMMA_NUMBER = Pattern.compile("-?\\d+,\\d+");
    private static final Pattern UNIT_TEXT_AT_END = Pattern.compile("\\\\text\\s*\\{([^{}]*)\\}\\s*(?:\\^\\s*\\{?\\s*[23]\\s*\\}?)?\\s*\\.?\\s*$");
    private static final Pattern BANG_SPACE = Pattern.compile("\\\\!\\s*");
    private static final Pattern THOUSANDS_COMMA = Pattern.compile("-?[1-9]\\d{0,2}(?:,\\d{3})+(?:\\.\\d+)?|-?[1-9]\\d{0,2}(?: \\d{3})+(?:\\.\\d+)?");
    private static final Pattern TRAILING_ZERO = Pattern.compile("(\\d)\\.0+(?![\\d])");
    private static final Pattern DECIMAL_TRAIL = Pattern.compile("(\\d\\.\\d*?[1-9])0+(?![\\d])");
    private static final Pattern LEADING_DOT = Pattern.compile("(^|[^\\d}.])\\.(\\d)");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern SUBSCRIPT_SHORT = Pattern.compile("_([A-Za-z0-9])");
    private static final Pattern VAR_PREFIX = Pattern.compile("^[a-zA-Z](?:_\\{?\\w+\\}?)?(?:\\([a-z]\\))?(?:=|\\\\in)");
    private static final Pattern INFINITY = Pattern.compile("\\\\infinity|(?<![A-Za-z\\\\])infinity|(?<![A-Za-z\\\\])inf(?![A-Za-z])|∞");

    /**
     * The canonical form used for voting keys: {@link #canonical} with a leading {@code x =} / {@code f(x) =} /
     * {@code x \in} of one variable dropped, so that {@code x=10} and {@code 10} vote together.
     */
    public static String normalize(String s) {
        String x = canonical(s, true);
        if (x == null) {
            return null;
        }
        Matcher vp = VAR_PREFIX.matcher(x);
        if (vp.find() && x.indexOf('=', vp.end()) < 0 && !x.substring(vp.end()).isEmpty()) {
            x = x.substring(vp.end());
        }
        return x;
    }

    /** The canonical spelling of an answer; {@code fixMalformed} rewrites {@code \frac12} and {@code \sqrt3}. */
    public static String canonical(String s, boolean fixMalformed) {
        if (s == null) {
            return null;
        }
        String x = s.strip();
        if (x.isEmpty()) {
            return x;
        }
        if (x.length() > 20_000) {
            x = x.substring(x.length() - 20_000);
        }
        if (x.indexOf('\\') >= 0 && !x.contains("matrix") && !x.contains("array")) {
            x = DOUBLE_BACKSLASH_COMMAND.matcher(x).replaceAll("\\\\");
        }
        if (x.contains("\\boxed") || x.contains("\\fbox")) {
            String inner = AnswerExtractor.boxedAnswers(x);
            if (inner != null) {
                x = inner;
            }
        }
        x = x.replace('\n', ' ').replace('\t', ' ').replace('\r', ' ');
        if (x.contains("\\!")) {
            x = BANG_SPACE.matcher(x).replaceAll("");
        }
        x = x.replace("\\displaystyle", "").replace("\\textstyle", "").replace("\\mathrm{th}", "");
        if (x.indexOf('\\') >= 0) {
            x = LEFT_RIGHT.matcher(x).replaceAll("");
            x = SPACE_MACROS.matcher(x).replaceAll(" ");
            x = x.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac");
            x = TEXT_ALIASES.matcher(x).replaceAll("\\\\text");
            x = x.replace("\\lvert", "|").replace("\\rvert", "|").replace("\\vert", "|").replace("\\mid", "|");
            x = x.replace("\\lbrace", "\\{").replace("\\rbrace", "\\}");
        } else {
            x = x.replace('~', ' ');
        }
        if (x.indexOf('{') >= 0 && x.indexOf(',') >= 0) {
            x = BRACE_COMMA.matcher(x).replaceAll("");
        }
        x = DEGREES.matcher(x).replaceAll("");
        x = x.replace("\\$", "").replace("$", "").replace("\\%", "%");
        // \text{...}: words for "and"/"or"/percent, then units at the right end, then the macro is unwrapped
        if (x.contains("\\text")) {
            x = unwrapText(x);
        }
        if (x.contains("percent") || x.contains("pct")) {
            x = PERCENT_WORD.matcher(x).replaceAll("%");
        }
        if (x.contains("and") || x.contains("or")) {
            x = AND_OR.matcher(x).replaceAll(",");
        }
        if (x.contains("dots")) {
            x = DOTS.matcher(x).replaceAll(",");
        }
        x = INFINITY.matcher(x).replaceAll("\\\\infty");
        if (x.indexOf('\\') >= 0 || x.indexOf('=') >= 0 || x.indexOf('≥') >= 0 || x.indexOf('≤') >= 0 || x.indexOf('≠') >= 0
                || x.indexOf('≈') >= 0) {
            x = GE.matcher(x).replaceAll("\\\\ge ");
            x = LE.matcher(x).replaceAll("\\\\le ");
            x = NE.matcher(x).replaceAll("\\\\ne ");
            x = APPROX.matcher(x).replaceAll("\\\\approx ");
            x = LT_GT.matcher(x).replaceAll(m -> m.group(1).equals("l") ? "<" : ">");
        }
        x = stripUnitsPerItem(x);
        if (fixMalformed) {
            if (x.contains("\\frac")) {
                x = FRAC_SHORT.matcher(x).replaceAll("\\\\frac{$1}{$2}");
                x = FRAC_SHORT_L.matcher(x).replaceAll("\\\\frac{$1}");
                x = FRAC_SHORT_R.matcher(x).replaceAll("\\\\frac$1{$2}");
            }
            if (x.contains("sqrt")) {
                x = SQRT_CALL.matcher(x).replaceAll("\\\\sqrt{$1}");
                x = SQRT_SHORT.matcher(x).replaceAll("\\\\sqrt{$1}");
            }
        }
        x = x.strip();
        // one number written with thousands separators, the whole answer: 7,425,000 / 1 000 / 14,916
        if (THOUSANDS_COMMA.matcher(x).matches()) {
            x = x.replace(",", "").replace(" ", "");
        } else if (COMMA_NUMBER.matcher(x).matches()) {
            // two digit groups joined by a comma with no space: maybe a decimal comma; the parser decides
            x = x.replace(',', DECIMAL_COMMA_MARK);
        }
        x = removeSpaces(x);
        if (x.indexOf('_') >= 0) {
            x = SUBSCRIPT_SHORT.matcher(x).replaceAll("_{$1}");
        }
        x = stripOuterBraces(x);
        while (x.endsWith(".") || x.endsWith(",") || x.endsWith(";")) {
            x = x.substring(0, x.length() - 1);
        }
        while (x.startsWith(",")) {
            x = x.substring(1);
        }
        if (x.indexOf('.') >= 0) {
            x = LEADING_DOT.matcher(x).replaceAll("$10.$2");
            x = TRAILING_ZERO.matcher(x).replaceAll("$1");
            x = DECIMAL_TRAIL.matcher(x).replaceAll("$1");
        }
        if (x.startsWith("+") && x.length() > 1 && x.indexOf('+', 1) < 0) {
            x = x.substring(1);
        }
        x = x.replace("+\\infty", "\\infty");
        return x;
    }

    /** Unwraps {@code \text{...}}: and/or become commas, percent words {@code %}, units at the right end go. */
    private static String unwrapText(String x) {
        Matcher end = UNIT_TEXT_AT_END.matcher(x);
        if (end.find() && unitsOnly(end.group(1)) && !x.substring(0, end.start()).isBlank()) {
            x = x.substring(0, end.start());
        }
        for (int k = 0; k < 4 && x.contains("\\text"); k++) {
            Matcher m = TEXT_MACRO.matcher(x);
            StringBuilder sb = new StringBuilder();
            boolean any = false;
            while (m.find()) {
                any = true;
                String inner = m.group(1).strip();
                String rep;
                if (inner.equals("and") || inner.equals("or") || inner.equals(",")) {
                    rep = ",";
                } else if (inner.equals("percent") || inner.equals("percentage") || inner.equals("pct") || inner.equals("%")) {
                    rep = "%";
                } else if (m.end() == x.length() && unitsOnly(inner) && !x.substring(0, m.start()).isBlank()) {
                    rep = "";
                } else {
                    rep = " " + inner + " ";
                    if (inner.isEmpty()) {
                        rep = "";
                    }
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(rep));
            }
            m.appendTail(sb);
            x = sb.toString();
            if (!any) {
                break;
            }
        }
        return x;
    }

    /** Unit words at the right end of each top-level comma item ({@code 35 cm, 4} -> {@code 35, 4}). */
    private static String stripUnitsPerItem(String x) {
        boolean letters = false;
        for (int i = 0; i < x.length(); i++) {
            char c = x.charAt(i);
            if (Character.isLetter(c) || c == '²' || c == '³') {
                letters = true;
                break;
            }
        }
        if (!letters) {
            return x;
        }
        String t = x.strip();
        for (String[] br : new String[][] {{"\\{", "\\}"}, {"{", "}"}}) {
            if (t.startsWith(br[0]) && t.endsWith(br[1]) && t.length() > br[0].length() + br[1].length()
                    && matchingClose(t, br[0].length() - 1) == t.length() - 1) {
                return br[0] + stripUnitsPerItem(t.substring(br[0].length(), t.length() - br[1].length())) + br[1];
            }
        }
        List<String> items = MathParser.splitTop(x, ",");
        if (items.size() == 1) {
            return stripUnits(x);
        }
        List<String> out = new ArrayList<>(items.size());
        for (String it : items) {
            out.add(stripUnits(it));
        }
        return String.join(",", out);
    }

    private static String stripUnits(String x) {
        for (int k = 0; k < 2; k++) {
            Matcher m = UNITS.matcher(x);
            if (!m.find()) {
                break;
            }
            String before = x.substring(0, m.start());
            // only after a number, a closing brace or bracket: "5 cm", "\frac{1}{3} m", never a lone "m" or "2m"
            String b = before.stripTrailing();
            boolean afterSpace = before.length() > b.length() || m.group().startsWith(" ");
            if (b.isEmpty() || !(Character.isDigit(b.charAt(b.length() - 1)) || b.endsWith("}") || b.endsWith(")"))) {
                break;
            }
            if (!afterSpace && !m.group().strip().startsWith("\\") && Character.isLetter(m.group().strip().charAt(0))
                    && m.group().strip().length() == 1) {
                break; // "2m" is 2 times m, "2 m" is 2 metres
            }
            x = b;
        }
        return x;
    }

    private static boolean unitsOnly(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return false;
        }
        Matcher m = UNITS.matcher(" 1 " + t);
        return m.find() && m.start() == 2;
    }

    /** Removes whitespace, keeping one space where a command name is followed by a letter ({@code \pi r}). */
    static String removeSpaces(String x) {
        if (x.indexOf(' ') < 0) {
            return x;
        }
        StringBuilder sb = new StringBuilder(x.length());
        int n = x.length();
        for (int i = 0; i < n; i++) {
            char c = x.charAt(i);
            if (c != ' ') {
                sb.append(c);
                continue;
            }
            // keep a space between "\cmd" and a following letter
            int j = i;
            while (j < n && x.charAt(j) == ' ') {
                j++;
            }
            if (j < n && Character.isLetter(x.charAt(j)) && endsWithCommand(sb)) {
                sb.append(' ');
            }
            i = j - 1;
        }
        return sb.toString();
    }

    private static boolean endsWithCommand(CharSequence sb) {
        int k = sb.length() - 1;
        while (k >= 0 && Character.isLetter(sb.charAt(k))) {
            k--;
        }
        return k >= 0 && k < sb.length() - 1 && sb.charAt(k) == '\\';
    }

    /** {5} -> 5, repeatedly; "{1,3}" (a set written with plain braces) is kept. */
    static String stripOuterBraces(String x) {
        while (x.length() >= 2 && x.charAt(0) == '{' && x.charAt(x.length() - 1) == '}' && matchingClose(x, 0) == x.length() - 1) {
            String inner = x.substring(1, x.length() - 1);
            if (MathParser.splitTop(inner, ",").size() > 1 || MathParser.splitTop(inner, ";").size() > 1) {
                break;
            }
            x = inner;
        }
        return x;
    }

    /** Index of the brace/bracket closing the one at {@code open}, or -1. */
    static int matchingClose(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' || c == '(' || c == '[') {
                depth++;
            } else if (c == '}' || c == ')' || c == ']') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }
}
