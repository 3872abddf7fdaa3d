package io.zerorl.reward.text;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

/**
 * {@code tag_count}: open-r1 {@code tag_count_reward}: 0.25 for each of {@code <think>\n}, {@code \n</think>\n},
 * {@code \n<answer>\n}, {@code \n</answer>} that occurs exactly once (a dense signal towards the format).
 */
public final class TagCountReward extends RewardFunction.PerItem {
    public TagCountReward(String name, RewardOptions o) {
        super(name);
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        String c = FormatReward.withPrefilledThink(in);
        double s = 0;
        for (String tag : new String[] {"<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>"}) {
            if (FormatReward.count(c, tag) == 1) {
                s += 0.25;
            }
        }
        return Score.of(s);
    }
}
