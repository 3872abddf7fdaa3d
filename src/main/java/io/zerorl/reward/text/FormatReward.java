package io.zerorl.reward.text;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code format}: 1 when the completion follows the R1 template {@code <think>...</think><answer>...</answer>}.
 * {@code mode: strict} is open-r1's {@code format_reward} ({@code ^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$},
 * whole completion, each tag once); {@code lenient} (default) accepts any whitespace between the parts and
 * text after the answer, still with exactly one of each tag in order. When the prompt ends with
 * {@code <think>} (the R1-Zero template pre-fills it), the completion is read as if it started with it.
 */
public final class FormatReward extends RewardFunction.PerItem {
    private static final Pattern STRICT = Pattern.compile("^<think>\\n.*?\\n</think>\\n<answer>\\n.*?\\n</answer>\\n?$", Pattern.DOTALL);
    private static final Pattern LENIENT = Pattern.compile("^\\s*<think>.*?</think>\\s*<answer>.*?</answer>.*$", Pattern.DOTALL);
    private final boolean strict;

    public FormatReward(String name, RewardOptions o) {
        super(name);
        this.strict = o.getChoice("mode", "lenient", List.of("strict", "lenient")).equals("strict");
    }

    static String withPrefilledThink(RewardInput in) {
        String p = in.prompt().stripTrailing();
        return p.endsWith("<think>") && !in.completion().stripLeading().startsWith("<think>")
                ? "<think>" + in.completion() : in.completion();
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        String c = withPrefilledThink(in);
        boolean onceEach = count(c, "<think>") == 1 && count(c, "</think>") == 1 && count(c, "<answer>") == 1
                && count(c, "</answer>") == 1;
        boolean ok = onceEach && (strict ? STRICT : LENIENT).matcher(c).matches();
        return Score.of(ok ? 1.0 : 0.0);
    }

    static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }
}
