package io.zerorl.reward.math;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls the final answer out of a completion. Precedence: the last {@code <answer>...</answer>} (and a
 * {@code \boxed{}} inside it), else the last {@code \boxed{}}/{@code \fbox{}}, else GSM8K's {@code #### x},
 * else "the answer is x". Brace matching follows Hendrycks et al. MATH {@code last_boxed_only_string}
 * (including the {@code \boxed 5} form without braces).
 */
public final class AnswerExtractor {
    private AnswerExtractor() {}

    /** An extracted answer and the rule that found it ({@code boxed}, {@code answer_tag}, {@code gsm8k}, ...). */
    public record Extraction(String answer, String method) {}

    private static final Pattern ANSWER_TAG = Pattern.compile("<answer>(.*?)</answer>", Pattern.DOTALL);
    // "The answer is 42." / "the final answer is: $\frac12$" (the sentence-ending period is not part of it)
    private static final Pattern ANSWER_IS = Pattern.compile(
            "(?i)the\\s+(?:final\\s+)?answer\\s+is\\s*[:\\s]\\s*(.+?)\\s*(?:\\.\\s|\\.?\\s*$|\\n)", Pattern.DOTALL);
    private static final Pattern LAST_NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?|-?\\.\\d+");

    public static Extraction extract(String text, boolean fallbackLastNumber) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String tag = lastAnswerTag(text);
        if (tag != null) {
            String boxed = lastBoxed(tag);
            if (boxed != null) {
                return new Extraction(boxed, "answer_tag+boxed");
            }
            String is = theAnswerIs(tag);
            return new Extraction(is != null ? is : tag.trim(), "answer_tag");
        }
        String boxed = lastBoxed(text);
        if (boxed != null) {
            return new Extraction(boxed, "boxed");
        }
        String g = gsm8k(text);
        if (g != null) {
            return new Extraction(g, "gsm8k");
        }
        String is = theAnswerIs(text);
        if (is != null) {
            return new Extraction(is, "answer_is");
        }
        if (fallbackLastNumber) {
            Matcher m = LAST_NUMBER.matcher(text);
            String last = null;
            while (m.find()) {
                last = m.group();
            }
            if (last != null) {
                return new Extraction(last, "last_number");
            }
        }
        return null;
    }

    /** The gold answer of a dataset field: after GSM8K's "####", else the last boxed, else the whole string. */
    public static String gold(String field) {
        if (field == null) {
            return null;
        }
        int i = field.lastIndexOf("####");
        if (i >= 0) {
            return firstLine(field.substring(i + 4));
        }
        String boxed = lastBoxed(field);
        return boxed != null ? boxed : field.trim();
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
        int b = text.lastIndexOf("\\boxed");
        int f = text.lastIndexOf("\\fbox");
        int start = Math.max(b, f);
        if (start < 0) {
            return null;
        }
        int i = start + (start == b ? "\\boxed".length() : "\\fbox".length());
        if (i < text.length() && text.charAt(i) == ' ') {
            // "\boxed 5$" form (Hendrycks last_boxed_only_string): up to the next '$' or whitespace end
            int end = text.indexOf('$', i);
            String s = (end < 0 ? text.substring(i) : text.substring(i, end)).trim();
            return s.isEmpty() ? null : s;
        }
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i >= text.length() || text.charAt(i) != '{') {
            return null;
        }
        int depth = 0;
        for (int j = i; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    return text.substring(i + 1, j);
                }
            }
        }
        return null;
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

    private static String firstLine(String s) {
        s = s.strip();
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
