package io.zerorl.recipe;

import io.zerorl.reward.RewardSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A GRPO training run, typed. YAML keys are the snake_case names of these components (e.g.
 * {@code train.group_size}); {@link RecipeLoader} merges defaults &lt; YAML &lt; {@code --set key=value} and
 * {@link RecipeValidator} checks everything that can be checked without loading a model.
 *
 * @param name       run name (model card, logs)
 * @param seed       the only source of randomness: data order is a function of (seed, epoch), rollout sampling
 *                   of (seed, step), so a resumed run continues exactly
 * @param outputDir  run directory: metrics.jsonl, samples.jsonl, recipe.yaml, checkpoints/, export/
 * @param rewards    reward entries in {@link RewardSpec#fromMap} form: {@code {name, weight, ...options}}
 * @param eval       evaluation during training (off unless {@code eval.every} &gt; 0)
 */
public record Recipe(String name, long seed, String outputDir, Model model, Data data, Rollout rollout,
                     List<Map<String, Object>> rewards, Algo algo, Optim optim, Train train, Checkpoint checkpoint,
                     Export export, Eval eval) {

    /**
     * @param path   Hugging Face model directory (config.json, safetensors, tokenizer files)
     * @param device cpu or gpu
     */
    public record Model(String path, String device) {}

    /**
     * @param path        a JSONL file of rows (or null when {@code dataset} names a registered benchmark)
     * @param dataset     a registered dataset name (gsm8k, countdown, ...), read from {@code data_dir}
     * @param dataDir     where registered datasets live (null: the default search path)
     * @param promptField the row field holding the question (JSONL files; registered datasets know theirs)
     * @param template    prompt template: r1, plain or chat
     * @param maxRows     use only the first rows (0 = all)
     */
    public record Data(String path, String dataset, String dataDir, String promptField, String template, int maxRows) {}

    /** Sampling for rollouts (TRL names); log-probs are taken at the same temperature. */
    public record Rollout(double temperature, double topP, int topK, double minP, int maxNewTokens,
                          List<String> stopStrings) {}

    /**
     * @param advantageEstimator grpo or rloo
     * @param scaleRewards       group, batch or none
     * @param lossType           grpo, bnpo, dr_grpo or dapo
     */
    public record Algo(String advantageEstimator, String scaleRewards, String lossType, double epsilonLow,
                       double epsilonHigh, double beta, String klEstimator, String policyLoss) {}

    /** AdamW + schedule; {@code schedule} is constant or cosine; max_grad_norm 0 disables clipping. */
    public record Optim(double lr, int warmupSteps, String schedule, double minLrRatio, double beta1, double beta2,
                        double eps, double weightDecay, double maxGradNorm) {}

    /**
     * @param promptsPerStep    prompts (groups) per training step
     * @param groupSize         completions per prompt, G (>= 2)
     * @param microBatchSize    completions per forward/backward; gradients accumulate over the batch
     * @param numIterations     mu: optimizer passes over the same rollouts (old log-probs from before the first)
     * @param refSyncSteps      copy the policy into the reference model every N steps (0 = never; TRL sync_ref_model)
     * @param refSyncAlpha      reference = alpha * policy + (1 - alpha) * reference at each sync (TRL ref_model_mixup_alpha)
     * @param precision         float32, or float16 (fp32 master weights, dynamic loss scaling; meant for the GPU)
     * @param samplesPerStep    completions written to samples.jsonl per step
     */
    public record Train(int steps, int promptsPerStep, int groupSize, int microBatchSize, int numIterations,
                        int refSyncSteps, double refSyncAlpha, String precision, double lossScaleInit,
                        int lossScaleGrowthInterval, int samplesPerStep, Dapo dapo, Moe moe) {}

    /**
     * DAPO (Yu et al. 2025) options.
     *
     * @param dynamicSampling          drop groups whose rewards are all equal and sample more prompts to refill
     * @param maxRefillRounds          at most this many extra generation rounds per step (then train on what is there)
     * @param maskTruncatedCompletions overlong filtering: completions cut at max_new_tokens get no loss
     */
    public record Dapo(boolean dynamicSampling, int maxRefillRounds, boolean maskTruncatedCompletions) {}

    /**
     * @param routerAuxLossCoef load-balancing loss coefficient (Switch/Mixtral form); 0 = off (verl's default)
     * @param freezeRouter      router weights get no gradient and are not updated
     */
    public record Moe(double routerAuxLossCoef, boolean freezeRouter) {}

    /** Checkpoint every {@code every} steps (0 = never), keep the last {@code keep}. */
    public record Checkpoint(int every, int keep) {}

    /**
     * @param atEnd         export an HF-layout checkpoint to {@code output_dir/export} when training ends
     * @param dtype         bf16 or fp32
     * @param maxShardBytes shard size of model.safetensors
     */
    public record Export(boolean atEnd, String dtype, long maxShardBytes) {}

    /**
     * Evaluation during training: every {@code every} steps the policy as it is then answers the first {@code limit}
     * problems of each benchmark; {@code eval/<benchmark>/pass@1} (and pass@k, maj@k, standard errors) are logged
     * with that step's metrics. Runs inside the training loop, so keep {@code limit} and {@code max_new_tokens} small.
     * Benchmark files are looked for in {@code data.data_dir} (default ./datasets, then ~/.cache/zerorl/datasets).
     *
     * @param every        evaluate after steps N, 2N, ... (0 = off, {@code at_start} included)
     * @param atStart      also evaluate before the first step (logged as step 0), a baseline; not on --resume
     * @param benchmarks   registered dataset names (gsm8k, math500, aime24, amc23, humaneval, mbpp, mbpp_sanitized,
     *                     countdown) or descriptor files {@code path/to/name.yaml}
     * @param limit        problems per benchmark at each evaluation (>= 1)
     * @param n            samples per problem; pass@1 is their mean correctness
     * @param ks           the k of pass@k and maj@k, each in 1..n
     * @param temperature  0 = greedy
     * @param topP         nucleus sampling when temperature &gt; 0
     * @param maxNewTokens completion limit; null = {@code rollout.max_new_tokens}
     * @param template     prompt template r1, plain or chat; null = {@code data.template}
     * @param batchSize    prompts per generation call
     * @param saveReports  write each evaluation's problems.jsonl and summaries to {@code output_dir/eval/step_NNNNNN/}
     */
    public record Eval(int every, boolean atStart, List<String> benchmarks, int limit, int n, List<Integer> ks,
                       double temperature, double topP, Integer maxNewTokens, String template, int batchSize,
                       boolean saveReports) {}

    /** Every default in one place (TRL GRPOConfig-like values scaled for small models). */
    public static Recipe defaults() {
        return new Recipe("grpo", 42, "runs/grpo",
                new Model(null, "cpu"),
                new Data(null, null, null, "question", "r1", 0),
                new Rollout(1.0, 1.0, 0, 0.0, 256, List.of()),
                new ArrayList<>(),
                new Algo("grpo", "group", "dapo", 0.2, 0.2, 0.0, "k3", "vanilla"),
                new Optim(1e-6, 0, "constant", 0.0, 0.9, 0.99, 1e-8, 0.0, 1.0),
                new Train(100, 8, 8, 8, 1, 0, 0.6, "float32", 65536, 2000, 4,
                        new Dapo(false, 4, false), new Moe(0.0, false)),
                new Checkpoint(0, 2),
                new Export(true, "bf16", 5L << 30),
                new Eval(0, false, List.of(), 64, 1, List.of(1), 0.0, 0.95, null, null, 16, true));
    }

    public List<RewardSpec> rewardSpecs() {
        return rewards.stream().map(RewardSpec::fromMap).toList();
    }

    /** Completions per step (before dynamic-sampling refills). */
    public int batchSize() {
        return train.promptsPerStep() * train.groupSize();
    }
}
