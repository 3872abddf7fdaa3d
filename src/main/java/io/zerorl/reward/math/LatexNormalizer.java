package io.zerorl.reward.math;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a LaTeX answer in a canonical string form before comparison. The rules follow Hendrycks et al.
 * MATH {@code _strip_string} and the openai/prm800k grader's {@code _normalize} / {@code _remove_right_units}:
 * spacing macros, {@code \left}/{@code \right}, {@code \dfrac}/{@code \tfrac}, {@code \text{}}, unit words,
 * degrees, percent, dollars, thousands separators, {@code x =} prefixes, {@code \frac12} shorthand,
 * leading/trailing zeros. It never changes what an answer means, only its spelling.
 */
public final class LatexNormalizer {
    private LatexNormalizer() {}

    // prm800k grader's unit words (optionally plural), plus a few more; removed only at the right end
    // (prm800k _remove_right_units), so a variable such as m in "2m+1" is never touched.
    private static final Pattern UNITS = Pattern.compile(
            "(?i)(?<![a-z\\\\])\\s*(?:square\\s+|sq\\.?\\s*|cubic\\s+)?(?:units?|degrees?|cm|centimeters?|meters?|mm|km|kilometers?|"
                    + "miles?|mph|seconds?|minutes?|hours?|days?|weeks?|months?|years?|foot|feet|ft|inch(?:es)?|yards?|"
                    + "dollars?|cents?|pounds?|ounces?|liters?|gallons?|grams?|kg|mins?|hrs?|sec|people|students|ways)(?:\\^[23]|\\^\\{[23]\\})?\\s*$");
    private static final Pattern TEXT_MACRO = Pattern.compile(
            "\\\\(?:text|textbf|textit|textnormal|mbox|mathrm|mathbf|mathit|operatorname)\\s*\\{([^{}]*)\\}");
    private static final Pattern FRAC_SHORT = Pattern.compile("\\\\frac\\s*(\\d|[a-zA-Z]|\\\\[a-zA-Z]+)\\s*(\\d|[a-zA-Z]|\\\\[a-zA-Z]+)");
    private static final Pattern FRAC_SHORT2 = Pattern.compile("\\\\frac\\s*(\\{[^{}]*\\})\\s*(\\d|[a-zA-Z])");
    private static final Pattern SQRT_SHORT = Pattern.compile("\\\\sqrt\\s*(\\d+|[a-zA-Z])");
    private static final Pattern THOUSANDS = Pattern.compile("^-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?$");
    private static final Pattern VAR_PREFIX = Pattern.compile("^[a-zA-Z](?:_\\{?\\w+\\}?)?(?:\\([a-z]\\))?(?:=|\\\\in)");
    private static final Pattern TRAILING_ZERO = Pattern.compile("(\\d)\\.0+(?!\\d)");
    private static final Pattern DECIMAL_TRAIL = Pattern.compile("(\\d\\.\\d*?[1-9])0+(?!\\d)");
    private static final Pattern LEADING_DOT = Pattern.compile("(^|[^\\d}])\\.(\\d)");

    public static String normalize(String s) {
        if (s == null) {
            return null;
        }
        String x = s.strip();
        if (x.isEmpty()) {
            return x;
        }
        x = x.replace("\n", " ").replace("\\\\", " ");
        // spacing and sizing macros
        x = x.replace("\\!", "").replace("\\,", "").replace("\\;", "").replace("\\:", "").replace("\\ ", " ")
                .replace("~", " ").replace("\\quad", " ").replace("\\qquad", " ");
        x = x.replace("\\left", "").replace("\\right", "").replace("\\bigl", "").replace("\\bigr", "")
                .replace("\\Bigl", "").replace("\\Bigr", "").replace("\\big", "").replace("\\Big", "")
                .replace("\\displaystyle", "").replace("\\textstyle", "");
        x = x.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac");
        x = x.replace("\\le ", "\\leq ").replace("\\ge ", "\\geq ");
        // degrees, percent, dollars
        x = x.replace("^{\\circ}", "").replace("^\\circ", "").replace("\\circ", "").replace("°", "")
                .replace("\\degree", "");
        x = x.replace("\\%", "").replace("%", "").replace("\\$", "").replace("$", "");
        x = x.replace("{,}", ""); // LaTeX thousands separator 1{,}000
        // \text{...}: units removed first (prm800k _remove_right_units), then the macro is unwrapped
        for (int k = 0; k < 3 && x.contains("{"); k++) {
            Matcher m = TEXT_MACRO.matcher(x);
            if (!m.find()) {
                break;
            }
            x = m.replaceAll(mr -> Matcher.quoteReplacement(unitsOnly(mr.group(1)) ? "" : mr.group(1)));
        }
        for (int k = 0; k < 2; k++) {
            String noUnits = UNITS.matcher(x).replaceAll("");
            if (noUnits.isBlank() || noUnits.length() == x.length()) {
                break;
            }
            x = noUnits;
        }
        x = x.replace("\\infinity", "\\infty").replace("infinity", "\\infty");
        // shorthands: \frac12 -> \frac{1}{2}, \sqrt2 -> \sqrt{2}
        x = FRAC_SHORT.matcher(x).replaceAll("\\\\frac{$1}{$2}");
        x = FRAC_SHORT2.matcher(x).replaceAll("\\\\frac$1{$2}");
        x = SQRT_SHORT.matcher(x).replaceAll("\\\\sqrt{$1}");
        x = x.replace(" ", "");
        x = x.replace("\\{", "\u0001").replace("\\}", "\u0002"); // protect set braces
        // drop one level of braces around the whole answer: {5} -> 5
        while (x.length() >= 2 && x.charAt(0) == '{' && x.charAt(x.length() - 1) == '}' && matchingClose(x, 0) == x.length() - 1) {
            x = x.substring(1, x.length() - 1);
        }
        x = x.replace("\u0001", "\\{").replace("\u0002", "\\}");
        // trailing sentence period, "x=" / "f(x)=" / "x\in" prefixes (a single lhs variable only)
        while (x.endsWith(".") || x.endsWith(",")) {
            x = x.substring(0, x.length() - 1);
        }
        Matcher vp = VAR_PREFIX.matcher(x);
        if (vp.find() && x.indexOf('=', vp.end()) < 0) {
            x = x.substring(vp.end());
        }
        if (THOUSANDS.matcher(x).matches()) {
            x = x.replace(",", "");
        }
        x = LEADING_DOT.matcher(x).replaceAll("$10.$2");
        x = TRAILING_ZERO.matcher(x).replaceAll("$1");
        x = DECIMAL_TRAIL.matcher(x).replaceAll("$1");
        if (x.startsWith("+")) {
            x = x.substring(1);
        }
        return x;
    }

    private static boolean unitsOnly(String text) {
        String t = text.strip();
        return !t.isEmpty() && UNITS.matcher(t).replaceAll("").isBlank();
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
