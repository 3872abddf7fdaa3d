package io.zerorl.util;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;

/** "Did you mean" suggestions for unknown names and keys (Levenshtein distance). */
public final class Names {
    private Names() {}

    /** The valid name closest to {@code name} ("" when there are none). */
    public static String nearest(String name, Collection<String> valid) {
        return valid.stream().min(Comparator.comparingInt(v -> distance(name, v))).orElse("");
    }

    /**
     * {@code " (did you mean 'x'?)"} when a valid name is close enough (case-insensitive, at most 2 edits or a
     * third of the name), else "": for appending to an error message.
     */
    public static String suggest(String given, Collection<String> valid) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String v : valid) {
            int d = distance(given.toLowerCase(Locale.ROOT), v.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = v;
            }
        }
        return best != null && bestD <= Math.max(2, given.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
