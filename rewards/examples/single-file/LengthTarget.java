import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

/**
 * A single-file Java reward (rewards/README.md, "A Java source file"): zerorl compiles it at start-up, no build.
 * Scores how close the completion's length is to a target: 1 at {@code target_tokens}, falling linearly to 0 at
 * twice the target or at zero length. Uses the trainer's token count, or about 4 characters per token when the
 * count is unknown ({@code zerorl rewards score} rows without {@code completion_tokens}).
 *
 * <pre>rewards: [{name: rewards/examples/single-file/LengthTarget.java, weight: 0.5, target_tokens: 4}]</pre>
 */
public final class LengthTarget extends RewardFunction.PerItem {
    private final int target;

    public LengthTarget(String name, RewardOptions options) {
        super("length_target");
        this.target = options.getInt("target_tokens", 64, 1, 1_000_000);
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        int tokens = in.completionTokens() >= 0 ? in.completionTokens() : (in.completion().length() + 3) / 4;
        double score = Math.max(0.0, 1.0 - Math.abs(tokens - target) / (double) target);
        return Score.of(score, "tokens", tokens, "target", target);
    }
}
