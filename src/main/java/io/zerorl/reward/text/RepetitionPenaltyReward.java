package io.zerorl.reward.text;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * {@code repetition_penalty}: n-gram repetition penalty from Yeo et al. 2025 as in open-r1
 * {@code get_repetition_penalty_reward}: over lower-cased whitespace words, {@code (1 - unique/total) * max_penalty}
 * for n-grams of {@code ngram_size} (default 3); {@code max_penalty} (default -1) must be &lt;= 0.
 * Completions shorter than one n-gram score 0.
 */
public final class RepetitionPenaltyReward extends RewardFunction.PerItem {
    private final int n;
    private final double maxPenalty;

    public RepetitionPenaltyReward(String name, RewardOptions o) {
        super(name);
        this.n = o.getInt("ngram_size", 3, 1, 100);
        this.maxPenalty = o.getDouble("max_penalty", -1.0);
        if (maxPenalty > 0) {
            throw new ZerorlException("Reward '" + name + "': max_penalty must be <= 0, got " + maxPenalty);
        }
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        String[] w = in.completion().toLowerCase(Locale.ROOT).trim().split("\\s+");
        if (in.completion().isBlank() || w.length < n) {
            return Score.of(0.0);
        }
        Set<String> unique = new HashSet<>();
        int total = 0;
        for (int i = 0; i + n <= w.length; i++) {
            unique.add(String.join(" ", java.util.Arrays.copyOfRange(w, i, i + n)));
            total++;
        }
        double scaling = 1.0 - unique.size() / (double) total;
        return Score.of(scaling * maxPenalty, "unique_ngrams", unique.size(), "ngrams", total);
    }
}
