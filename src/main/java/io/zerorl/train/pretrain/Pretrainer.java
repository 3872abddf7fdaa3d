package io.zerorl.train.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.data.synth.SumTask;
import io.zerorl.model.Policy;
import io.zerorl.optim.AdamW;
import io.zerorl.optim.Arithmetic;
import io.zerorl.optim.Grads;
import io.zerorl.optim.LrSchedule;
import io.zerorl.tensor.LogProbs;
import io.zerorl.tensor.Masked;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Next-token pretraining of a policy on the synthetic corpus: whole documents (each followed by EOS) are packed
 * into rows of {@code seqLen} tokens, the tail padded and masked; the loss is the mean cross-entropy of the
 * shifted targets over real tokens; AdamW over the parameters the model declares trainable (no decay where their
 * role says so: norms and biases) with linear warmup and cosine decay, global-norm clipping. One {@link NDScope}
 * per step holds every activation (docs/DJL-NOTES.md, hazard 6); the optimizer step runs outside it.
 */
public final class Pretrainer {
    /** One logged point; {@code validation} is set on the steps where the stop rule measured the model. */
    public record Progress(int step, double loss, double lr, double gradNorm, double tokensPerSecond,
                           Validation.Result validation) {}

    /** One measurement of the stop rule: after {@code step} optimizer steps. */
    public record Check(int step, Validation.Result result) {}

    /**
     * What a run did: the loss per step and totals; with a stop rule, every measurement and the step where the
     * rule fired (-1 when it did not and training ran to its most steps).
     */
    public record Result(int steps, double[] losses, long tokens, double seconds, List<Check> checks, int stoppedAt) {
        /** Mean loss over the first / last {@code n} steps. */
        public double meanLoss(boolean last, int n) {
            int k = Math.min(n, losses.length);
            int from = last ? losses.length - k : 0;
            return Arrays.stream(losses, from, from + k).average().orElse(Double.NaN);
        }
    }

    private Pretrainer() {}

    /** Trains {@code policy} in place with a fixed schedule (the settings must have no stop rule). */
    public static Result train(Policy policy, PretrainConfig cfg, Function<String, int[]> encode, int eosId,
                               Consumer<Progress> log) {
        return train(policy, cfg, encode, eosId, log, null);
    }

    /**
     * Trains {@code policy} in place.
     *
     * @param encode     text -> token ids (no special tokens added)
     * @param eosId      appended after each document; also the padding id
     * @param validation what the stop rule measures; required when the settings have one
     */
    public static Result train(Policy policy, PretrainConfig cfg, Function<String, int[]> encode, int eosId,
                               Consumer<Progress> log, Validation validation) {
        if (cfg.stop() != null && validation == null) {
            throw new IllegalArgumentException("a pretraining stop rule needs a validation");
        }
        PretrainCorpus corpus = new PretrainCorpus(new SumTask(cfg.task()), cfg.mix());
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        Plan plan = new Plan(cfg);
        var params = policy.trainableParameters(false);
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
        double[] losses = new double[cfg.steps()];
        long tokens = 0;
        long start = System.nanoTime();
        long windowStart = start;
        long windowTokens = 0;
        // The per-op arithmetic the built-in base model was tuned and measured with: with the fused kernel's last bits
        // the answer-copying skill did not form within 2,400 steps on the avx512 path (16% -> 48% after GRPO instead of
        // 19% -> 100%), and cached base models would no longer match a fresh pretraining.
        try (AdamW opt = new AdamW(params, new AdamW.Config(0.9, 0.95, 1e-8, cfg.weightDecay()),
                name -> policy.role(name).decayed(), Arithmetic.PER_OP)) {
            for (int step = 0; step < plan.end(); step++) {
                Batch batch = pack(corpus, rng, encode, eosId, cfg.batchSize(), cfg.seqLen());
                double loss = lossAndBackward(policy, batch, cfg);
                if (!Double.isFinite(loss)) {
                    throw new ZerorlException("pretraining loss became " + loss + " at step " + (step + 1)
                            + "; lower the learning rate (now " + cfg.lr() + ")");
                }
                double norm = Grads.clipGlobalNorm(params.values(), cfg.clipNorm(), Arithmetic.PER_OP);
                double lr = plan.lr(step);
                opt.step(lr);
                opt.zeroGrad();
                losses[step] = loss;
                tokens += batch.realTokens;
                windowTokens += batch.realTokens;
                Validation.Result v = plan.checks(step + 1) ? plan.record(step + 1, validation.measure(policy)) : null;
                if ((step + 1) % cfg.logEvery() == 0 || step + 1 == plan.end() || v != null) {
                    long now = System.nanoTime();
                    int n = Math.min(cfg.logEvery(), step + 1);
                    double mean = Arrays.stream(losses, step + 1 - n, step + 1).average().orElse(loss);
                    log.accept(new Progress(step + 1, mean, lr, norm, windowTokens / ((now - windowStart) / 1e9), v));
                    windowStart = now;
                    windowTokens = 0;
                }
            }
        } finally {
            for (NDArray p : params.values()) {
                p.setRequiresGradient(false);
            }
        }
        return new Result(plan.end(), Arrays.copyOf(losses, plan.end()), tokens, (System.nanoTime() - start) / 1e9,
                List.copyOf(plan.checks), plan.stoppedAt);
    }

    /**
     * The learning-rate schedule and the length of a run: linear warmup, then cosine decay to {@code minLrRatio * lr}
     * at {@code steps} (Hugging Face's cosine-with-min-lr schedule). With a stop rule, {@code steps} is the most a run
     * may take: once the rule fires, the rate falls from where the cosine had it to the floor over the cooldown (the
     * same half-cosine shape), and training ends there.
     */
    private static final class Plan {
        private final PretrainConfig.Stop stop;
        private final LrSchedule cosine;
        private final List<Check> checks = new ArrayList<>();
        private int end;
        private int stoppedAt = -1;
        private LrSchedule cooldown;

        Plan(PretrainConfig cfg) {
            this.stop = cfg.stop();
            this.cosine = new LrSchedule(cfg.lr(), cfg.warmupSteps(), cfg.steps(), "cosine", cfg.minLrRatio());
            this.end = cfg.steps();
        }

        int end() {
            return end;
        }

        double lr(int step) {
            return stoppedAt < 0 || step < stoppedAt ? cosine.lr(step) : cooldown.lr(step - stoppedAt);
        }

        /** Whether the rule measures the model after {@code done} steps: every N steps from its minimum, until it fires. */
        boolean checks(int done) {
            return stop != null && stoppedAt < 0 && done >= stop.minSteps() && done % stop.every() == 0
                    && done + stop.cooldownSteps() < end;
        }

        Validation.Result record(int done, Validation.Result r) {
            checks.add(new Check(done, r));
            if (r.score() >= stop.target()) {
                double from = cosine.lr(done);
                double floor = cosine.peakLr() * cosine.minLrRatio();
                // the same half-cosine from the current rate down to the floor
                cooldown = new LrSchedule(from, 0, Math.max(1, stop.cooldownSteps()), "cosine",
                        from > 0 ? Math.min(1, floor / from) : 0);
                stoppedAt = done;
                end = done + stop.cooldownSteps();
            }
            return r;
        }
    }

    private static final NDIndex DROP_LAST = new NDIndex(":, :-1");
    private static final NDIndex DROP_FIRST = new NDIndex(":, 1:");

    /** Forward and backward of one packed batch: the mean next-token cross-entropy over real tokens. */
    private static double lossAndBackward(Policy policy, Batch batch, PretrainConfig cfg) {
        try (NDScope scope = new NDScope(); NDManager m = policy.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray ids = owned(m.create(batch.ids));
            NDArray mask = owned(m.create(batch.mask));
            NDArray pos = m.arange(0, cfg.seqLen(), 1, DataType.INT64).expandDims(0)
                    .repeat(0, cfg.batchSize());
            NDArray ones = m.ones(ids.getShape(), DataType.INT64);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = policy.forward(ids, ones, pos);
                NDArray logp = LogProbs.gather(logits.get(DROP_LAST), ids.get(DROP_FIRST));
                NDArray l = Masked.mean(logp, mask.get(DROP_FIRST)).neg();
                gc.backward(l);
                return l.getFloat();
            }
        }
    }

    /** One line of progress output (with the validation accuracies on the steps that measured them). */
    public static String format(Progress p, int totalSteps) {
        String line = String.format(Locale.ROOT, "pretrain step %d/%d  loss %.4f  lr %.2e  grad_norm %.3f  %.0f tokens/s",
                p.step(), totalSteps, p.loss(), p.lr(), p.gradNorm(), p.tokensPerSecond());
        return p.validation() == null ? line : line + "  " + describe(p.validation());
    }

    /** "validation plain 0.92 after 0.41" */
    public static String describe(Validation.Result v) {
        StringBuilder sb = new StringBuilder("validation");
        v.byKind().forEach((k, a) -> sb.append(String.format(Locale.ROOT, " %s %.2f", k, a)));
        return sb.toString();
    }

    private static NDArray owned(NDArray javaBacked) {
        // arrays created from Java data are views of a Java buffer; keep a torch-owned copy (docs/DJL-NOTES.md, hazard 2)
        NDArray copy = javaBacked.duplicate();
        javaBacked.close();
        return copy;
    }

    record Batch(long[][] ids, float[][] mask, long realTokens) {}

    /** Rows of whole documents, each followed by EOS; a document longer than a row is cut. */
    static Batch pack(PretrainCorpus corpus, SplittableRandom rng, Function<String, int[]> encode, int eosId,
                      int rows, int seqLen) {
        long[][] ids = new long[rows][seqLen];
        float[][] mask = new float[rows][seqLen];
        long real = 0;
        for (int r = 0; r < rows; r++) {
            List<Integer> row = new ArrayList<>(seqLen);
            while (true) {
                int[] doc = encode.apply(corpus.document(rng));
                if (!row.isEmpty() && row.size() + doc.length + 1 > seqLen) {
                    break;
                }
                for (int id : doc) {
                    row.add(id);
                }
                row.add(eosId);
                if (row.size() >= seqLen) {
                    break;
                }
            }
            Arrays.fill(ids[r], eosId);
            int n = Math.min(seqLen, row.size());
            for (int t = 0; t < n; t++) {
                ids[r][t] = row.get(t);
                mask[r][t] = 1;
            }
            real += n;
        }
        return new Batch(ids, mask, real);
    }
}
