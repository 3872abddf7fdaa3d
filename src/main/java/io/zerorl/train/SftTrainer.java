package io.zerorl.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.data.PromptTemplate;
import io.zerorl.data.PromptTemplates;
import io.zerorl.model.Devices;
import io.zerorl.model.LoraAdapters;
import io.zerorl.model.PeftAdapter;
import io.zerorl.model.Policy;
import io.zerorl.optim.AdamW;
import io.zerorl.optim.Grads;
import io.zerorl.optim.LrSchedule;
import io.zerorl.recipe.Recipe;
import io.zerorl.run.MetricNames;
import io.zerorl.run.RunLayout;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.Json;
import io.zerorl.util.Seeds;
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
import java.util.function.Consumer;

/**
 * Distillation, phase 2: supervised fine-tuning of the student ({@code model.path}) on the traces. Each trace's
 * question is rendered with the student's own template ({@code data.template}, its chat template for {@code chat}) and
 * tokenizer, the completion tokenized after it and ended with the student's EOS; the loss is the mean negative
 * log-likelihood of the completion tokens of a step (prompt tokens carry none). AdamW with the recipe's schedule,
 * {@code train.prompts_per_step} traces per step in micro-batches of {@code train.micro_batch_size},
 * {@code distill.epochs} passes in a seeded order; checkpoints every {@code checkpoint.every} steps and
 * {@code --resume}; with a {@code lora:} section only adapters are trained; the export at the end as for GRPO.
 */
public final class SftTrainer implements AutoCloseable {
    private final Recipe recipe;
    private final RunLayout run;
    private final Path modelDir;
    private final Tokenizer tokenizer;
    private final Policy policy;
    private final Map<String, NDArray> trainable;
    private final AdamW optimizer;
    private final List<int[]> prompts = new ArrayList<>();
    private final List<int[]> completions = new ArrayList<>();
    private final int steps;
    private final LrSchedule schedule;
    private final RunCheckpoints checkpoints;
    private GrpoTrainer.EvalHook evalHook;
    private int step;

    public SftTrainer(Recipe recipe, Path traces, boolean resume, Consumer<String> log) {
        if (!recipe.train().precision().equals("float32")) {
            throw new ZerorlException("distillation's SFT runs in float32 (train.precision: float32); fp16 with loss"
                    + " scaling is GRPO's only for now");
        }
        this.recipe = recipe;
        this.run = RunLayout.of(Path.of(recipe.outputDir()).toAbsolutePath().normalize());
        this.modelDir = Path.of(recipe.model().path()).toAbsolutePath().normalize();
        this.checkpoints = new RunCheckpoints(run.checkpoints(), recipe.checkpoint().keep());
        List<Traces.Trace> all = Traces.read(traces); // a bad file fails before the student loads
        Path resumeFrom = resume ? checkpoints.latest() : null;
        if (resume && resumeFrom == null) {
            throw new ZerorlException("--resume: no checkpoint under " + run.checkpoints() + " (set checkpoint.every)");
        }
        Device device = Devices.parse(recipe.model().device());
        this.tokenizer = Tokenizer.load(modelDir);
        boolean lora = recipe.lora().enabled();
        try {
            this.policy = Policy.load(resumeFrom != null && !lora ? resumeFrom : modelDir, device, DataType.FLOAT32);
            if (lora) {
                policy.attach(resumeFrom != null ? PeftAdapter.read(resumeFrom, policy)
                        : LoraAdapters.init(policy, recipe.lora(), Seeds.mix(recipe.seed(), 0x10AL)));
            }
            this.trainable = lora ? policy.adapters().parameters() : policy.trainableParameters(false);
            trainable.values().forEach(p -> p.setRequiresGradient(true));
            this.optimizer = new AdamW(trainable, recipe.optim().adam(), lora ? n -> true : n -> policy.role(n).decayed());
            tokenize(all, log);
            int per = Math.max(1, recipe.train().promptsPerStep());
            this.steps = (int) Math.ceil(prompts.size() * (double) recipe.distill().epochs() / per);
            this.schedule = recipe.optim().schedule(steps);
            if (resumeFrom != null) {
                step = RunCheckpoints.loadState(resumeFrom, optimizer, null).step();
                log.accept("sft: resuming after step " + step + " of " + steps);
            }
            Files.createDirectories(run.dir());
            if (resumeFrom == null) {
                Files.deleteIfExists(run.metrics());
            } else if (Files.exists(run.metrics())) {
                // lines of steps after the checkpoint were written by the interrupted run; they are redone
                List<String> keep = new ArrayList<>();
                for (String line : Files.readAllLines(run.metrics(), StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && Json.MAPPER.readTree(line).path(MetricNames.STEP).asInt() <= step) {
                        keep.add(line);
                    }
                }
                io.zerorl.util.Files2.writeAtomically(run.metrics(),
                        (keep.isEmpty() ? "" : String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Prompt and completion ids of each trace under the student's tokenizer and template. */
    private void tokenize(List<Traces.Trace> traces, Consumer<String> log) {
        PromptTemplate template = PromptTemplates.get(recipe.data().template(), tokenizer.hasChatTemplate()
                ? (system, user) -> PromptSource.chat(tokenizer, system, user) : null);
        int[] eos = tokenizer.eosTokenIds();
        int context = policy.config().maxPositions;
        int dropped = 0;
        for (Traces.Trace t : traces) {
            int[][] ids = encode(tokenizer, template, t, eos);
            if (ids[0].length + ids[1].length > context) {
                dropped++;
                continue;
            }
            prompts.add(ids[0]);
            completions.add(ids[1]);
        }
        if (dropped > 0) {
            log.accept("sft: " + dropped + " traces longer than the student's context of " + context + " left out");
        }
        if (prompts.isEmpty()) {
            throw new ZerorlException("no trace fits the student's context of " + context + " tokens");
        }
    }

    /** Traces the student trains on (those that fit its context). */
    public int traces() {
        return prompts.size();
    }

    /**
     * A trace as the student sees it: {prompt ids, completion ids + EOS}. The question goes through the template (or the
     * messages through the chat template, a generation prompt after them), then both parts are tokenized as text.
     */
    public static int[][] encode(Tokenizer tok, PromptTemplate template, Traces.Trace t, int[] eos) {
        String prompt = t.question() != null ? template.render(t.question())
                : tok.applyChatTemplate(t.messages(), true);
        int[] p = tok.encodeWithBos(prompt);
        int[] c = tok.encode(t.completion());
        int[] withEos = java.util.Arrays.copyOf(c, c.length + (eos.length > 0 ? 1 : 0));
        if (eos.length > 0) {
            withEos[c.length] = eos[0];
        }
        return new int[][] {p, withEos};
    }

    public int steps() {
        return steps;
    }

    public int step() {
        return step;
    }

    public Policy policy() {
        return policy;
    }

    /** The student's tokenizer; closed with the trainer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Evaluation after steps (the recipe's eval: section, wired by the CLI), as for GRPO; step 0 is a baseline. */
    public SftTrainer withEvalHook(GrpoTrainer.EvalHook hook) {
        this.evalHook = hook;
        return this;
    }

    /** The mean NLL of the completion tokens of rows {@code rows} (no gradient): what a step minimises. */
    public double loss(int[] rows) {
        try (io.zerorl.model.NoGrad ng = new io.zerorl.model.NoGrad(); NDScope scope = new NDScope();
             NDManager m = NDManager.newBaseManager(policy.device())) {
            double[] sums = nll(select(rows), m);
            return sums[0] / sums[1];
        }
    }

    private SequenceBatch select(int[] rows) {
        List<int[]> p = new ArrayList<>();
        List<int[]> c = new ArrayList<>();
        for (int r : rows) {
            p.add(prompts.get(r));
            c.add(completions.get(r));
        }
        return new SequenceBatch(p, c, null);
    }

    /** Minus the summed log-probs of the completion tokens of {@code t} (prompt positions carry none). */
    static NDArray completionNll(Policy policy, SequenceBatch.Tensors t) {
        NDArray logp = TokenLogProbs.compute(policy, t, 1.0, null).logp();
        return logp.mul(t.completionMask().toType(DataType.FLOAT32, false)).sum().neg();
    }

    /** {sum of -log p over completion tokens, their count} of a batch, micro-batch by micro-batch. */
    private double[] nll(SequenceBatch b, NDManager m) {
        double sum = 0;
        for (int from = 0; from < b.rows(); from += micro()) {
            int to = Math.min(b.rows(), from + micro());
            try (NDManager mm = m.newSubManager()) {
                SequenceBatch.Tensors t = b.tensors(mm, from, to);
                sum += completionNll(policy, t).getFloat();
            }
        }
        return new double[] {sum, b.tokens(0, b.rows())};
    }

    private int micro() {
        return Math.max(1, recipe.train().microBatchSize());
    }

    /** Runs the remaining steps; returns the last step's metrics. */
    public Map<String, Object> train(Consumer<String> log) {
        int per = Math.max(1, recipe.train().promptsPerStep());
        int n = prompts.size();
        Map<String, Object> last = Map.of();
        int every = recipe.checkpoint().every();
        if (evalHook != null && step == 0) {
            Map<String, Double> baseline = evalHook.afterStep(0, policy);
            if (!baseline.isEmpty()) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put(MetricNames.STEP, 0);
                b.putAll(baseline);
                appendMetrics(b);
            }
        }
        while (step < steps) {
            long t0 = System.nanoTime();
            int[] rows = new int[per];
            int count = 0;
            for (int i = 0; i < per; i++) {
                long cursor = (long) step * per + i;
                if (cursor >= (long) n * recipe.distill().epochs()) {
                    break;
                }
                int epoch = (int) (cursor / n);
                rows[count++] = PromptSource.permutation(n, Seeds.mix(recipe.seed(), 0xD157L + epoch))[(int) (cursor % n)];
            }
            rows = java.util.Arrays.copyOf(rows, count);
            SequenceBatch b = select(rows);
            double lr = schedule.lr(step);
            double tokens = b.tokens(0, b.rows());
            double lossSum = 0;
            try (NDScope scope = new NDScope(); NDManager m = NDManager.newBaseManager(policy.device())) {
                LoraAdapters lora = policy.adapters();
                for (int from = 0; from < b.rows(); from += micro()) {
                    int to = Math.min(b.rows(), from + micro());
                    try (NDManager mm = m.newSubManager()) {
                        if (lora != null) {
                            lora.training(true);
                        }
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            SequenceBatch.Tensors t = b.tensors(mm, from, to);
                            NDArray nll = completionNll(policy, t);
                            lossSum += nll.getFloat();
                            gc.backward(nll.div(mm.full(new ai.djl.ndarray.types.Shape(), (float) tokens)));
                        } finally {
                            if (lora != null) {
                                lora.training(false);
                            }
                        }
                    }
                }
            }
            double maxNorm = recipe.optim().maxGradNorm();
            double gradNorm = maxNorm > 0 ? Grads.clipGlobalNorm(trainable.values(), maxNorm)
                    : Grads.globalNorm(trainable.values());
            optimizer.step(lr);
            optimizer.zeroGrad();
            step++;
            Map<String, Object> mtr = new LinkedHashMap<>();
            mtr.put(MetricNames.STEP, step);
            mtr.put(MetricNames.LOSS, lossSum / tokens);
            mtr.put(MetricNames.GRAD_NORM, gradNorm);
            mtr.put(MetricNames.LEARNING_RATE, lr);
            mtr.put(MetricNames.NUM_TOKENS, (long) tokens);
            mtr.put(MetricNames.TRAIN_S, (System.nanoTime() - t0) / 1e9);
            mtr.put(MetricNames.DATA_EPOCH, (double) step * per / n);
            if (evalHook != null) {
                mtr.putAll(evalHook.afterStep(step, policy));
            }
            appendMetrics(mtr);
            last = mtr;
            log.accept(String.format(java.util.Locale.ROOT, "sft step %d/%d  loss %.4f  grad_norm %.3f  lr %.2e", step,
                    steps, lossSum / tokens, gradNorm, lr));
            if (every > 0 && (step % every == 0 || step == steps)) {
                Map<String, Object> state = new LinkedHashMap<>();
                state.put("step", step);
                state.put("cursor", (long) step * per);
                state.put("seed", recipe.seed());
                state.put("optimizer_steps", optimizer.stepCount());
                state.put("learning_rate", schedule.lr(step));
                state.put("base_model", modelDir.toString());
                state.put("recipe", recipe.name());
                state.put("metrics", mtr);
                checkpoints.save(step, policy, null, optimizer, state, modelDir);
            }
        }
        return last;
    }

    /** Writes the student in Hugging Face layout (the recipe's export settings). */
    public Path export(Map<String, Object> finalMetrics) {
        return RunExport.write(run.export(), policy, recipe, modelDir, HfExport.dtype(recipe.export().dtype()), step,
                finalMetrics);
    }

    private void appendMetrics(Map<String, Object> m) {
        try {
            Files.writeString(run.metrics(), Json.MAPPER.writeValueAsString(m) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + run.metrics(), e);
        }
    }

    @Override
    public void close() {
        if (optimizer != null) {
            optimizer.close();
        }
        if (policy != null) {
            policy.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
