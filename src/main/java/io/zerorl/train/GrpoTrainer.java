package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.checkpoint.DType;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.checkpoint.SafetensorsWriter;
import io.zerorl.checkpoint.WriteOptions;
import io.zerorl.cluster.ModelSpec;
import io.zerorl.cluster.ScaleOut;
import io.zerorl.cluster.WeightsManifest;
import io.zerorl.model.Architectures;
import io.zerorl.model.Devices;
import io.zerorl.model.LoraAdapters;
import io.zerorl.model.LoraConfig;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.optim.LrSchedule;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.recipe.RecipeValidator;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.WeightedRewards;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.run.MetricNames;
import io.zerorl.run.RunLayout;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Files2;
import io.zerorl.util.Seeds;
import io.zerorl.util.ZerorlException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GRPO loop (Shao et al. 2024; TRL {@code GRPOTrainer}; DAPO, Yu et al. 2025), wired from its parts along the
 * data flow of a step:
 * <pre>
 *   GroupSampler   prompts -> G completions each (RolloutEngine) -> rewards -> advantages (dynamic-sampling refill)
 *   PolicyUpdate   mu passes of micro-batched loss + backward -> clip -> AdamW (loss scaling in fp16)
 *   StepMetrics    the step's metrics -> metrics.jsonl; logged completions -> samples.jsonl
 *   then           reference sync, evaluation hook, checkpoint (RunCheckpoints), and at the end the export (RunExport)
 * </pre>
 * The learning rate follows a warmup + constant/cosine schedule; the reference model exists only when beta &gt; 0.
 * Where files go is {@link RunLayout}.
 *
 * <p>Determinism: data order is a function of (seed, epoch), sampling of (seed, step, refill round), so
 * {@code resume} from a checkpoint reproduces an uninterrupted run.
 */
public final class GrpoTrainer implements AutoCloseable {
    /** Called after every step (tests use it to interrupt a run; notebooks to plot). */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(int step, Map<String, Object> metrics);
    }

    /**
     * Evaluates the policy after a step and returns metrics to log with it (for example
     * {@code eval/<benchmark>/pass@1}); the trainer does not know how evaluation works (package rule: train
     * does not import eval), the caller wires it, e.g. with {@code eval.EvalDuringTraining}.
     *
     * <p>A run that starts from step 0 (not a resumed one) also calls it once with {@code step == 0} before the first
     * step: a non-empty result is a baseline, written to metrics.jsonl as a line of its own ({@code step: 0} and
     * these metrics; not in {@link TrainResult#history()}, and not passed to the {@link StepListener}). Return an
     * empty map for no baseline.
     */
    @FunctionalInterface
    public interface EvalHook {
        Map<String, Double> afterStep(int step, Policy policy);
    }

    private final Recipe recipe;
    private final RunLayout run;
    private final Path modelDir;
    private final Tokenizer tokenizer;
    private final Policy policy;
    private final Policy ref;
    private final WeightedRewards rewards;
    private final GroupSampler sampler;
    private final PolicyUpdate update;
    private final StepMetrics metrics;
    private final LrSchedule schedule;
    private final RunCheckpoints checkpoints;
    private final ScaleOut cluster;
    private EvalHook evalHook;
    private int step;
    private Path lastCheckpoint;
    private Map<String, Object> lastMetrics = Map.of();

    /** Validates, then loads everything; with {@code resume} continues from the newest checkpoint of the run. */
    public GrpoTrainer(Recipe recipe, boolean resume) {
        RecipeValidator.validate(recipe);
        this.recipe = recipe;
        this.run = RunLayout.of(Path.of(recipe.outputDir()).toAbsolutePath().normalize());
        this.modelDir = Path.of(recipe.model().path()).toAbsolutePath().normalize();
        this.checkpoints = new RunCheckpoints(run.checkpoints(), recipe.checkpoint().keep());
        Path resumeFrom = resume ? latestCheckpoint() : null;
        Device device = Devices.parse(recipe.model().device());
        DataType dtype = Devices.dtype(recipe.train().precision());
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            this.tokenizer = opened(opened, Tokenizer.load(modelDir));
            this.rewards = opened(opened, WeightedRewards.of(recipe.rewardSpecs(), RewardRegistry.standard()));
            PromptSource source = PromptSource.load(recipe.data(), tokenizer, recipe.seed());
            checkMemory(source, device);
            boolean lora = recipe.lora().enabled();
            this.policy = opened(opened, Policy.load(resumeFrom != null && !lora ? resumeFrom : modelDir, device, dtype));
            if (lora) {
                policy.attach(adapters(resumeFrom));
            }
            // with LoRA the KL reference is the base itself, the adapters switched off: no second copy
            this.ref = recipe.algo().beta() > 0 && !lora ? opened(opened, loadReference(resumeFrom, device, dtype)) : null;
            this.update = opened(opened, new PolicyUpdate(policy, ref, recipe.algo().beta() > 0 && lora,
                    lora ? policy.adapters().parameters() : policy.trainableParameters(recipe.train().moe().freezeRouter()),
                    lora ? name -> true : name -> policy.role(name).decayed(), recipe, device, dtype));
            this.schedule = recipe.optim().schedule(recipe.train().steps());
            this.sampler = new GroupSampler(new RolloutEngine(policy, ids -> tokenizer.decode(ids, true),
                    tokenizer.eosTokenIds()), tokenizer, rewards, source, recipe);
            this.metrics = new StepMetrics(run, rewards.functions().stream().map(w -> w.function().name()).toList(),
                    recipe.train().samplesPerStep());
            startRunDirectory(resumeFrom);
            this.cluster = recipe.cluster().enabled() ? opened(opened, startCluster()) : null;
        } catch (RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /**
     * Starts the executors (each loads the model from model.path, which every node must be able to read) and hands them
     * the weights to sample with: the base model, or the adapter, or a resumed run's weights.
     */
    private ScaleOut startCluster() {
        ModelSpec spec = new ModelSpec(modelDir.toString(), recipe.model().device(), recipe.train().precision(), null);
        int threads = Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "1"));
        ScaleOut c = ScaleOut.open(recipe.cluster(), spec, "zerorl " + recipe.name(), threads);
        try {
            sampler.useCluster(c);
            if (policy.adapters() != null || step > 0) {
                publishWeights(c);
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Gives the executors the current weights as version {@code step}: a LoRA adapter travels with the tasks (PEFT's two
     * files); full weights are written to cluster.weights_dir (default output_dir/cluster-weights/v&lt;step&gt;, float32,
     * the last two versions kept), which every node must be able to read.
     */
    private void publishWeights(ScaleOut c) {
        try {
            if (policy.adapters() != null) {
                Path tmp = Files.createTempDirectory("zerorl-adapter-");
                try {
                    PeftAdapter.write(tmp, policy.adapters(), policy.config(), modelDir.toString());
                    Map<String, byte[]> files = new LinkedHashMap<>();
                    files.put(PeftAdapter.CONFIG, Files.readAllBytes(tmp.resolve(PeftAdapter.CONFIG)));
                    files.put(PeftAdapter.WEIGHTS, Files.readAllBytes(tmp.resolve(PeftAdapter.WEIGHTS)));
                    c.publish(new WeightsManifest(step, WeightsManifest.ADAPTER, null), files);
                } finally {
                    HfExport.deleteTree(tmp);
                }
                return;
            }
            Path root = recipe.cluster().weightsDir() != null ? Path.of(recipe.cluster().weightsDir()).toAbsolutePath()
                    : run.dir().resolve("cluster-weights");
            Path dir = root.resolve("v" + step);
            Path tmp = root.resolve(".tmp-v" + step);
            Files.createDirectories(root);
            HfExport.deleteTree(tmp);
            Files.createDirectories(tmp);
            SafetensorsWriter.write(tmp, "model", RunCheckpoints.entries(policy), WriteOptions.defaults());
            HfExport.deleteTree(dir);
            Files2.moveAtomically(tmp, dir);
            c.publish(new WeightsManifest(step, WeightsManifest.FULL, dir.toString()), Map.of());
            try (var old = Files.list(root)) {
                for (Path p : old.filter(p -> p.getFileName().toString().matches("v\\d+")).toList()) {
                    long v = Long.parseLong(p.getFileName().toString().substring(1));
                    if (v < step - 1) {
                        HfExport.deleteTree(p); // tasks of this step read the newest; keep one before it
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot publish weights version " + step + " to the cluster", e);
        }
    }

    /** The cluster rollouts run on, or null when they run in this process. */
    public ScaleOut cluster() {
        return cluster;
    }

    /** Refuses, before any weight is read, a run whose memory plan does not fit the device. */
    private void checkMemory(PromptSource source, Device device) {
        ModelConfig config = Architectures.parse(HfConfig.read(modelDir));
        int prompt = source.longestPrompt(tokenizer::encode);
        // model.memory_gb caps the budget (a share of a bigger device); it never claims more than the device has
        long memory = Devices.memoryBytes(device);
        if (recipe.model().memoryGb() > 0) {
            memory = Math.min(memory, (long) (recipe.model().memoryGb() * 1e9));
        }
        MemoryPlan plan = MemoryPlan.of(recipe, config, prompt, memory, device.toString());
        if (!plan.fits()) {
            List<String> fixes = MemoryPlan.advice(recipe, config, prompt, memory, device.isGpu());
            throw new ZerorlException("this recipe needs about " + MemoryPlan.gb(plan.totalBytes()) + " on " + device
                    + ", which allows " + MemoryPlan.gb(memory) + " (the device's memory, or model.memory_gb if smaller):\n"
                    + plan.table() + (fixes.isEmpty()
                    ? "no setting tried makes it fit (LoRA, activation checkpointing, smaller micro-batches, fewer"
                    + " prompts per step): use a larger device or a smaller model"
                    : "settings that fit:\n  " + String.join("\n  ", fixes)));
        }
    }

    private Path latestCheckpoint() {
        Path latest = checkpoints.latest();
        if (latest == null) {
            throw new ZerorlException("--resume: no checkpoint under " + run.checkpoints()
                    + " (set checkpoint.every to write them)");
        }
        return latest;
    }

    /**
     * The LoRA adapters to train: the checkpoint's when resuming, else {@code lora.init_from}'s, else fresh ones
     * (seeded by the recipe's seed, so the base model's output is unchanged at step 0).
     */
    private LoraAdapters adapters(Path resumeFrom) {
        LoraConfig cfg = recipe.lora();
        if (resumeFrom != null) {
            if (!PeftAdapter.isAdapter(resumeFrom)) {
                throw new ZerorlException("--resume: checkpoint " + resumeFrom + " holds all weights, not a LoRA adapter,"
                        + " but the recipe sets lora.r: " + cfg.r() + "; resume with the recipe the run started with");
            }
            return PeftAdapter.read(resumeFrom, policy);
        }
        if (cfg.initFrom() == null) {
            return LoraAdapters.init(policy, cfg, Seeds.mix(recipe.seed(), 0x10AL));
        }
        LoraAdapters start = PeftAdapter.read(Path.of(cfg.initFrom()), policy);
        LoraConfig got = start.config();
        if (got.r() != cfg.r() || got.scaling() != cfg.scaling()) {
            start.close();
            throw new ZerorlException("lora.init_from " + cfg.initFrom() + " has r " + got.r() + " and scaling "
                    + got.scaling() + ", the recipe r " + cfg.r() + " and scaling " + cfg.scaling()
                    + "; set lora.r and lora.alpha to the adapter's");
        }
        return start;
    }

    /** The base model, or the synced reference saved with the checkpoint a run resumes from. */
    private Policy loadReference(Path resumeFrom, Device device, DataType dtype) {
        if (resumeFrom != null && Files.exists(resumeFrom.resolve(RunCheckpoints.REF_FILE))) {
            return RunCheckpoints.loadRef(resumeFrom, policy.config(), device, dtype);
        }
        return Policy.load(modelDir, device, dtype);
    }

    /** Restores step, data cursor and optimizer state when resuming; starts or cuts back the logs; writes recipe.yaml. */
    private void startRunDirectory(Path resumeFrom) {
        if (resumeFrom != null) {
            RunCheckpoints.State st = RunCheckpoints.loadState(resumeFrom, update.optimizer(), update.scaler());
            step = st.step();
            sampler.seek(st.cursor());
            lastCheckpoint = resumeFrom;
        }
        metrics.start(resumeFrom != null, step);
        Files2.writeAtomically(run.recipe(), RecipeLoader.toYaml(recipe).getBytes(StandardCharsets.UTF_8));
    }

    private static <T extends AutoCloseable> T opened(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> opened, RuntimeException cause) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Trains from scratch (the CLI's {@code zerorl train}). */
    public static TrainResult run(Recipe recipe) {
        return run(recipe, false, null);
    }

    /** Trains, resuming from the newest checkpoint when asked; {@code listener} may be null. */
    public static TrainResult run(Recipe recipe, boolean resume, StepListener listener) {
        try (GrpoTrainer t = new GrpoTrainer(recipe, resume)) {
            return t.train(listener);
        }
    }

    public Policy policy() {
        return policy;
    }

    /** The policy's tokenizer (for an eval hook that generates with the policy); closed with the trainer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Whether the loss has a KL reference (beta > 0): a second model, or with LoRA the base with adapters off. */
    public boolean hasReference() {
        return ref != null || recipe.algo().beta() > 0;
    }

    public int step() {
        return step;
    }

    /** Evaluation after steps; its metrics are merged into the step's metrics before they are written. */
    public GrpoTrainer withEvalHook(EvalHook hook) {
        this.evalHook = hook;
        return this;
    }

    /** Runs the remaining steps, checkpoints, and exports at the end when the recipe asks. */
    public TrainResult train(StepListener listener) {
        List<Map<String, Object>> history = new ArrayList<>();
        int every = recipe.checkpoint().every();
        if (evalHook != null && step == 0) {
            writeBaseline(evalHook.afterStep(0, policy));
        }
        while (step < recipe.train().steps()) {
            Map<String, Object> m = runStep();
            if (evalHook != null) {
                m.putAll(evalHook.afterStep(step, policy));
            }
            history.add(m);
            lastMetrics = m;
            metrics.write(m);
            if (every > 0 && (step % every == 0 || step == recipe.train().steps())) {
                lastCheckpoint = saveCheckpoint();
            }
            if (listener != null) {
                listener.afterStep(step, m);
            }
        }
        Path export = null;
        if (recipe.export().atEnd()) {
            export = export(run.export(), HfExport.dtype(recipe.export().dtype()),
                    history.isEmpty() ? Map.of() : history.get(history.size() - 1));
        }
        return new TrainResult(run.dir(), step, history, lastCheckpoint, export, ref != null);
    }

    /** An evaluation before the first step, as a metrics line of its own (step 0); nothing when it is empty. */
    private void writeBaseline(Map<String, Double> baseline) {
        if (!baseline.isEmpty()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(MetricNames.STEP, 0);
            m.putAll(baseline);
            metrics.write(m);
        }
    }

    /** One full GRPO step; returns its metrics (written by {@link #train}, not here). */
    public Map<String, Object> runStep() {
        step++;
        double lr = schedule.lr(step - 1);
        GroupSampler.Sampled sampled = sampler.sample(step);
        long t0 = System.nanoTime();
        PolicyUpdate.Result updated = update.run(sampled.batch(), sampled.advantages(), lr,
                Seeds.mix(recipe.seed(), step));
        long trainNanos = System.nanoTime() - t0;
        Recipe.Train tr = recipe.train();
        if (ref != null && tr.refSyncSteps() > 0 && step % tr.refSyncSteps() == 0) {
            update.syncReference(tr.refSyncAlpha());
        }
        Map<String, Object> m = metrics.of(step, sampled, updated, lr, trainNanos, sampler.cursor(),
                sampler.datasetSize(), tr.numIterations(), update.scaler() == null ? null : update.scaler().scale());
        metrics.writeSamples(step, sampled.kept());
        if (cluster != null) {
            long p0 = System.nanoTime();
            publishWeights(cluster);
            m.put(MetricNames.WEIGHT_SYNC_S, (System.nanoTime() - p0) / 1e9);
        }
        return m;
    }

    private Path saveCheckpoint() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", step);
        state.put("cursor", sampler.cursor());
        state.put("seed", recipe.seed());
        state.put("optimizer_steps", update.optimizer().stepCount());
        state.put("learning_rate", schedule.lr(step));
        state.put("base_model", modelDir.toString());
        state.put("recipe", recipe.name());
        state.put("metrics", lastMetrics);
        if (update.scaler() != null) {
            state.put("loss_scale", update.scaler().state().scale());
            state.put("loss_scale_good_steps", update.scaler().state().goodSteps());
        }
        return checkpoints.save(step, policy, ref != null && recipe.train().refSyncSteps() > 0 ? ref : null,
                update.optimizer(), state, modelDir);
    }

    /** Writes the current policy as a Hugging Face checkpoint with a model card. */
    public Path export(Path out, DType type, Map<String, Object> finalMetrics) {
        return RunExport.write(out, policy, recipe, modelDir, type, step, finalMetrics);
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
        update.close();
        policy.close();
        if (ref != null) {
            ref.close();
        }
        rewards.close();
        tokenizer.close();
    }
}
