package io.zerorl.recipe;

import io.zerorl.algo.Advantages;
import io.zerorl.algo.GrpoLossConfig;
import io.zerorl.algo.ScaleRewards;
import io.zerorl.data.DataDirs;
import io.zerorl.data.DatasetDescriptor;
import io.zerorl.data.DatasetRegistry;
import io.zerorl.data.PromptFile;
import io.zerorl.data.PromptTemplates;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.WeightedRewards;
import io.zerorl.util.Names;
import io.zerorl.util.ZerorlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks a recipe before any model is loaded (TRL {@code GRPOConfig.__post_init__} style): every error says
 * which key is wrong and what the valid values are. Also reads the dataset (JSONL rows are cheap) to check the
 * prompt field, builds the reward functions once to check their names and options, and checks the eval section's
 * benchmarks (names, and their files when evaluation is on).
 */
public final class RecipeValidator {
    public static final List<String> PRECISIONS = List.of("float32", "float16");
    public static final List<String> DEVICES = List.of("cpu", "gpu");
    public static final List<String> EXPORT_DTYPES = List.of("bf16", "fp32");
    /** The learning-rate decays of train.optim.LrSchedule's registry (a test keeps the two lists equal). */
    public static final List<String> SCHEDULES = List.of("constant", "cosine");

    private RecipeValidator() {}

    public static void validate(Recipe r) {
        Recipe.Train t = r.train();
        require(t.groupSize() >= 2, "train.group_size must be >= 2 (GRPO compares completions within a group), got "
                + t.groupSize() + "; typical: 8 or 16");
        require(t.steps() >= 1, "train.steps must be >= 1, got " + t.steps());
        require(t.promptsPerStep() >= 1, "train.prompts_per_step must be >= 1, got " + t.promptsPerStep());
        require(t.microBatchSize() >= 1, "train.micro_batch_size must be >= 1, got " + t.microBatchSize());
        require(t.numIterations() >= 1, "train.num_iterations (mu) must be >= 1, got " + t.numIterations());
        require(t.refSyncSteps() >= 0, "train.ref_sync_steps must be >= 0 (0 = never), got " + t.refSyncSteps());
        require(t.refSyncAlpha() > 0 && t.refSyncAlpha() <= 1, "train.ref_sync_alpha must be in (0, 1], got " + t.refSyncAlpha());
        choice("train.precision", t.precision(), PRECISIONS);
        require(t.samplesPerStep() >= 0, "train.samples_per_step must be >= 0");
        require(t.dapo().maxRefillRounds() >= 0, "train.dapo.max_refill_rounds must be >= 0");
        require(t.moe().routerAuxLossCoef() >= 0, "train.moe.router_aux_loss_coef must be >= 0 (0 = off), got "
                + t.moe().routerAuxLossCoef());

        Recipe.Algo a = r.algo();
        wrap("algo.advantage_estimator", () -> Advantages.get(a.advantageEstimator()));
        wrap("algo.scale_rewards", () -> ScaleRewards.parse(a.scaleRewards()));
        wrap("algo", () -> new GrpoLossConfig(a.epsilonLow(), a.epsilonHigh(), a.beta(), a.klEstimator(), a.lossType(),
                a.policyLoss()));

        Recipe.Optim o = r.optim();
        // the same rules as train.optim's AdamW.Config and LrSchedule, which check again when the trainer builds them
        // (recipe does not import train: train imports recipe)
        require(o.beta1() >= 0 && o.beta1() < 1, "optim.beta1 must be in [0, 1), got " + o.beta1());
        require(o.beta2() >= 0 && o.beta2() < 1, "optim.beta2 must be in [0, 1), got " + o.beta2());
        require(o.eps() > 0, "optim.eps must be > 0, got " + o.eps());
        require(o.weightDecay() >= 0, "optim.weight_decay must be >= 0, got " + o.weightDecay());
        require(o.lr() >= 0, "optim.lr must be >= 0, got " + o.lr());
        require(o.warmupSteps() >= 0, "optim.warmup_steps must be >= 0, got " + o.warmupSteps());
        require(o.minLrRatio() >= 0 && o.minLrRatio() <= 1, "optim.min_lr_ratio must be in [0, 1], got " + o.minLrRatio());
        choice("optim.schedule", o.schedule(), SCHEDULES);
        require(o.maxGradNorm() >= 0, "optim.max_grad_norm must be >= 0 (0 = no clipping), got " + o.maxGradNorm());

        Recipe.Rollout ro = r.rollout();
        require(ro.temperature() > 0, "rollout.temperature must be > 0, got " + ro.temperature());
        require(ro.maxNewTokens() >= 1, "rollout.max_new_tokens must be >= 1, got " + ro.maxNewTokens());
        require(ro.topP() > 0 && ro.topP() <= 1, "rollout.top_p must be in (0, 1], got " + ro.topP());
        require(ro.topK() >= 0, "rollout.top_k must be >= 0 (0 = off)");
        require(ro.minP() >= 0 && ro.minP() < 1, "rollout.min_p must be in [0, 1)");

        require(r.checkpoint().every() >= 0, "checkpoint.every must be >= 0 (0 = never)");
        require(r.checkpoint().keep() >= 1, "checkpoint.keep must be >= 1, got " + r.checkpoint().keep());
        choice("export.dtype", r.export().dtype(), EXPORT_DTYPES);
        require(r.outputDir() != null && !r.outputDir().isBlank(), "output_dir must be set");

        Recipe.Model m = r.model();
        choice("model.device", m.device(), DEVICES);
        require(m.path() != null, "model.path must name a Hugging Face model directory (config.json + safetensors)");
        require(Files.isRegularFile(Path.of(m.path()).resolve("config.json")),
                "model.path " + Path.of(m.path()).toAbsolutePath() + " has no config.json");

        require(r.rewards() != null && !r.rewards().isEmpty(), "rewards must list at least one reward, e.g."
                + " [{name: math_accuracy, weight: 1.0}]; valid names: " + String.join(", ", RewardRegistry.standard().names()));
        wrap("rewards", () -> WeightedRewards.of(r.rewardSpecs(), RewardRegistry.standard()));

        Recipe.Data d = r.data();
        wrap("data.template", () -> {
            if (!PromptTemplates.names().contains(d.template())) {
                throw new ZerorlException("unknown prompt template '" + d.template() + "'; valid: " + PromptTemplates.names());
            }
            return null;
        });
        if (d.dataset() != null) {
            wrap("data.dataset", () -> DataDirs.resolve(d.dataDir() == null ? null : Path.of(d.dataDir()))
                    .locate(DatasetRegistry.builtin().get(d.dataset())));
        } else {
            require(d.path() != null, "data.path (a JSONL file) or data.dataset (one of "
                    + String.join(", ", DatasetRegistry.BUILTIN) + ") must be set");
            wrap("data", () -> PromptFile.read(Path.of(d.path()), d.promptField(), d.maxRows()));
        }
        validateEval(r);
    }

    /**
     * The eval section: values always (a typo fails even while eval is off), benchmark names always, and with
     * {@code eval.every} &gt; 0 that the benchmark files are there (so a run fails now, not at its first evaluation).
     */
    private static void validateEval(Recipe r) {
        Recipe.Eval e = r.eval();
        require(e.every() >= 0, "eval.every must be >= 0 (evaluate every N steps; 0 = off), got " + e.every());
        require(e.limit() >= 1, "eval.limit must be >= 1 (problems per benchmark at each evaluation; evaluation runs"
                + " inside training, so keep it small, e.g. 64), got " + e.limit());
        require(e.n() >= 1, "eval.n (samples per problem) must be >= 1, got " + e.n());
        require(e.ks() != null && !e.ks().isEmpty(), "eval.ks must list the k of pass@k, e.g. [1]");
        for (Integer k : e.ks()) {
            require(k != null && k >= 1 && k <= e.n(), "eval.ks: every k must be in 1..eval.n (pass@k and maj@k need"
                    + " k samples per problem), got k = " + k + " with n = " + e.n() + "; raise eval.n or drop that k");
        }
        require(e.temperature() >= 0 && Double.isFinite(e.temperature()),
                "eval.temperature must be >= 0 (0 = greedy), got " + e.temperature());
        require(e.topP() > 0 && e.topP() <= 1, "eval.top_p must be in (0, 1], got " + e.topP());
        require(e.maxNewTokens() == null || e.maxNewTokens() >= 1,
                "eval.max_new_tokens must be >= 1 (or unset for rollout.max_new_tokens), got " + e.maxNewTokens());
        require(e.batchSize() >= 1, "eval.batch_size must be >= 1, got " + e.batchSize());
        require(e.template() == null || PromptTemplates.names().contains(e.template()), "eval.template must be one of "
                + String.join(", ", PromptTemplates.names()) + " (or unset for data.template), got '" + e.template() + "'");
        require(e.benchmarks() != null, "eval.benchmarks must be a list of benchmark names, e.g. [gsm8k]");
        DatasetRegistry registry = DatasetRegistry.builtin();
        List<String> known = registry.all().stream().map(DatasetDescriptor::name).toList();
        DataDirs dirs = DataDirs.resolve(r.data().dataDir() == null ? null : Path.of(r.data().dataDir()));
        for (String name : e.benchmarks()) {
            require(name != null && !name.isBlank(), "eval.benchmarks holds an empty name");
            if (!DatasetRegistry.isDescriptorFile(name) && !known.contains(name)) {
                throw new ZerorlException("eval.benchmarks: unknown benchmark '" + name + "'; did you mean '"
                        + Names.nearest(name, known) + "'? Valid: " + String.join(", ", known)
                        + ", or a descriptor file path/to/name.yaml");
            }
            DatasetDescriptor d = wrapped("eval.benchmarks", () -> registry.resolve(name));
            if (e.every() > 0) {
                wrap("eval.benchmarks", () -> dirs.locate(d));
            }
        }
        require(e.every() == 0 || !e.benchmarks().isEmpty(), "eval.benchmarks must name at least one benchmark when"
                + " eval.every > 0, e.g. [gsm8k]; valid: " + String.join(", ", known));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ZerorlException(message);
        }
    }

    private static void choice(String key, String value, List<String> valid) {
        require(valid.contains(value), key + " must be one of " + String.join(", ", valid) + ", got '" + value + "'");
    }

    private static void wrap(String key, java.util.function.Supplier<?> check) {
        wrapped(key, check);
    }

    private static <T> T wrapped(String key, java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (ZerorlException e) {
            throw new ZerorlException(key + ": " + e.getMessage(), e);
        }
    }
}
