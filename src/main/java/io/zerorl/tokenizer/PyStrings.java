package io.zerorl.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** The Python {@code str} methods chat templates use, with Python semantics (literal separators, char sets). */
final class PyStrings {
    static final Object UNHANDLED = new Object();

    private PyStrings() {}

    static Object call(String s, String method, Object[] p) {
        return switch (method) {
            case "startswith" -> anyOf(p[0], s::startsWith);
            case "endswith" -> anyOf(p[0], s::endsWith);
            case "strip" -> rstrip(lstrip(s, arg(p, 0)), arg(p, 0));
            case "lstrip" -> lstrip(s, arg(p, 0));
            case "rstrip" -> rstrip(s, arg(p, 0));
            case "upper" -> s.toUpperCase();
            case "lower" -> s.toLowerCase();
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase() + s.substring(1).toLowerCase();
            case "title" -> title(s);
            case "split" -> split(s, arg(p, 0), p.length > 1 ? ((Number) p[1]).intValue() : -1);
            case "splitlines" -> {
                List<String> lines = new ArrayList<>(List.of(s.split("\\r\\n|\\r|\\n", -1)));
                if (lines.get(lines.size() - 1).isEmpty()) {
                    lines.remove(lines.size() - 1); // Python drops the empty piece after a final newline
                }
                yield lines;
            }
            case "replace" -> s.replace(String.valueOf(p[0]), String.valueOf(p[1]));
            case "find" -> (long) s.indexOf(String.valueOf(p[0]));
            case "count" -> (long) count(s, String.valueOf(p[0]));
            case "join" -> ((Collection<?>) p[0]).stream().map(String::valueOf).collect(Collectors.joining(s));
            default -> UNHANDLED;
        };
    }

    private static String arg(Object[] p, int i) {
        return p.length > i && p[i] != null ? p[i].toString() : null;
    }

    private static boolean anyOf(Object prefixes, java.util.function.Predicate<String> test) {
        if (prefixes instanceof Collection<?> c) {
            return c.stream().anyMatch(x -> test.test(String.valueOf(x)));
        }
        return test.test(String.valueOf(prefixes));
    }

    private static boolean strippable(int c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) {
            j--;
        }
        return s.substring(0, j);
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevLetter = false;
        for (char c : s.toCharArray()) {
            b.append(prevLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevLetter = Character.isLetter(c);
        }
        return b.toString();
    }

    /** str.split: no separator splits on whitespace runs and drops empties; a separator is literal. */
    static List<String> split(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            String rest = lstrip(s, null);
            while (!rest.isEmpty()) {
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(rstrip(rest, null));
                    return out;
                }
                int i = 0;
                while (i < rest.length() && !strippable(rest.charAt(i), null)) {
                    i++;
                }
                out.add(rest.substring(0, i));
                rest = lstrip(rest.substring(i), null);
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }
}
