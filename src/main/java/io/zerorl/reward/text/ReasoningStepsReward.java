package io.zerorl.reward.text;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code reasoning_steps}: open-r1 {@code reasoning_steps_reward}: counts step markers ("Step 1:", numbered
 * lines, bullets, "First,", "Next,", "Finally,") and scores {@code min(1, count / target)}; option
 * {@code target} (default 3, open-r1's "magic number").
 */
public final class ReasoningStepsReward extends RewardFunction.PerItem {
    private static final Pattern STEP = Pattern.compile("(Step \\d+:|^\\d+\\.|\\n-|\\n\\*|First,|Second,|Next,|Finally,)", Pattern.MULTILINE);
    private final int target;

    public ReasoningStepsReward(String name, RewardOptions o) {
        super(name);
        this.target = o.getInt("target", 3, 1, 1000);
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        Matcher m = STEP.matcher(in.completion());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return Score.of(Math.min(1.0, n / (double) target), "steps", n);
    }
}
