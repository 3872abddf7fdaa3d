package io.zerorl.reward.math;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls the final answer out of a completion, with Math-Verify's priorities and fallbacks. In order:
 * <ol>
 *   <li>the last {@code <answer>...</answer>}: the rules below inside it, else its whole content;</li>
 *   <li>{@code \boxed{}}/{@code \fbox{}} (at priority {@code boxed_match_priority}, 0 = first): the last box, together
 *       with the boxes before it that are close to it (under 10 characters apart) or joined to it by "and", "or",
 *       a comma or a semicolon within 70 characters ({@code \boxed{1} and \boxed{2}} is the list {@code 1,2});
 *       repeats of the same box are one answer;</li>
 *   <li>GSM8K's {@code #### x};</li>
 *   <li>"final answer is X. I hope", then "final answer ... is X", then "answer: ... X", then "the answer is X"
 *       (X the rest of the sentence when it reads as math), then "answer ... X";</li>
 *   <li>with no marker at all: the last LaTeX span ({@code $..$}, {@code $$..$$}, {@code \(..\)}, {@code \[..\]}; spans
 *       joined by "and", "or" or commas are one list) or the last number or arithmetic expression, whichever ends
 *       later ({@code match_types} latex and expr).</li>
 * </ol>
 * X after a marker is a LaTeX span (or spans joined by "and"/"or"/commas) or a number/expression. A number is read
 * with thousands separators ({@code 1,000.99}, {@code 1 000}) or a decimal comma ({@code 2,74}) and a percent word
 * ({@code 28 percent}); a number glued to letters ({@code XYZ2A}) is not a number. Brace matching of boxes follows
 * Hendrycks et al. MATH {@code last_boxed_only_string} (including {@code \boxed 5}).
 */
public final class AnswerExtractor {
    private AnswerExtractor() {}

    /** An extracted answer and the rule that found it ({@code boxed}, {@code answer_tag}, {@code gsm8k}, ...). */
    public record Extraction(String answer, String method) {}

    /**
     * Which fallbacks apply: {@code latex} (LaTeX spans), {@code expr} (plain numbers and expressions), and where
     * boxes rank ({@code boxedPriority}: 0 before every marker, 50 after "final answer ... is", -1 never).
     */
    public record Config(boolean latex, boolean expr, int boxedPriority, List<String> choices) {
        public static final Config DEFAULT = new Config(true, true, 0);

        public Config(boolean latex, boolean expr, int boxedPriority) {
            this(latex, expr, boxedPriority, List.of());
        }

        public Config {
            choices = List.copyOf(choices);
        }
    }

    // "The answer is 42." / "the final answer is: $\frac12$" (the sentence-ending period is not part of it)
    private static final Pattern ANSWER_IS = Pattern.compile(
            "(?i)the\\s+(?:final\\s+)?answer\\s+is\\s*[:\\s]\\s*(.+?)\\s*(?:\\.\\s|\\.?\\s*$|\\n)", Pattern.DOTALL);
    private static final Pattern FINAL_ANSWER_IS = Pattern.compile("(?i)final answer is:?\\s*");
    private static final Pattern FINAL_ANSWER = Pattern.compile("(?i)final answer");
    private static final Pattern IS = Pattern.compile("\\s+is:?");
    private static final Pattern I_HOPE = Pattern.compile("\\.?\\s?I hope");
    // numbers: thousands groups, decimal point or comma, a bare decimal part, an integer; then a percent word
    private static final String CURRENCY = "$€£¥₹₽₪₩₫฿";
    private static final Pattern NUMBER = Pattern.compile(
            "(?<!\\d)(?:(-?[1-9]\\d{0,2}(?:[ ,]\\d{3})+(?:\\.\\d+)?)|(-?\\d+[.,]\\d+)|(\\.\\d+)|(-?\\d+))"
                    + "(\\s*(?:%|[Pp]ercentage|[Pp]ercent|[Pp]ct)\\b?)?");
    private static final String EXPR_CHARS = "[\\d.\\s+\\-*×/^()÷]";
    private static final Pattern EXPR = Pattern.compile(
            "-?\\(?-?\\d" + EXPR_CHARS + "{0,80}[+\\-*×/^()÷]" + EXPR_CHARS + "{1,80}?\\)?(?=(?:\\*\\*)?(?:[.,:\\s)$]|$))");
    private static final Pattern EXPR_OR_NUMBER_START = Pattern.compile("(?:^|(?<=[\\s=]))(?:\\*\\*)?[" + CURRENCY + "]?[-(.\\d]");
    private static final Pattern PERCENT_AFTER = Pattern.compile("\\s*(\\\\%|%|[Pp]ercentage|[Pp]ercent|[Pp]ct)");
    private static final Pattern CHAIN_SEP = Pattern.compile("\\s*(?:,?\\s*and|,?\\s*or|,)\\s*");
    private static final Pattern PLAIN_FRAC = Pattern.compile("-?\\\\frac\\{-?\\d+(?:[.,]\\d+)?\\}\\{-?\\d+(?:[.,]\\d+)?\\}");
    private static final Pattern BOX_SEPARATOR = Pattern.compile("\\b(?:and|or)\\b|,|;");
    private static final Pattern PROSE_WORD = Pattern.compile("[A-Za-z]{3,}");
    private static final Pattern LATEX_COMMAND = Pattern.compile("\\\\[A-Za-z]+|\\\\text\\{[^{}]*\\}");

    /** With the default configuration, or without the plain-number fallback (the pre-Math-Verify behaviour). */
    public static Extraction extract(String text, boolean fallbackLastNumber) {
        return extract(text, fallbackLastNumber ? Config.DEFAULT : new Config(false, false, 0));
    }

    public static Extraction extract(String text, Config cfg) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String tag = lastAnswerTag(text);
        if (tag != null) {
            Extraction inner = markers(tag, cfg, true);
            if (inner != null) {
                return new Extraction(inner.answer(), "answer_tag+" + inner.method());
            }
            String t = tag.strip();
            return t.isEmpty() ? null : new Extraction(t, "answer_tag");
        }
        return markers(text, cfg, false);
    }

    private static final int[] LEVELS = {0, 50, 100, 150, 200, 300};

    private static Extraction markers(String text, Config cfg, boolean inTag) {
        String lower = asciiLower(text);
        boolean answerWord = lower.contains("answer");
        boolean finalAnswer = answerWord && lower.contains("final answer");
        boolean boxedDone = cfg.boxedPriority() < 0;
        for (int level : LEVELS) {
            Found box = null;
            if (!boxedDone && cfg.boxedPriority() <= level) {
                boxedDone = true;
                Box last = boxBefore(text, text.length());
                String b = last == null ? null : boxedAnswers(text);
                if (b != null && !b.isBlank()) {
                    box = new Found(b, last.end(), last.start(), "boxed");
                }
            }
            Found f = switch (level) {
                case 0 -> {
                    String g = box == null ? gsm8k(text) : null;
                    yield g != null ? new Found(g, 0, 0, "gsm8k") : finalAnswer ? finalAnswerIsIHope(text, cfg) : null;
                }
                case 50 -> finalAnswer ? finalAnswerIs(text, cfg) : null;
                case 100 -> answerWord ? answerWord(text, lower, cfg, "answer:", "answer_colon") : null;
                case 150 -> answerWord ? answerIsSentence(text, lower) : null;
                case 200 -> answerWord ? answerWord(text, lower, cfg, "answer", "answer_word") : null;
                default -> inTag ? null : plain(text, cfg);
            };
            if (!cfg.choices().isEmpty()) {
                f = better(f, choice(text, cfg.choices(), level, inTag));
            }
            if (f != null && f.answer().isBlank()) {
                f = null;
            }
            // a box and a marker of the same priority: the one that ends later wins
            f = better(box, f);
            if (f != null) {
                return new Extraction(f.answer().strip(), f.method());
            }
        }
        return null;
    }

    /** A candidate: the answer text, where its match ends/starts (rightmost end wins within a priority), the rule. */
    private record Found(String answer, int end, int start, String method) {}

    private static Found better(Found a, Found b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.end() > a.end() || (b.end() == a.end() && b.start() < a.start()) ? b : a;
    }

    // ---------------------------------------------------------------- marker rules

    private static Found finalAnswerIsIHope(String text, Config cfg) {
        Matcher m = FINAL_ANSWER_IS.matcher(text);
        Found best = null;
        while (m.find()) {
            Found x = valueAt(text, m.end(), cfg);
            if (x != null) {
                Matcher h = I_HOPE.matcher(text).region(x.end(), text.length());
                if (h.lookingAt()) {
                    best = better(best, new Found(x.answer(), h.end(), m.start(), "final_answer"));
                }
            }
        }
        return best;
    }

    private static Found finalAnswerIs(String text, Config cfg) {
        Matcher m = FINAL_ANSWER.matcher(text);
        Found best = null;
        while (m.find()) {
            int limit = Math.min(text.length(), m.end() + 100);
            Matcher is = IS.matcher(text).region(m.end(), Math.min(text.length(), limit + 10));
            while (is.find() && is.start() <= limit) {
                Found x = valueAt(text, is.end(), cfg);
                if (x != null) {
                    best = better(best, new Found(x.answer(), x.end(), m.start(), "final_answer"));
                    break;
                }
            }
        }
        return best;
    }

    /** "answer: ... X" / "answer ... X": a LaTeX span within 50 characters, or a number after the last "=" within 100, or within 50. */
    private static Found answerWord(String text, String lower, Config cfg, String anchor, String method) {
        Found best = null;
        List<Env> envs = null;
        for (int at = lower.indexOf(anchor); at >= 0; at = lower.indexOf(anchor, at + anchor.length())) {
            if (cfg.latex() && envs == null) {
                envs = envs(text);
            }
            int from = at + anchor.length();
            if (cfg.latex() && envs != null) {
                int k = firstEnvFrom(envs, from);
                if (k < envs.size() && envs.get(k).start() <= from + 50) {
                    Found c = chain(text, envs, k);
                    best = better(best, new Found(c.answer(), c.end(), at, method));
                }
            }
            if (cfg.expr()) {
                Found x = null;
                int limit = Math.min(text.length(), from + 100);
                for (int eq = limit - 1; eq >= from && x == null; eq--) {
                    if (text.charAt(eq) != '=') {
                        continue;
                    }
                    int p = eq + 1;
                    while (p < text.length() && Character.isWhitespace(text.charAt(p))) {
                        p++;
                    }
                    Found y = numberOrExprAt(text, p);
                    if (y != null && !followedByEquals(text, y.end())) {
                        x = y;
                    }
                }
                if (x == null) {
                    Found y = numberOrExprFrom(text, from, Math.min(text.length(), from + 51));
                    if (y != null && !followedByEquals(text, y.end())) {
                        x = y;
                    }
                }
                if (x != null) {
                    best = better(best, new Found(x.answer(), x.end(), at, method));
                }
            }
        }
        return best;
    }

    /** Index of the first span starting at or after {@code from} (spans are sorted by start). */
    private static int firstEnvFrom(List<Env> envs, int from) {
        int lo = 0;
        int hi = envs.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (envs.get(mid).start() < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static boolean followedByEquals(String text, int end) {
        int p = end;
        while (p < text.length() && Character.isWhitespace(text.charAt(p))) {
            p++;
        }
        return p < text.length() && text.charAt(p) == '=';
    }

    /** Our own marker: "the answer is X" with X the rest of the sentence, when X reads as math rather than prose. */
    private static Found answerIsSentence(String text, String lower) {
        int at = lower.lastIndexOf("answer is");
        if (at < 0) {
            return null;
        }
        // the last "the [final] answer is" starts at most 30 characters before the last "answer is"
        String last = theAnswerIs(text.substring(Math.max(0, at - 30)));
        if (last == null) {
            return null;
        }
        String bare = LATEX_COMMAND.matcher(last.replace("$", " ")).replaceAll(" ").replaceAll("(?i)\\b(?:and|or)\\b", " ");
        if (PROSE_WORD.matcher(bare).find()) {
            return null;
        }
        return new Found(last, text.length(), 0, "answer_is");
    }

    /** Where {@code from} is just after a marker: a LaTeX span chain starting there, or a number/expression. */
    private static Found valueAt(String text, int from, Config cfg) {
        int p = from;
        while (p < text.length() && Character.isWhitespace(text.charAt(p))) {
            p++;
        }
        if (cfg.latex()) {
            Env e = envAt(text, p);
            if (e != null) {
                List<Env> list = new ArrayList<>();
                list.add(e);
                int k = e.end();
                while (list.size() < 6) {
                    Env next = nextInChain(text, k);
                    if (next == null) {
                        break;
                    }
                    list.add(next);
                    k = next.end();
                }
                return joinEnvs(text, list, from);
            }
        }
        if (cfg.expr()) {
            // the number needs a space or "=" before it (or to start right after the marker's colon)
            int q = p;
            if (q > 0 && q == from && !Character.isWhitespace(text.charAt(q - 1)) && text.charAt(q - 1) != '=' && text.charAt(q - 1) != ':') {
                return null;
            }
            return numberOrExprAt(text, q);
        }
        return null;
    }

    /** The latex span chain following {@code k} after a separator (", and", "or", ","), or null. */
    private static Env nextInChain(String text, int k) {
        int p = k;
        Matcher pc = PERCENT_AFTER.matcher(text).region(p, text.length());
        if (pc.lookingAt()) {
            p = pc.end();
        }
        Matcher sep = CHAIN_SEP.matcher(text).region(p, text.length());
        if (!sep.lookingAt()) {
            return null;
        }
        return envAt(text, sep.end());
    }

    // ---------------------------------------------------------------- choice letters (match_types: string)

    /**
     * A choice letter (one of {@code choices}) at the given priority: after "final answer is" (0: followed by
     * "I hope"; 50), "answer:" (100) or "answer" (200) within 50 characters, at the start of the text (250, here
     * with 300), or anywhere as a word (300); the letter stands alone, optionally in bold, followed by a period,
     * comma, colon, space or the end.
     */
    private static Found choice(String text, List<String> choices, int level, boolean inTag) {
        StringBuilder alt = new StringBuilder();
        for (String c : choices) {
            if (alt.length() > 0) {
                alt.append('|');
            }
            alt.append(Pattern.quote(c));
        }
        String key = "(" + alt + ")";
        String suffix = "(?:\\*\\*)?(?:[.,:\\s]|$)";
        String word = "(?:^|(?<=\\s))(?:\\*\\*)?" + key + suffix;
        List<Pattern> ps = switch (level) {
            case 0 -> List.of(Pattern.compile("(?i:final answer is):?\\s*" + key + "\\.?\\s?I hope"));
            case 50 -> List.of(Pattern.compile("(?i:final answer.{0,100}?)\\s+is:?\\s*" + key));
            case 100 -> List.of(Pattern.compile("(?i:answer):.{0,50}?" + word));
            case 200 -> List.of(Pattern.compile("(?i:answer).{0,50}?" + word));
            default -> inTag ? List.of() : List.of(Pattern.compile("^(?:\\*\\*)?" + key + suffix), Pattern.compile(word));
        };
        for (Pattern p : ps) {
            Matcher m = p.matcher(text);
            Found best = null;
            while (m.find()) {
                best = better(best, new Found(m.group(1), m.end(), m.start(), "choice"));
            }
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- the no-marker fallback

    private static Found plain(String text, Config cfg) {
        Found best = null;
        if (cfg.latex()) {
            List<Env> envs = envs(text);
            int k = 0;
            while (k < envs.size()) {
                int n = chainLength(text, envs, k);
                best = better(best, joinEnvs(text, envs.subList(k, k + n), envs.get(k).start()));
                k += n;
            }
            if (best != null) {
                best = new Found(best.answer(), best.end(), 0, "latex");
            }
        }
        if (cfg.expr()) {
            Found n = lastNumberOrExpr(text);
            if (n != null && (best == null || n.end() > best.end())) {
                best = new Found(n.answer(), n.end(), 0, "last_number");
            }
        }
        return best;
    }

    /** Spans k, k+1, ... joined by separators (at most 6). */
    private static Found chain(String text, List<Env> envs, int k) {
        return joinEnvs(text, envs.subList(k, k + chainLength(text, envs, k)), envs.get(k).start());
    }

    /** How many spans from k on are joined by "and", "or" or commas (1 to 6). */
    private static int chainLength(String text, List<Env> envs, int k) {
        int n = 1;
        while (k + n < envs.size() && n < 6) {
            Env next = nextInChain(text, envs.get(k + n - 1).end());
            if (next == null || next.start() != envs.get(k + n).start()) {
                break;
            }
            n++;
        }
        return n;
    }

    private static Found joinEnvs(String text, List<Env> list, int start) {
        StringBuilder sb = new StringBuilder();
        int end = 0;
        for (Env e : list) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(e.content().strip());
            end = e.end();
            Matcher pc = PERCENT_AFTER.matcher(text).region(end, text.length());
            if (pc.lookingAt()) {
                sb.append("\\%");
                end = pc.end();
            }
        }
        return new Found(sb.toString(), end, start, "latex");
    }

    /** A LaTeX span in the text: where it starts and ends, and its content. */
    private record Env(int start, int end, String content) {}

    /** All spans, left to right, not overlapping. */
    private static List<Env> envs(String text) {
        List<Env> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '$' || c == '\\' || (c == '-' && text.startsWith("\\frac", i + 1))) {
                Env e = envAt(text, i);
                if (e != null) {
                    out.add(e);
                    i = e.end();
                    continue;
                }
            }
            i++;
        }
        return out;
    }

    /** A span starting exactly at {@code i}, or null. */
    private static Env envAt(String text, int i) {
        int n = text.length();
        if (i >= n) {
            return null;
        }
        if (i > 0 && text.charAt(i - 1) == '\\') {
            return null;
        }
        if (text.startsWith("$$", i)) {
            int close = indexUnescaped(text, "$$", i + 2);
            return close < 0 || close == i + 2 ? null : new Env(i, close + 2, text.substring(i + 2, close));
        }
        if (text.charAt(i) == '$') {
            if (i > 0 && Character.isDigit(text.charAt(i - 1))) {
                return null;
            }
            for (int j = i + 1; j < n; j++) {
                char c = text.charAt(j);
                if (c == '\n') {
                    return null;
                }
                if (c == '$' && text.charAt(j - 1) != '\\') {
                    return j == i + 1 ? null : new Env(i, j + 1, text.substring(i + 1, j));
                }
            }
            return null;
        }
        if (text.startsWith("\\[", i)) {
            int close = indexUnescaped(text, "\\]", i + 2);
            return close < 0 || close == i + 2 ? null : new Env(i, close + 2, text.substring(i + 2, close));
        }
        if (text.startsWith("\\(", i)) {
            int close = text.indexOf("\\)", i + 2);
            if (close < 0 || close == i + 2 || text.substring(i + 2, close).indexOf('\n') >= 0) {
                return null;
            }
            return new Env(i, close + 2, text.substring(i + 2, close));
        }
        if (text.startsWith("\\frac", i) || text.startsWith("-\\frac", i)) {
            Matcher m = PLAIN_FRAC.matcher(text).region(i, n);
            if (m.lookingAt()) {
                return new Env(i, m.end(), m.group());
            }
        }
        return null;
    }

    private static int indexUnescaped(String text, String tok, int from) {
        int j = text.indexOf(tok, from);
        while (j > 0 && text.charAt(j - 1) == '\\' && !tok.startsWith("\\")) {
            j = text.indexOf(tok, j + 1);
        }
        return j;
    }

    // ---------------------------------------------------------------- numbers and expressions

    /** The number or expression that ends last in the text (each needs a space, "=" or the start before it). */
    private static Found lastNumberOrExpr(String text) {
        Found best = null;
        Matcher m = EXPR_OR_NUMBER_START.matcher(text);
        int from = 0;
        while (from < text.length() && m.find(from)) {
            int p = m.end() - 1;
            Found f = numberOrExprAt(text, p);
            if (f != null) {
                best = better(best, f);
                from = Math.max(f.end(), m.end());
            } else {
                from = m.end();
            }
        }
        return best;
    }

    /** The first number or expression starting in [from, to) with an anchor before it. */
    private static Found numberOrExprFrom(String text, int from, int to) {
        Matcher m = EXPR_OR_NUMBER_START.matcher(text).region(Math.max(0, from), Math.min(text.length(), to + 8));
        m.useTransparentBounds(true);
        while (m.find()) {
            int p = m.end() - 1;
            if (p >= to) {
                return null;
            }
            Found f = numberOrExprAt(text, p);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /**
     * A number or an arithmetic expression (digits and operators, at least one operator) starting at {@code p}
     * (after an optional {@code **} and currency sign); the number is returned in plain form (1,000.99 -> 1000.99,
     * 2,74 -> 2.74, 28 percent -> 28%).
     */
    private static Found numberOrExprAt(String text, int p) {
        int n = text.length();
        if (text.startsWith("**", p)) {
            p += 2;
        }
        if (p < n && CURRENCY.indexOf(text.charAt(p)) >= 0) {
            p++;
        }
        if (p >= n) {
            return null;
        }
        Matcher e = EXPR.matcher(text).region(p, n);
        e.useTransparentBounds(true);
        Matcher num = NUMBER.matcher(text).region(p, n);
        num.useTransparentBounds(true);
        boolean isNum = num.lookingAt();
        if (e.lookingAt() && (!isNum || e.end() > num.end())) {
            String ex = e.group().strip();
            String tex = ex.replace("×", "\\times ").replace("÷", "\\div ").replace("**", "^");
            if (ScalarExpr.parse(LatexNormalizer.canonical(tex, true), false) != null) {
                return new Found(tex, e.end(), p, "expr");
            }
        }
        if (!isNum) {
            return null;
        }
        String s;
        if (num.group(1) != null) {
            s = num.group(1).replace(",", "").replace(" ", "");
        } else if (num.group(2) != null) {
            s = num.group(2).replace(',', '.');
        } else if (num.group(3) != null) {
            s = "0" + num.group(3);
        } else {
            s = num.group(4);
        }
        if (num.group(5) != null) {
            s += "\\%";
        }
        return new Found(s, num.end(), p, "number");
    }

    // ---------------------------------------------------------------- gold answers and boxes

    /**
     * The gold answer of a dataset field: after GSM8K's "####"; the boxes of a worked solution; the answer a
     * reference solution written in prose or LaTeX spans states (the completion rules above); else the whole string.
     */
    public static String gold(String field) {
        return gold(field, Config.DEFAULT);
    }

    public static String gold(String field, Config cfg) {
        if (field == null) {
            return null;
        }
        int i = field.lastIndexOf("####");
        if (i >= 0) {
            return firstLine(field.substring(i + 4));
        }
        String boxed = boxedAnswers(field);
        if (boxed != null && !boxed.isBlank()) {
            return boxed.strip();
        }
        String t = field.strip();
        if (t.indexOf('$') >= 0 || t.contains("\\(") || t.contains("\\[")) {
            Extraction ex = markers(t, new Config(true, cfg.expr(), -1), false);
            if (ex != null) {
                return ex.answer();
            }
        }
        return t;
    }

    public static String lastAnswerTag(String text) {
        int close = text.lastIndexOf("</answer>");
        if (close < 0) {
            return null;
        }
        int open = text.lastIndexOf("<answer>", close);
        return open < 0 ? null : text.substring(open + "<answer>".length(), close);
    }

    /** Content of the last {@code \boxed{...}} or {@code \fbox{...}}, braces matched; null if none or unbalanced. */
    public static String lastBoxed(String text) {
        Box b = boxBefore(text, text.length());
        return b == null || !b.balanced() ? (b != null && b.spaceForm() ? b.content() : null) : b.content();
    }

    /**
     * The boxed answer(s) of a text, Math-Verify's way: the last box, plus the boxes before it that are under 10
     * characters away or (with different content) joined by and/or/comma/semicolon within 70 characters; joined with
     * commas, oldest first; repeats of the same content counted once. An unclosed last box yields the rest of the
     * text. Null when there is no box.
     */
    public static String boxedAnswers(String text) {
        boolean fbox = text.contains("\\fbox");
        Box last = boxBefore(text, text.length(), fbox);
        if (last == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        out.add(last.content());
        Box cur = last;
        while (cur.balanced() && !cur.spaceForm()) {
            Box prev = boxBefore(text, cur.start(), fbox);
            if (prev == null || !prev.balanced() || prev.spaceForm()) {
                break;
            }
            String between = text.substring(prev.end(), cur.start());
            boolean near = between.length() < 10;
            boolean joined = !prev.content().equals(cur.content()) && between.length() < 70 && BOX_SEPARATOR.matcher(between).find();
            if (!near && !joined) {
                break;
            }
            if (!prev.content().equals(out.get(out.size() - 1))) {
                out.add(prev.content());
            }
            cur = prev;
        }
        StringBuilder sb = new StringBuilder();
        for (int k = out.size() - 1; k >= 0; k--) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(out.get(k).strip());
        }
        return sb.toString();
    }

    /** One box: where the command starts, where the box ends (after its closing brace), its content. */
    private record Box(int start, int end, String content, boolean balanced, boolean spaceForm) {}

    private static Box boxBefore(String text, int before) {
        return boxBefore(text, before, text.contains("\\fbox"));
    }

    private static Box boxBefore(String text, int before, boolean fbox) {
        int b = text.lastIndexOf("\\boxed", before - 1);
        int f = fbox ? text.lastIndexOf("\\fbox", before - 1) : -1;
        int start = Math.max(b, f);
        if (start < 0) {
            return null;
        }
        int i = start + (start == b ? "\\boxed".length() : "\\fbox".length());
        int limit = before;
        if (i < limit && text.charAt(i) == ' ' && (i + 1 >= limit || text.charAt(i + 1) != '{')) {
            // "\boxed 5$" form (Hendrycks last_boxed_only_string): up to the next '$' or the end
            int end = text.indexOf('$', i);
            if (end < 0 || end > limit) {
                end = limit;
            }
            String s = text.substring(i, end).strip();
            return s.isEmpty() ? null : new Box(start, end, s, true, true);
        }
        while (i < limit && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i >= limit || text.charAt(i) != '{') {
            return null;
        }
        int depth = 0;
        for (int j = i; j < limit; j++) {
            char c = text.charAt(j);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    return new Box(start, j + 1, text.substring(i + 1, j), true, false);
                }
            }
        }
        return new Box(start, limit, text.substring(i + 1, limit), false, false);
    }

    /** GSM8K's final line {@code #### 42}. */
    public static String gsm8k(String text) {
        int i = text.lastIndexOf("####");
        if (i < 0) {
            return null;
        }
        String s = firstLine(text.substring(i + 4));
        return s.isEmpty() ? null : s;
    }

    public static String theAnswerIs(String text) {
        Matcher m = ANSWER_IS.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            return null;
        }
        last = last.trim();
        return last.isEmpty() ? null : last;
    }

    /** Lower case for ASCII letters only, so that positions stay the same as in the text. */
    private static String asciiLower(String text) {
        char[] cs = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (cs == null) {
                    cs = text.toCharArray();
                }
                cs[i] = (char) (c + 32);
            }
        }
        return cs == null ? text : new String(cs);
    }

    private static String firstLine(String s) {
        s = s.strip();
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
