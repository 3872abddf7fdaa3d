package io.zerorl.run;

/**
 * The keys of a {@code metrics.jsonl} line, in one place: the trainer writes them, the CLI's progress lines, the
 * quickstart and {@code report} read them. Names follow TRL's {@code GRPOTrainer} logs where TRL has the metric;
 * the policy loss's own metrics (kl, entropy, clip ratios, ratio, num_tokens, loss) keep the names the
 * {@code algo} package gives them.
 */
public final class MetricNames {
    public static final String STEP = "step";

    // rewards (all groups sampled in the step, refills included)
    public static final String REWARD = "reward";
    public static final String REWARD_STD = "reward_std";
    public static final String FRAC_REWARD_ZERO_STD = "frac_reward_zero_std";
    public static final String REWARDS_PREFIX = "rewards/";

    // advantages of the groups trained on
    public static final String ADVANTAGES_MEAN = "advantages/mean";
    public static final String ADVANTAGES_STD = "advantages/std";
    public static final String ADVANTAGES_MIN = "advantages/min";
    public static final String ADVANTAGES_MAX = "advantages/max";

    // the policy loss (token-weighted over micro-batches, last mu pass)
    public static final String LOSS = "loss";
    public static final String KL = "kl";
    public static final String ENTROPY = "entropy";
    public static final String CLIP_LOW = "clip_ratio/low_mean";
    public static final String CLIP_HIGH = "clip_ratio/high_mean";
    public static final String CLIP_REGION = "clip_ratio/region_mean";
    public static final String RATIO_MEAN = "ratio/mean";
    public static final String NUM_TOKENS = "num_tokens";
    public static final String MOE_AUX_LOSS = "moe/aux_loss";

    // the optimizer step
    public static final String LEARNING_RATE = "learning_rate";
    public static final String GRAD_NORM = "grad_norm";
    public static final String LOSS_SCALE = "loss_scale";
    public static final String SKIPPED_STEP = "skipped_step";

    // completions
    public static final String MEAN_LENGTH = "completions/mean_length";
    public static final String MAX_LENGTH = "completions/max_length";
    public static final String CLIPPED_RATIO = "completions/clipped_ratio";

    // speed and memory
    public static final String ROLLOUT_TOKENS_PER_S = "tokens_per_s/rollout";
    public static final String TRAIN_TOKENS_PER_S = "tokens_per_s/train";
    public static final String GENERATE_S = "time/generate_s";
    public static final String SCORE_S = "time/score_s";
    public static final String TRAIN_S = "time/train_s";
    /** With a cluster: writing or sending the step's weights to the executors. */
    public static final String WEIGHT_SYNC_S = "time/weight_sync_s";
    public static final String RSS_MB = "memory/rss_mb";
    public static final String HEAP_MB = "memory/heap_mb";

    // dynamic sampling and data
    public static final String DAPO_ROUNDS = "dapo/rounds";
    public static final String DAPO_GROUPS_KEPT = "dapo/groups_kept";
    public static final String DATA_CURSOR = "data/cursor";
    public static final String DATA_EPOCH = "data/epoch";

    /** Prefix of the evaluation-during-training metrics: {@code eval/<benchmark>/pass@k}. */
    public static final String EVAL_PREFIX = "eval/";

    /** The fields of a {@code samples.jsonl} line (one logged completion); its step is {@link #STEP}. */
    public static final class Sample {
        public static final String PROMPT = "prompt";
        public static final String COMPLETION = "completion";
        /** Each reward function's score, by function name. */
        public static final String REWARDS = "rewards";
        /** The weighted total reward. */
        public static final String TOTAL = "total";
        public static final String FINISH_REASON = "finish_reason";

        private Sample() {}
    }

    private MetricNames() {}

    /** {@code rewards/<function>/mean}: the mean over completions where the function applies. */
    public static String rewardMean(String function) {
        return REWARDS_PREFIX + function + "/mean";
    }

    /** {@code rewards/<function>/std}. */
    public static String rewardStd(String function) {
        return REWARDS_PREFIX + function + "/std";
    }

    /** {@code eval/<benchmark>/pass@k}. */
    public static String evalPassAt(String benchmark, int k) {
        return EVAL_PREFIX + benchmark + "/pass@" + k;
    }
}
