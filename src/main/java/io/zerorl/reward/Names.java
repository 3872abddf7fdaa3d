package io.zerorl.reward;

import java.util.Collection;

/** Nearest-name suggestions for "unknown X" errors. */
final class Names {
    private Names() {}

    static String suggest(String given, Collection<String> valid) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String v : valid) {
            int d = distance(given.toLowerCase(), v.toLowerCase());
            if (d < bestD) {
                bestD = d;
                best = v;
            }
        }
        return best != null && bestD <= Math.max(2, given.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
