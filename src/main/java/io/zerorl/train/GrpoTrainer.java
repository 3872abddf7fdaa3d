package io.zerorl.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.algo.AdvantageEstimator;
import io.zerorl.algo.Advantages;
import io.zerorl.algo.GrpoLoss;
import io.zerorl.algo.GrpoLossConfig;
import io.zerorl.algo.LossInputs;
import io.zerorl.algo.LossNormalizer;
import io.zerorl.algo.LossResult;
import io.zerorl.algo.ScaleRewards;
import io.zerorl.checkpoint.DType;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.checkpoint.TensorEntry;
import io.zerorl.model.NoGrad;
import io.zerorl.model.Policy;
import io.zerorl.model.RoutingStats;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.recipe.RecipeValidator;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.reward.WeightedRewards;
import io.zerorl.rollout.Completion;
import io.zerorl.rollout.RolloutEngine;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.tensor.Scalars;
import io.zerorl.tokenizer.ChatMessage;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.train.optim.AdamW;
import io.zerorl.train.optim.DynamicLossScaler;
import io.zerorl.train.optim.Grads;
import io.zerorl.train.optim.LrSchedule;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GRPO loop (Shao et al. 2024; TRL {@code GRPOTrainer}; DAPO, Yu et al. 2025). Per step: P prompts, G
 * completions each from the {@link RolloutEngine}, weighted rewards, group-relative advantages, then
 * {@code num_iterations} (mu) optimizer steps over the same rollouts, each accumulating gradients over
 * micro-batches normalised with one {@link LossNormalizer} for the whole batch; AdamW with global-norm clipping
 * and a warmup + constant/cosine schedule. The reference model exists only when beta &gt; 0.
 *
 * <p>Memory: parameters and optimizer state are long-lived; every step's arrays live in a per-step manager
 * closed at the end of the step (DJL-NOTES hazard 6). Determinism: data order is a function of (seed, epoch),
 * sampling of (seed, step, refill round), so {@code resume} from a checkpoint reproduces an uninterrupted run.
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

    private static final NDIndex ALL = new NDIndex("...");
    private EvalHook evalHook;

    private final Recipe recipe;
    private final Path runDir;
    private final Path modelDir;
    private final Device device;
    private final DataType dtype;
    private final Tokenizer tokenizer;
    private final Policy policy;
    private final Policy ref;
    private final Map<String, NDArray> trainable;
    private final RolloutEngine engine;
    private final WeightedRewards rewards;
    private final PromptSource source;
    private final AdamW optimizer;
    private final DynamicLossScaler scaler;
    private final LrSchedule schedule;
    private final GrpoLoss loss;
    private final AdvantageEstimator estimator;
    private final ScaleRewards scale;
    private final RunCheckpoints checkpoints;
    private int step;
    private long cursor;
    private Path lastCheckpoint;
    private Map<String, Object> lastMetrics = Map.of();

    /** Validates, then loads everything; with {@code resume} continues from the newest checkpoint of the run. */
    public GrpoTrainer(Recipe recipe, boolean resume) {
        RecipeValidator.validate(recipe);
        this.recipe = recipe;
        this.runDir = Path.of(recipe.outputDir()).toAbsolutePath().normalize();
        this.modelDir = Path.of(recipe.model().path()).toAbsolutePath().normalize();
        this.device = recipe.model().device().equals("gpu") ? Device.gpu() : Device.cpu();
        this.dtype = recipe.train().precision().equals("float16") ? DataType.FLOAT16 : DataType.FLOAT32;
        this.checkpoints = new RunCheckpoints(runDir.resolve("checkpoints"), recipe.checkpoint().keep());
        Path resumeFrom = null;
        if (resume) {
            resumeFrom = checkpoints.latest();
            if (resumeFrom == null) {
                throw new ZerorlException("--resume: no checkpoint under " + runDir.resolve("checkpoints")
                        + " (set checkpoint.every to write them)");
            }
        }
        this.tokenizer = Tokenizer.load(modelDir);
        this.rewards = WeightedRewards.of(recipe.rewardSpecs(), RewardRegistry.standard());
        this.source = PromptSource.load(recipe.data(), tokenizer.hasChatTemplate()
                ? (sys, user) -> chat(tokenizer, sys, user) : null, recipe.seed());
        this.policy = Policy.load(resumeFrom != null ? resumeFrom : modelDir, device, dtype);
        boolean ok = false;
        Policy refModel = null;
        try {
            Recipe.Algo a = recipe.algo();
            this.loss = new GrpoLoss(new GrpoLossConfig(a.epsilonLow(), a.epsilonHigh(), a.beta(), a.klEstimator(),
                    a.lossType(), a.policyLoss()));
            this.estimator = Advantages.get(a.advantageEstimator());
            this.scale = ScaleRewards.parse(a.scaleRewards());
            if (a.beta() > 0) {
                Path refDir = resumeFrom != null && Files.exists(resumeFrom.resolve(RunCheckpoints.REF_FILE))
                        ? resumeFrom : modelDir;
                refModel = refDir == modelDir ? Policy.load(modelDir, device, dtype)
                        : RunCheckpoints.loadRef(refDir, policy.config(), device, dtype);
            }
            this.ref = refModel;
            this.trainable = new LinkedHashMap<>();
            policy.parameters().forEach((name, p) -> {
                boolean router = name.endsWith("mlp.gate.weight") && policy.config().numExperts > 0;
                boolean buffer = name.endsWith("e_score_correction_bias");
                if (!buffer && !(router && recipe.train().moe().freezeRouter())) {
                    p.setRequiresGradient(true);
                    trainable.put(name, p);
                }
            });
            Recipe.Optim o = recipe.optim();
            this.optimizer = new AdamW(trainable, new AdamW.Config(o.beta1(), o.beta2(), o.eps(), o.weightDecay()),
                    name -> !name.endsWith("norm.weight") && !name.endsWith(".bias"));
            this.schedule = new LrSchedule(o.lr(), o.warmupSteps(), recipe.train().steps(), o.schedule(), o.minLrRatio());
            this.scaler = dtype == DataType.FLOAT16 ? new DynamicLossScaler(recipe.train().lossScaleInit(), 2, 0.5,
                    recipe.train().lossScaleGrowthInterval()) : null;
            this.engine = new RolloutEngine(policy, ids -> tokenizer.decode(ids, true), tokenizer.eosTokenIds());
            Files.createDirectories(runDir);
            if (resumeFrom != null) {
                RunCheckpoints.State st = RunCheckpoints.loadState(resumeFrom, optimizer, scaler);
                step = st.step();
                cursor = st.cursor();
                lastCheckpoint = resumeFrom;
                truncateJsonl(runDir.resolve("metrics.jsonl"), step);
                truncateJsonl(runDir.resolve("samples.jsonl"), step);
            } else {
                Files.deleteIfExists(runDir.resolve("metrics.jsonl"));
                Files.deleteIfExists(runDir.resolve("samples.jsonl"));
            }
            Files.writeString(runDir.resolve("recipe.yaml"), RecipeLoader.toYaml(recipe));
            ok = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!ok) {
                policy.close();
                if (refModel != null) {
                    refModel.close();
                }
                tokenizer.close();
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

    private static String chat(Tokenizer tok, String system, String user) {
        List<ChatMessage> msgs = new ArrayList<>();
        if (system != null) {
            msgs.add(ChatMessage.system(system));
        }
        msgs.add(ChatMessage.user(user));
        return tok.applyChatTemplate(msgs, true);
    }

    public Policy policy() {
        return policy;
    }

    /** The policy's tokenizer (for an eval hook that generates with the policy); closed with the trainer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Whether a reference model was built (beta > 0). */
    public boolean hasReference() {
        return ref != null;
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
            Map<String, Double> baseline = evalHook.afterStep(0, policy);
            if (!baseline.isEmpty()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", 0);
                m.putAll(baseline);
                appendJsonl(runDir.resolve("metrics.jsonl"), m);
            }
        }
        while (step < recipe.train().steps()) {
            Map<String, Object> m = runStep();
            if (evalHook != null) {
                m.putAll(evalHook.afterStep(step, policy));
            }
            history.add(m);
            lastMetrics = m;
            appendJsonl(runDir.resolve("metrics.jsonl"), m);
            if (every > 0 && (step % every == 0 || step == recipe.train().steps())) {
                lastCheckpoint = saveCheckpoint();
            }
            if (listener != null) {
                listener.afterStep(step, m);
            }
        }
        Path export = null;
        if (recipe.export().atEnd()) {
            export = export(runDir.resolve("export"), recipe.export().dtype().equals("fp32") ? DType.F32 : DType.BF16,
                    history.isEmpty() ? Map.of() : history.get(history.size() - 1));
        }
        return new TrainResult(runDir, step, history, lastCheckpoint, export, ref != null);
    }

    /** One group: its prompt, G completions and their scores. */
    private record Group(PromptSource.Item item, int[] promptIds, List<Completion> completions, double[] rewards,
                         Map<String, List<Score>> perFunction) {
        boolean zeroStd() {
            for (double r : rewards) {
                if (r != rewards[0]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One full GRPO step; returns its metrics. */
    public Map<String, Object> runStep() {
        step++;
        Recipe.Train tr = recipe.train();
        int g = tr.groupSize();
        double lr = schedule.lr(step - 1);
        long genNanos = 0;
        long scoreNanos = 0;
        long genTokens = 0;
        List<Group> all = new ArrayList<>();
        List<Group> kept = new ArrayList<>();
        int rounds = 0;
        boolean dynamic = tr.dapo().dynamicSampling();
        while (kept.size() < tr.promptsPerStep()) {
            int need = dynamic ? tr.promptsPerStep() - kept.size() : tr.promptsPerStep();
            List<PromptSource.Item> items = new ArrayList<>();
            List<int[]> ids = new ArrayList<>();
            for (int i = 0; i < need; i++) {
                PromptSource.Item it = source.get(cursor++);
                items.add(it);
                ids.add(tokenizer.encode(it.prompt()));
            }
            long t0 = System.nanoTime();
            List<Completion> comps = engine.generate(ids, sampling(PromptSource.mix(recipe.seed(), step * 1024L + rounds)));
            long t1 = System.nanoTime();
            genNanos += t1 - t0;
            List<RewardInput> inputs = new ArrayList<>();
            for (Completion c : comps) {
                genTokens += c.length();
                PromptSource.Item it = items.get(c.promptIndex());
                inputs.add(new RewardInput(it.prompt(), c.text(), it.fields(), c.length()));
            }
            WeightedRewards.Result scored = rewards.score(inputs);
            scoreNanos += System.nanoTime() - t1;
            for (int p = 0; p < need; p++) {
                double[] r = new double[g];
                System.arraycopy(scored.total(), p * g, r, 0, g);
                Map<String, List<Score>> per = new LinkedHashMap<>();
                for (var e : scored.perFunction().entrySet()) {
                    per.put(e.getKey(), e.getValue().subList(p * g, (p + 1) * g));
                }
                Group grp = new Group(items.get(p), ids.get(p), comps.subList(p * g, (p + 1) * g), r, per);
                all.add(grp);
                if (!dynamic || !grp.zeroStd()) {
                    kept.add(grp);
                }
            }
            rounds++;
            if (!dynamic) {
                break;
            }
            if (rounds > tr.dapo().maxRefillRounds()) {
                // DAPO keeps sampling until the batch is full; we cap the rounds and fill with what is left
                for (Group grp : all) {
                    if (kept.size() < tr.promptsPerStep() && grp.zeroStd() && !kept.contains(grp)) {
                        kept.add(grp);
                    }
                }
                break;
            }
        }
        if (kept.size() > tr.promptsPerStep()) {
            kept = new ArrayList<>(kept.subList(0, tr.promptsPerStep()));
        }

        float[] rw = new float[kept.size() * g];
        List<int[]> prompts = new ArrayList<>();
        List<int[]> completions = new ArrayList<>();
        boolean[] keep = new boolean[rw.length];
        int truncated = 0;
        int maxLen = 0;
        long lenSum = 0;
        for (int p = 0; p < kept.size(); p++) {
            Group grp = kept.get(p);
            for (int j = 0; j < g; j++) {
                Completion c = grp.completions().get(j);
                rw[p * g + j] = (float) grp.rewards()[j];
                prompts.add(grp.promptIds());
                completions.add(c.tokenIds());
                keep[p * g + j] = !(tr.dapo().maskTruncatedCompletions() && c.truncated());
                truncated += c.truncated() ? 1 : 0;
                maxLen = Math.max(maxLen, c.length());
                lenSum += c.length();
            }
        }
        float[] adv = estimator.compute(rw, g, scale);
        SequenceBatch batch = new SequenceBatch(prompts, completions, keep);

        long t2 = System.nanoTime();
        Map<String, Double> lossMetrics = trainOn(batch, adv, lr);
        long trainNanos = System.nanoTime() - t2;

        if (ref != null && tr.refSyncSteps() > 0 && step % tr.refSyncSteps() == 0) {
            syncReference(tr.refSyncAlpha());
        }

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        double[] allRewards = all.stream().flatMapToDouble(x -> java.util.Arrays.stream(x.rewards())).toArray();
        m.put("reward", mean(allRewards));
        m.put("reward_std", std(allRewards));
        for (String fn : rewards.functions().stream().map(w -> w.function().name()).toList()) {
            List<Double> v = new ArrayList<>();
            for (Group grp : all) {
                for (Score s : grp.perFunction().get(fn)) {
                    if (s.applicable()) {
                        v.add(s.value());
                    }
                }
            }
            double[] arr = v.stream().mapToDouble(Double::doubleValue).toArray();
            m.put("rewards/" + fn + "/mean", arr.length == 0 ? null : mean(arr));
            m.put("rewards/" + fn + "/std", arr.length == 0 ? null : std(arr));
        }
        double[] a = new double[adv.length];
        for (int i = 0; i < adv.length; i++) {
            a[i] = adv[i];
        }
        m.put("advantages/mean", mean(a));
        m.put("advantages/std", std(a));
        m.put("advantages/min", java.util.Arrays.stream(a).min().orElse(0));
        m.put("advantages/max", java.util.Arrays.stream(a).max().orElse(0));
        m.put("kl", lossMetrics.get("kl"));
        m.put("entropy", lossMetrics.get("entropy"));
        m.put("clip_ratio/low_mean", lossMetrics.get("clip_ratio/low_mean"));
        m.put("clip_ratio/high_mean", lossMetrics.get("clip_ratio/high_mean"));
        m.put("clip_ratio/region_mean", lossMetrics.get("clip_ratio/region_mean"));
        m.put("completions/mean_length", (double) lenSum / Math.max(1, rw.length));
        m.put("completions/max_length", maxLen);
        m.put("completions/clipped_ratio", (double) truncated / Math.max(1, rw.length));
        long zero = all.stream().filter(Group::zeroStd).count();
        m.put("frac_reward_zero_std", (double) zero / all.size());
        m.put("learning_rate", lr);
        m.put("grad_norm", lossMetrics.get("grad_norm"));
        m.put("loss", lossMetrics.get("loss"));
        m.put("tokens_per_s/rollout", genTokens / Math.max(1e-9, genNanos / 1e9));
        m.put("tokens_per_s/train", lossMetrics.get("train_tokens") * tr.numIterations() / Math.max(1e-9, trainNanos / 1e9));
        m.put("time/generate_s", genNanos / 1e9);
        m.put("time/score_s", scoreNanos / 1e9);
        m.put("time/train_s", trainNanos / 1e9);
        m.put("memory/rss_mb", Memory.rssMb());
        m.put("memory/heap_mb", Memory.heapMb());
        m.put("ratio/mean", lossMetrics.get("ratio/mean"));
        m.put("num_tokens", lossMetrics.get("num_tokens"));
        m.put("moe/aux_loss", lossMetrics.get("moe/aux_loss"));
        m.put("loss_scale", scaler == null ? null : scaler.scale());
        m.put("skipped_step", lossMetrics.get("skipped_step"));
        m.put("dapo/rounds", rounds);
        m.put("dapo/groups_kept", kept.size());
        m.put("data/cursor", cursor);
        m.put("data/epoch", cursor / source.size());
        writeSamples(kept);
        return m;
    }

    private SamplingParams sampling(long seed) {
        Recipe.Rollout r = recipe.rollout();
        return new SamplingParams(true, r.temperature(), r.topP(), r.topK(), r.minP(), r.maxNewTokens(), List.of(),
                r.stopStrings(), recipe.train().groupSize(), seed);
    }

    /** mu optimizer steps over the batch; returns loss metrics (token-weighted over micro-batches). */
    private Map<String, Double> trainOn(SequenceBatch batch, float[] adv, double lr) {
        Recipe.Train tr = recipe.train();
        int b = batch.rows();
        int mb = tr.microBatchSize();
        double temperature = recipe.rollout().temperature();
        double aux = tr.moe().routerAuxLossCoef();
        Map<String, Double> sums = new LinkedHashMap<>();
        double tokens = 0;
        double lossSum = 0;
        double auxSum = 0;
        double gradNorm = 0;
        boolean skipped = false;
        try (NDManager sm = NDManager.newBaseManager(device)) {
            LossNormalizer norm = LossNormalizer.of(batch.completionMask(sm), recipe.rollout().maxNewTokens());
            NDArray advAll;
            try (NDArray view = sm.create(adv)) {
                advAll = view.duplicate();
            }
            List<NDArray> old = new ArrayList<>();
            List<NDArray> refLp = new ArrayList<>();
            if (tr.numIterations() > 1 || ref != null) {
                try (NoGrad ng = new NoGrad()) {
                    for (int from = 0; from < b; from += mb) {
                        int to = Math.min(b, from + mb);
                        try (NDManager mm = sm.newSubManager()) {
                            SequenceBatch.Tensors t = batch.tensors(mm, from, to);
                            if (tr.numIterations() > 1) {
                                NDArray lp = TokenLogProbs.compute(policy, t, temperature, null).logp();
                                lp.attach(sm);
                                old.add(lp);
                            }
                            if (ref != null) {
                                NDArray lp = TokenLogProbs.compute(ref, t, temperature, null).logp();
                                lp.attach(sm);
                                refLp.add(lp);
                            }
                        }
                    }
                }
            }
            for (int it = 0; it < tr.numIterations(); it++) {
                int k = 0;
                for (int from = 0; from < b; from += mb, k++) {
                    int to = Math.min(b, from + mb);
                    try (NDManager mm = sm.newSubManager()) {
                        SequenceBatch.Tensors t = batch.tensors(mm, from, to);
                        RoutingStats routing = aux > 0 ? new RoutingStats() : null;
                        LossResult r;
                        double auxValue = 0;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            TokenLogProbs.Result lp = TokenLogProbs.compute(policy, t, temperature, routing);
                            NDArray advMb = advAll.get(new NDIndex("{}:{}", from, to));
                            r = loss.compute(new LossInputs(lp.logp(), old.isEmpty() ? null : old.get(k),
                                    refLp.isEmpty() ? null : refLp.get(k), advMb, t.completionMask(), lp.logits()), norm);
                            NDArray total = r.loss();
                            if (routing != null && !routing.layers().isEmpty()) {
                                NDArray lb = loadBalancingLoss(routing, mm);
                                auxValue = lb.toType(DataType.FLOAT32, false).getFloat();
                                // weighted by the micro-batch's share so the accumulated sum is the batch mean
                                total = total.add(lb.mul(Scalars.like(lb, aux * (to - from) / (double) b)));
                            }
                            if (scaler != null) {
                                total = scaler.scaleLoss(total);
                            }
                            gc.backward(total);
                        }
                        if (it == tr.numIterations() - 1) {
                            double n = r.metrics().getOrDefault("num_tokens", 0.0);
                            tokens += n;
                            lossSum += r.metrics().get("loss");
                            auxSum += auxValue * (to - from) / (double) b;
                            for (var e : r.metrics().entrySet()) {
                                if (!e.getKey().equals("loss") && !e.getKey().equals("num_tokens") && !e.getValue().isNaN()) {
                                    sums.merge(e.getKey(), e.getValue() * n, Double::sum);
                                }
                            }
                        }
                    }
                }
                boolean finite = scaler == null || scaler.unscale(trainable.values());
                double maxNorm = recipe.optim().maxGradNorm();
                gradNorm = maxNorm > 0 ? Grads.clipGlobalNorm(trainable.values(), maxNorm) : Grads.globalNorm(trainable.values());
                finite &= Double.isFinite(gradNorm);
                if (finite) {
                    optimizer.step(lr);
                } else {
                    skipped = true;
                }
                if (scaler != null) {
                    scaler.update(finite);
                }
                optimizer.zeroGrad();
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        double d = Math.max(1, tokens);
        sums.forEach((key, v) -> out.put(key, v / d));
        out.put("loss", lossSum);
        out.put("grad_norm", gradNorm);
        out.put("num_tokens", tokens);
        out.put("train_tokens", (double) batch.rows() * (batch.promptWidth() + batch.completionWidth()));
        out.put("moe/aux_loss", aux > 0 ? auxSum : null);
        out.put("skipped_step", skipped ? 1.0 : 0.0);
        return out;
    }

    /**
     * Switch Transformer / transformers {@code load_balancing_loss_func}: E * sum_e f_e * P_e per MoE layer, with
     * f_e the share of routed token slots sent to expert e (counts / N, summed over the top-k) and P_e the mean
     * router probability of e; averaged over layers. Padding tokens are included, as in transformers without a mask.
     */
    static NDArray loadBalancingLoss(RoutingStats routing, NDManager m) {
        NDArray total = null;
        for (RoutingStats.Layer l : routing.layers()) {
            NDArray probs = l.probs();
            long n = probs.getShape().get(0);
            int e = (int) probs.getShape().get(1);
            float[] f = new float[e];
            for (int i = 0; i < e; i++) {
                f[i] = (float) l.tokensPerExpert()[i] / n;
            }
            NDArray frac;
            try (NDArray view = m.create(f)) {
                frac = view.duplicate().toType(probs.getDataType(), false);
            }
            NDArray layer = probs.mean(new int[] {0}).mul(frac).sum().mul(Scalars.like(probs, e));
            total = total == null ? layer : total.add(layer);
        }
        return total.div(Scalars.like(total, routing.layers().size()));
    }

    /** reference = alpha * policy + (1 - alpha) * reference (TRL SyncRefModelCallback). */
    private void syncReference(double alpha) {
        try (NoGrad ng = new NoGrad(); NDManager m = NDManager.newBaseManager(device)) {
            NDArray a = Scalars.of(m, alpha).toType(dtype, false);
            NDArray b = Scalars.of(m, 1 - alpha).toType(dtype, false);
            policy.parameters().forEach((name, p) -> {
                NDArray r = ref.parameters().get(name);
                NDArray mixed = p.stopGradient().mul(a).add(r.mul(b));
                mixed.attach(m);
                r.set(ALL, mixed);
            });
        }
    }

    private Path saveCheckpoint() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", step);
        state.put("cursor", cursor);
        state.put("seed", recipe.seed());
        state.put("optimizer_steps", optimizer.stepCount());
        state.put("learning_rate", schedule.lr(step));
        state.put("base_model", modelDir.toString());
        state.put("recipe", recipe.name());
        state.put("metrics", lastMetrics);
        if (scaler != null) {
            state.put("loss_scale", scaler.state().scale());
            state.put("loss_scale_good_steps", scaler.state().goodSteps());
        }
        return checkpoints.save(step, policy, ref != null && recipe.train().refSyncSteps() > 0 ? ref : null,
                optimizer, state, modelDir);
    }

    /** Writes the current policy as a Hugging Face checkpoint with a model card. */
    public Path export(Path out, DType type, Map<String, Object> finalMetrics) {
        List<TensorEntry> entries = RunCheckpoints.entries(policy);
        ObjectNode cfg = policy.config().hfJson != null ? policy.config().hfJson.deepCopy()
                : Json.MAPPER.createObjectNode();
        return HfExport.write(out, entries, cfg, generationConfig(), modelDir, type, recipe.export().maxShardBytes(),
                ModelCard.render(modelDir.toString(), recipe.name(), RecipeLoader.toYaml(recipe),
                        recipe.rewardSpecs(), step, finalMetrics, type));
    }

    private ObjectNode generationConfig() {
        ObjectNode g = Json.MAPPER.createObjectNode();
        ObjectNode cfg = policy.config().hfJson;
        for (String k : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
            if (cfg != null && cfg.has(k) && !cfg.get(k).isNull()) {
                g.set(k, cfg.get(k));
            }
        }
        g.put("do_sample", true);
        g.put("temperature", recipe.rollout().temperature());
        g.put("top_p", recipe.rollout().topP());
        if (recipe.rollout().topK() > 0) {
            g.put("top_k", recipe.rollout().topK());
        }
        g.put("max_new_tokens", recipe.rollout().maxNewTokens());
        return g;
    }

    private void writeSamples(List<Group> kept) {
        int n = recipe.train().samplesPerStep();
        StringBuilder sb = new StringBuilder();
        outer:
        for (Group grp : kept) {
            for (int j = 0; j < grp.completions().size(); j++) {
                if (n-- <= 0) {
                    break outer;
                }
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("step", step);
                rec.put("prompt", grp.item().prompt());
                rec.put("completion", grp.completions().get(j).text());
                Map<String, Object> per = new LinkedHashMap<>();
                for (var e : grp.perFunction().entrySet()) {
                    per.put(e.getKey(), e.getValue().get(j).value());
                }
                rec.put("rewards", per);
                rec.put("total", grp.rewards()[j]);
                rec.put("finish_reason", grp.completions().get(j).finishReason().toString());
                sb.append(json(rec)).append('\n');
            }
        }
        append(runDir.resolve("samples.jsonl"), sb.toString());
    }

    private static String json(Object o) {
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void appendJsonl(Path file, Map<String, Object> m) {
        append(file, json(m) + "\n");
    }

    private static void append(Path file, String text) {
        if (text.isEmpty()) {
            return;
        }
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps the records of steps <= {@code step} (a resumed run rewrites the later ones). */
    static void truncateJsonl(Path file, int step) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && Json.MAPPER.readTree(line).path("step").asInt() <= step) {
                sb.append(line).append('\n');
            }
        }
        io.zerorl.util.Files2.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return x.length == 0 ? 0 : s / x.length;
    }

    /** Unbiased std, as torch.std (TRL logs reward_std this way). */
    private static double std(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
    }

    @Override
    public void close() {
        optimizer.close();
        policy.close();
        if (ref != null) {
            ref.close();
        }
        tokenizer.close();
    }
}
