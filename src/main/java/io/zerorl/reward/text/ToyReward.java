package io.zerorl.reward.text;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

/**
 * A dense toy reward for smoke tests and tiny recipes: the fraction of the completion's characters that are in
 * {@code chars} (default: lowercase vowels). A randomly initialised tiny model can learn it in tens of steps, so
 * "reward rises" is a check of the whole loop rather than of the task. Named {@code toy_chars} in metrics; used
 * in recipes by its class name {@code io.zerorl.reward.text.ToyReward}.
 */
public final class ToyReward extends RewardFunction.PerItem {
    private final String chars;

    public ToyReward(RewardOptions options) {
        super("toy_chars");
        this.chars = options.getString("chars", "aeiou");
    }

    @Override
    protected Score scoreItem(RewardInput input) {
        String c = input.completion();
        if (c.isEmpty()) {
            return Score.of(0.0);
        }
        int hit = 0;
        for (int i = 0; i < c.length(); i++) {
            hit += chars.indexOf(c.charAt(i)) >= 0 ? 1 : 0;
        }
        return Score.of((double) hit / c.length());
    }
}
