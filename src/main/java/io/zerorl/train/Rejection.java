package io.zerorl.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rejection sampling of one prompt's teacher completions (DeepSeek-R1's distillation data): a completion is kept when
 * its weighted reward reaches {@code minReward}, it is no longer than {@code maxTokens} (0: any length), and its text
 * is not a copy of one already kept; at most {@code keep} per prompt, the first in sample order.
 */
public final class Rejection {
    /** One completion: its text, its length in teacher tokens, its weighted reward. */
    public record Candidate(String text, int tokens, double reward) {}

    private final double minReward;
    private final int maxTokens;
    private final int keep;

    public Rejection(double minReward, int maxTokens, int keep) {
        this.minReward = minReward;
        this.maxTokens = maxTokens;
        this.keep = keep;
    }

    /** Indices of the kept candidates, in sample order. */
    public List<Integer> select(List<Candidate> candidates) {
        List<Integer> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < candidates.size() && out.size() < keep; i++) {
            Candidate c = candidates.get(i);
            if (c.reward() < minReward || (maxTokens > 0 && c.tokens() > maxTokens) || c.text().isBlank()) {
                continue;
            }
            if (seen.add(c.text().strip())) {
                out.add(i);
            }
        }
        return out;
    }
}
