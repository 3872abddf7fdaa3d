package io.zerorl.train.pretrain;

import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.data.synth.SumTask;
import io.zerorl.util.ZerorlException;

/**
 * Settings of a pretraining run of the built-in base model. Everything that changes the weights is part of the
 * cache key ({@link BaseModelCache}); {@code logEvery} is not.
 *
 * @param steps       optimizer steps; with a {@code stop} rule, the most it may take
 * @param batchSize   rows per step
 * @param seqLen      tokens per row (whole documents packed, the rest padded and masked)
 * @param lr          peak learning rate (linear warmup, then cosine decay to {@code minLrRatio * lr} at
 *                    {@code steps}; with a stop rule, from where the cosine is when the rule fires to the floor over
 *                    its cooldown)
 * @param clipNorm    global gradient-norm clip
 * @param stop        stop on a validation target instead of a fixed step count, or null
 */
public record PretrainConfig(int steps, int batchSize, int seqLen, double lr, int warmupSteps, double minLrRatio,
                             double weightDecay, double clipNorm, long seed, int logEvery,
                             SumTask.Config task, PretrainCorpus.Mix mix, Stop stop) {
    /**
     * Pretraining that ends when the model can do the task in the corpus's own formats, not after a fixed count: the
     * skill forms late and suddenly, and when it forms depends on the CPU's float path (PyTorch picks its kernels
     * by the CPU's features) and on the random draws. From {@code minSteps} on, every {@code every} steps, the
     * {@link Validation} probes ({@code probes} of each kind) are answered greedily; once the lowest per-kind accuracy
     * reaches {@code target}, the learning rate decays to its floor over {@code cooldownSteps} and training ends.
     * When the target is not reached, training runs its cosine schedule to {@code steps}.
     */
    public record Stop(double target, int minSteps, int every, int probes, int cooldownSteps) {
        public Stop {
            if (!(target > 0 && target <= 1) || minSteps < 0 || every < 1 || probes < 1 || cooldownSteps < 0) {
                throw new ZerorlException("pretraining stop rule needs target in (0, 1], min_steps >= 0, every >= 1,"
                        + " probes >= 1 and cooldown_steps >= 0; got " + this);
            }
        }

        String keyText() {
            return "target=" + target + ",min=" + minSteps + ",every=" + every + ",probes=" + probes
                    + ",cooldown=" + cooldownSteps;
        }
    }

    public PretrainConfig {
        if (steps < 1 || batchSize < 1 || seqLen < 8) {
            throw new ZerorlException("pretraining needs steps >= 1, batch_size >= 1 and seq_len >= 8; got "
                    + steps + ", " + batchSize + ", " + seqLen);
        }
        if (!(lr > 0) || warmupSteps < 0 || !(clipNorm > 0) || logEvery < 1) {
            throw new ZerorlException("pretraining needs lr > 0, warmup_steps >= 0, clip_norm > 0, log_every >= 1");
        }
        if (stop != null && stop.minSteps() + stop.cooldownSteps() > steps) {
            throw new ZerorlException("pretraining stop rule: min_steps + cooldown_steps (" + stop.minSteps() + " + "
                    + stop.cooldownSteps() + ") must fit in steps (" + steps + ")");
        }
    }

    /**
     * At most 2,400 steps of 16 x 128 tokens on a cosine schedule, ended by the stop rule: from step 600, every 100
     * steps, 64 probes of each kind; at 80% the rate cools down over 300 steps. Measured on three float paths of one
     * CPU, it fired at step 1,300 to 1,500 and the base model then answered 55-61% of held-out problems in the RL
     * format (docs/QUICKSTART-CORPUS.md).
     */
    public static PretrainConfig defaults() {
        return new PretrainConfig(2400, 16, 128, 6e-3, 30, 0.1, 0.01, 1.0, 1234, 25,
                SumTask.Config.defaults(), PretrainCorpus.Mix.defaults(), new Stop(0.8, 600, 100, 64, 300));
    }

    /** Exactly {@code n} steps with the fixed (cosine) schedule: no stop rule. */
    public PretrainConfig withSteps(int n) {
        return new PretrainConfig(n, batchSize, seqLen, lr, Math.min(warmupSteps, Math.max(0, n / 10)), minLrRatio,
                weightDecay, clipNorm, seed, logEvery, task, mix, null);
    }

    public PretrainConfig withSeed(long s) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, s,
                logEvery, task, mix, stop);
    }

    public PretrainConfig withLogEvery(int n) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                n, task, mix, stop);
    }

    public PretrainConfig withBatch(int rows, int tokens) {
        return new PretrainConfig(steps, rows, tokens, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, task, mix, stop);
    }

    public PretrainConfig withLr(double peak) {
        return new PretrainConfig(steps, batchSize, seqLen, peak, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, task, mix, stop);
    }

    public PretrainConfig withMix(PretrainCorpus.Mix m) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, task, m, stop);
    }

    public PretrainConfig withTask(SumTask.Config t) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, t, mix, stop);
    }

    public PretrainConfig withStop(Stop s) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, task, mix, s);
    }

    /** The part of the settings that determines the weights (everything but logging), as stable text. */
    String cacheKeyText() {
        return "steps=" + steps + ";batch=" + batchSize + ";seq=" + seqLen + ";lr=" + lr + ";warmup=" + warmupSteps
                + ";minlr=" + minLrRatio + ";wd=" + weightDecay + ";clip=" + clipNorm + ";seed=" + seed
                + ";task=" + task + ";mix=" + mix + (stop == null ? "" : ";stop=" + stop.keyText());
    }
}
