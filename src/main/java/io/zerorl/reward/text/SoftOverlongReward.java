package io.zerorl.reward.text;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;

/**
 * {@code soft_overlong}: DAPO's soft overlong punishment (Yu et al. 2025, eq. 13): 0 up to
 * {@code max_length - cache_length}, then falling linearly to -1 at {@code max_length}, -1 beyond.
 * Length is {@link RewardInput#completionTokens()} when the trainer gives it, else characters / {@code chars_per_token}
 * (default 4). Options: {@code max_length} (default 4096 tokens), {@code cache_length} (default 512; DAPO used
 * 20480 and 4096).
 */
public final class SoftOverlongReward extends RewardFunction.PerItem {
    private final int maxLength;
    private final int cacheLength;
    private final double charsPerToken;

    public SoftOverlongReward(String name, RewardOptions o) {
        super(name);
        this.maxLength = o.getInt("max_length", 4096, 1, Integer.MAX_VALUE);
        this.cacheLength = o.getInt("cache_length", 512, 0, Integer.MAX_VALUE);
        this.charsPerToken = o.getDouble("chars_per_token", 4.0, 0.1, 100);
        if (cacheLength >= maxLength) {
            throw new ZerorlException("Reward '" + name + "': cache_length (" + cacheLength + ") must be < max_length (" + maxLength + ")");
        }
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        double len = in.completionTokens() >= 0 ? in.completionTokens() : in.completion().length() / charsPerToken;
        double expected = maxLength - cacheLength;
        double r;
        if (len <= expected) {
            r = 0.0;
        } else if (len <= maxLength) {
            r = (expected - len) / cacheLength;
        } else {
            r = -1.0;
        }
        return Score.of(r, "length", len);
    }
}
