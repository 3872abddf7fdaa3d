package io.zerorl.rewards.examples;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.RewardProvider;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;

import java.util.List;
import java.util.Locale;

/**
 * Worked example of a user reward (see rewards/README.md): {@code example_keyword} scores the share of the
 * row's {@code keywords} (a list field) that appear in the completion's answer part; rows without
 * keywords are not applicable. Options: {@code case_sensitive} (default false), {@code answer_only}
 * (only text after {@code </think>}; default true).
 *
 * <p>Registered through {@code META-INF/services/io.zerorl.reward.RewardProvider}; the nested
 * {@link Provider} is what ServiceLoader instantiates.
 */
public final class KeywordReward extends RewardFunction.PerItem {
    private final boolean caseSensitive;
    private final boolean answerOnly;

    public KeywordReward(String name, RewardOptions options) {
        super(name);
        this.caseSensitive = options.getBoolean("case_sensitive", false);
        this.answerOnly = options.getBoolean("answer_only", true);
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        if (!(in.fields().get("keywords") instanceof List<?> keywords) || keywords.isEmpty()) {
            return Score.notApplicable("row has no 'keywords' list");
        }
        String text = in.completion();
        int think = text.lastIndexOf("</think>");
        if (answerOnly && think >= 0) {
            text = text.substring(think + "</think>".length());
        }
        if (!caseSensitive) {
            text = text.toLowerCase(Locale.ROOT);
        }
        int hits = 0;
        for (Object k : keywords) {
            String kw = caseSensitive ? String.valueOf(k) : String.valueOf(k).toLowerCase(Locale.ROOT);
            if (text.contains(kw)) {
                hits++;
            }
        }
        return Score.of(hits / (double) keywords.size(), "hits", hits, "keywords", keywords.size());
    }

    /** The ServiceLoader entry point: a public no-argument class naming the reward. */
    public static final class Provider implements RewardProvider {
        @Override
        public String name() {
            return "example_keyword";
        }

        @Override
        public String description() {
            return "example plug-in: share of the row's 'keywords' found in the answer";
        }

        @Override
        public RewardFunction create(RewardOptions options) {
            if (options.values().containsKey("keywords")) {
                throw new ZerorlException("example_keyword reads 'keywords' from each row, not from the options");
            }
            return new KeywordReward(name(), options);
        }
    }
}
