package io.zerorl.train.pretrain;

import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.data.synth.SumTask;
import io.zerorl.util.ZerorlException;

/**
 * Settings of a pretraining run of the built-in base model. Everything that changes the weights is part of the
 * cache key ({@link BaseModelCache}); {@code logEvery} is not.
 *
 * @param steps       optimizer steps
 * @param batchSize   rows per step
 * @param seqLen      tokens per row (whole documents packed, the rest padded and masked)
 * @param lr          peak learning rate (linear warmup, cosine decay to {@code minLrRatio * lr})
 * @param clipNorm    global gradient-norm clip
 */
public record PretrainConfig(int steps, int batchSize, int seqLen, double lr, int warmupSteps, double minLrRatio,
                             double weightDecay, double clipNorm, long seed, int logEvery,
                             SumTask.Config task, PretrainCorpus.Mix mix) {
    public PretrainConfig {
        if (steps < 1 || batchSize < 1 || seqLen < 8) {
            throw new ZerorlException("pretraining needs steps >= 1, batch_size >= 1 and seq_len >= 8; got "
                    + steps + ", " + batchSize + ", " + seqLen);
        }
        if (!(lr > 0) || warmupSteps < 0 || !(clipNorm > 0) || logEvery < 1) {
            throw new ZerorlException("pretraining needs lr > 0, warmup_steps >= 0, clip_norm > 0, log_every >= 1");
        }
    }

    public static PretrainConfig defaults() {
        return new PretrainConfig(1200, 16, 128, 6e-3, 30, 0.1, 0.01, 1.0, 1234, 25,
                SumTask.Config.defaults(), PretrainCorpus.Mix.defaults());
    }

    public PretrainConfig withSteps(int n) {
        return new PretrainConfig(n, batchSize, seqLen, lr, Math.min(warmupSteps, Math.max(0, n / 10)), minLrRatio,
                weightDecay, clipNorm, seed, logEvery, task, mix);
    }

    public PretrainConfig withSeed(long s) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, s,
                logEvery, task, mix);
    }

    public PretrainConfig withLogEvery(int n) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                n, task, mix);
    }

    public PretrainConfig withBatch(int rows, int tokens) {
        return new PretrainConfig(steps, rows, tokens, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, task, mix);
    }

    public PretrainConfig withLr(double peak) {
        return new PretrainConfig(steps, batchSize, seqLen, peak, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, task, mix);
    }

    public PretrainConfig withMix(PretrainCorpus.Mix m) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, task, m);
    }

    public PretrainConfig withTask(SumTask.Config t) {
        return new PretrainConfig(steps, batchSize, seqLen, lr, warmupSteps, minLrRatio, weightDecay, clipNorm, seed,
                logEvery, t, mix);
    }

    /** The part of the settings that determines the weights (everything but logging), as stable text. */
    String cacheKeyText() {
        return "steps=" + steps + ";batch=" + batchSize + ";seq=" + seqLen + ";lr=" + lr + ";warmup=" + warmupSteps
                + ";minlr=" + minLrRatio + ";wd=" + weightDecay + ";clip=" + clipNorm + ";seed=" + seed
                + ";task=" + task + ";mix=" + mix;
    }
}
