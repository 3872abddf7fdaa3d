package io.zerorl.recipe;

import io.zerorl.algo.GrpoLossConfig;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.cluster.ClusterConfig;
import io.zerorl.data.PromptTemplates;
import io.zerorl.eval.EvalDuringTraining;
import io.zerorl.model.LoraConfig;
import io.zerorl.optim.OptimConfig;
import io.zerorl.reward.RewardSpec;
import io.zerorl.rollout.RolloutConfig;
import io.zerorl.util.InvalidSetting;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A GRPO training run, typed. YAML keys are the snake_case names of these components (e.g.
 * {@code train.group_size}); {@link RecipeLoader} merges defaults &lt; YAML &lt; {@code --set key=value}. Each section
 * is the config record of the package that uses it ({@code lora}: {@link LoraConfig}, {@code rollout}:
 * {@link RolloutConfig}, {@code algo}:
 * {@link GrpoLossConfig}, {@code optim}: {@link OptimConfig}, {@code eval}: {@link EvalDuringTraining.Config}; the
 * trainer's own sections below) and validates its values when it is built, so a bad value fails while the recipe
 * loads, naming its key. {@link RecipeValidator} then checks what needs the file system (model, data, rewards,
 * benchmark files) without loading a model.
 *
 * @param name       run name (model card, logs)
 * @param seed       the only source of randomness: data order is a function of (seed, epoch), rollout sampling
 *                   of (seed, step), so a resumed run continues exactly
 * @param outputDir  run directory (see {@code run.RunLayout}): metrics.jsonl, samples.jsonl, recipe.yaml,
 *                   checkpoints/, export/
 * @param rewards    reward entries in {@link RewardSpec#fromMap} form: {@code {name, weight, ...options}}
 * @param eval       evaluation during training (off unless {@code eval.every} &gt; 0)
 * @param cluster    where rollouts and rewards run: in-process (no master), or on a Spark cluster's executors
 * @param distill    {@code zerorl distill}: the teacher, how its traces are sampled and kept, and the SFT passes
 */
public record Recipe(String name, long seed, String outputDir, Model model, LoraConfig lora, Data data,
                     RolloutConfig rollout, List<Map<String, Object>> rewards, GrpoLossConfig algo, OptimConfig optim,
                     Train train, Checkpoint checkpoint, Export export, EvalDuringTraining.Config eval,
                     ClusterConfig cluster, Distill distill) {
    public static final List<String> PRECISIONS = List.of("float32", "float16");
    public static final List<String> DEVICES = List.of("cpu", "gpu");

    public Recipe {
        InvalidSetting.require(outputDir != null && !outputDir.isBlank(), "output_dir", "must be set");
        InvalidSetting.require(!lora.enabled() || train.refSyncSteps() == 0, "train.ref_sync_steps", "must be 0 with"
                + " LoRA: the KL reference is the base model itself (the adapters switched off), which a sync would"
                + " not change; for a synced reference train all weights (lora.r: 0)");
    }

    /**
     * @param path     Hugging Face model directory (config.json, safetensors, tokenizer files)
     * @param device   cpu or gpu
     * @param memoryGb the memory the run may use, in GB (10^9 B), for the memory plan: train checks against the smaller
     *                 of this and the device's memory; plan uses it as the device's (to plan for a GPU elsewhere); 0 = the
     *                 device's own
     */
    public record Model(String path, String device, double memoryGb) {
        public Model {
            InvalidSetting.oneOf("device", device, DEVICES);
            InvalidSetting.require(memoryGb >= 0 && Double.isFinite(memoryGb), "memory_gb",
                    "must be >= 0 (0 = the device's own), got " + memoryGb);
        }
    }

    /**
     * @param path        a JSONL file of rows (or null when {@code dataset} names a registered benchmark)
     * @param dataset     a registered dataset name (gsm8k, countdown, ...), read from {@code data_dir}
     * @param dataDir     where registered datasets live (null: the default search path)
     * @param promptField the row field holding the question (JSONL files; registered datasets know theirs)
     * @param template    prompt template: r1, plain or chat
     * @param maxRows     use only the first rows (0 = all)
     */
    public record Data(String path, String dataset, String dataDir, String promptField, String template, int maxRows) {
        public Data {
            InvalidSetting.oneOf("template", template, PromptTemplates.names());
            InvalidSetting.require(maxRows >= 0, "max_rows", "must be >= 0 (0 = all rows), got " + maxRows);
        }
    }

    /**
     * @param promptsPerStep    prompts (groups) per training step
     * @param groupSize         completions per prompt, G (>= 2)
     * @param microBatchSize    completions per forward/backward; gradients accumulate over the batch
     * @param numIterations     mu: optimizer passes over the same rollouts (old log-probs from before the first)
     * @param refSyncSteps      copy the policy into the reference model every N steps (0 = never; TRL sync_ref_model)
     * @param refSyncAlpha      reference = alpha * policy + (1 - alpha) * reference at each sync (TRL ref_model_mixup_alpha)
     * @param precision         float32, or float16 (fp32 master weights, dynamic loss scaling; meant for the GPU)
     * @param samplesPerStep    completions written to samples.jsonl per step
     * @param activationCheckpointing keep only each decoder layer's input during the forward pass and recompute the
     *                          layer in backward: activation memory of one layer instead of all, for one more forward
     */
    public record Train(int steps, int promptsPerStep, int groupSize, int microBatchSize, int numIterations,
                        int refSyncSteps, double refSyncAlpha, String precision, double lossScaleInit,
                        int lossScaleGrowthInterval, int samplesPerStep, boolean activationCheckpointing, Dapo dapo,
                        Moe moe) {
        public Train {
            InvalidSetting.require(groupSize >= 2, "group_size", "must be >= 2 (GRPO compares completions within a"
                    + " group), got " + groupSize + "; typical: 8 or 16");
            InvalidSetting.require(steps >= 1, "steps", "must be >= 1, got " + steps);
            InvalidSetting.require(promptsPerStep >= 1, "prompts_per_step", "must be >= 1, got " + promptsPerStep);
            InvalidSetting.require(microBatchSize >= 1, "micro_batch_size", "must be >= 1, got " + microBatchSize);
            InvalidSetting.require(numIterations >= 1, "num_iterations", "(mu) must be >= 1, got " + numIterations);
            InvalidSetting.require(refSyncSteps >= 0, "ref_sync_steps", "must be >= 0 (0 = never), got " + refSyncSteps);
            InvalidSetting.require(refSyncAlpha > 0 && refSyncAlpha <= 1, "ref_sync_alpha", "must be in (0, 1], got "
                    + refSyncAlpha);
            InvalidSetting.oneOf("precision", precision, PRECISIONS);
            InvalidSetting.require(lossScaleInit > 0 && Double.isFinite(lossScaleInit), "loss_scale_init",
                    "must be a finite number > 0 (typical: 65536), got " + lossScaleInit);
            InvalidSetting.require(lossScaleGrowthInterval >= 1, "loss_scale_growth_interval", "must be >= 1, got "
                    + lossScaleGrowthInterval);
            InvalidSetting.require(samplesPerStep >= 0, "samples_per_step", "must be >= 0, got " + samplesPerStep);
            InvalidSetting.require(dapo != null, "dapo", "must be a section");
            InvalidSetting.require(moe != null, "moe", "must be a section");
        }
    }

    /**
     * DAPO (Yu et al. 2025) options.
     *
     * @param dynamicSampling          drop groups whose rewards are all equal and sample more prompts to refill
     * @param maxRefillRounds          at most this many extra generation rounds per step (then train on what is there)
     * @param maskTruncatedCompletions overlong filtering: completions cut at max_new_tokens get no loss
     */
    public record Dapo(boolean dynamicSampling, int maxRefillRounds, boolean maskTruncatedCompletions) {
        public Dapo {
            InvalidSetting.require(maxRefillRounds >= 0, "max_refill_rounds", "must be >= 0, got " + maxRefillRounds);
        }
    }

    /**
     * @param routerAuxLossCoef load-balancing loss coefficient (Switch/Mixtral form); 0 = off (verl's default)
     * @param freezeRouter      router weights get no gradient and are not updated
     */
    public record Moe(double routerAuxLossCoef, boolean freezeRouter) {
        public Moe {
            InvalidSetting.require(routerAuxLossCoef >= 0, "router_aux_loss_coef", "must be >= 0 (0 = off), got "
                    + routerAuxLossCoef);
        }
    }

    /** Checkpoint every {@code every} steps (0 = never), keep the last {@code keep}. */
    public record Checkpoint(int every, int keep) {
        public Checkpoint {
            InvalidSetting.require(every >= 0, "every", "must be >= 0 (0 = never), got " + every);
            InvalidSetting.require(keep >= 1, "keep", "must be >= 1, got " + keep);
        }
    }

    /**
     * Distillation as in DeepSeek-R1: a teacher samples traces, the recipe's rewards verify them, and a student
     * ({@code model.path}) is fine-tuned on the kept ones.
     *
     * @param teacher             the teacher's Hugging Face folder
     * @param teacherAdapter      a LoRA adapter (PEFT folder) on the teacher, or null
     * @param samplesPerPrompt    k: completions the teacher samples per training prompt
     * @param keepPerPrompt       m: at most this many passing traces per prompt (the first in sample order)
     * @param minReward           a trace passes when its weighted reward (the recipe's rewards) is at least this
     * @param maxCompletionTokens traces longer than this (teacher tokens) are dropped; 0 keeps every length
     * @param traces              the traces JSONL file: phase 1 writes it, phase 2 reads it; null:
     *                            {@code output_dir/traces.jsonl}
     * @param prompts             training prompts the teacher answers; 0 = every row once
     * @param epochs              SFT passes over the traces
     */
    public record Distill(String teacher, String teacherAdapter, int samplesPerPrompt, int keepPerPrompt,
                          double minReward, int maxCompletionTokens, String traces, int prompts, int epochs) {
        public Distill {
            InvalidSetting.require(samplesPerPrompt >= 1, "samples_per_prompt", "must be >= 1, got " + samplesPerPrompt);
            InvalidSetting.require(keepPerPrompt >= 1, "keep_per_prompt", "must be >= 1, got " + keepPerPrompt);
            InvalidSetting.require(Double.isFinite(minReward), "min_reward", "must be a number, got " + minReward);
            InvalidSetting.require(maxCompletionTokens >= 0, "max_completion_tokens", "must be >= 0 (0 = no cap), got "
                    + maxCompletionTokens);
            InvalidSetting.require(prompts >= 0, "prompts", "must be >= 0 (0 = every row), got " + prompts);
            InvalidSetting.require(epochs >= 1, "epochs", "must be >= 1, got " + epochs);
        }
    }

    /** What a LoRA run exports: the merged model (R1-style), the adapter alone (PEFT layout), or both. */
    public static final List<String> LORA_EXPORTS = List.of("merged", "adapter", "both");

    /**
     * @param atEnd         export an HF-layout checkpoint to {@code output_dir/export} when training ends
     * @param dtype         bf16 or fp32
     * @param maxShardBytes shard size of model.safetensors
     * @param lora          with LoRA: {@code merged} (base + scaling * B A, in export/), {@code adapter} (PEFT files in
     *                      export/), or {@code both} (the adapter in export/adapter/)
     */
    public record Export(boolean atEnd, String dtype, long maxShardBytes, String lora) {
        public Export {
            InvalidSetting.oneOf("dtype", dtype, HfExport.DTYPES);
            InvalidSetting.require(maxShardBytes > 0, "max_shard_bytes", "must be > 0, got " + maxShardBytes);
            InvalidSetting.oneOf("lora", lora, LORA_EXPORTS);
        }
    }

    /** Every default in one place (TRL GRPOConfig-like values scaled for small models). */
    public static Recipe defaults() {
        return new Recipe("grpo", 42, "runs/grpo",
                new Model(null, "cpu", 0),
                LoraConfig.defaults(),
                new Data(null, null, null, "question", "r1", 0),
                RolloutConfig.defaults(),
                new ArrayList<>(),
                GrpoLossConfig.defaults(),
                OptimConfig.defaults(),
                new Train(100, 8, 8, 8, 1, 0, 0.6, "float32", 65536, 2000, 4, false,
                        new Dapo(false, 4, false), new Moe(0.0, false)),
                new Checkpoint(0, 2),
                new Export(true, "bf16", 5L << 30, "merged"),
                EvalDuringTraining.Config.defaults(),
                ClusterConfig.defaults(),
                new Distill(null, null, 4, 1, 1.0, 0, null, 0, 1));
    }

    public List<RewardSpec> rewardSpecs() {
        return rewards.stream().map(RewardSpec::fromMap).toList();
    }

    /** Completions per step (before dynamic-sampling refills). */
    public int batchSize() {
        return train.promptsPerStep() * train.groupSize();
    }
}
