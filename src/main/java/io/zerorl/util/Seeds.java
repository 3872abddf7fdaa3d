package io.zerorl.util;

/**
 * Every derivation of a random stream from a seed, in one place. Results are functions of the recipe's seed and
 * counters only (never of time or thread order), so a resumed run and a rerun reproduce an uninterrupted one.
 *
 * <p>{@link #mix} is the one mixing function for new code. {@link #row} and {@link #hash} are older formulas kept
 * bit for bit: the first seeds every sampled token of the rollout engine, the second splits the built-in task's
 * problems into train and held-out, so changing either would change every published result.
 */
public final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long M1 = 0xBF58476D1CE4E5B9L;
    private static final long M2 = 0x94D049BB133111EBL;

    private Seeds() {}

    /**
     * SplitMix64's finaliser of {@code seed + golden * (k + 1)}: distinct, well-spread seeds for counter values
     * (data epoch, training step and refill round, evaluation batch).
     */
    public static long mix(long seed, long k) {
        long z = seed + GOLDEN * (k + 1);
        z = (z ^ (z >>> 30)) * M1;
        z = (z ^ (z >>> 27)) * M2;
        return z ^ (z >>> 31);
    }

    /** The rollout engine's stream of one row: (call seed, prompt index, sample index). */
    public static long row(long seed, int prompt, int sample) {
        long h = seed * GOLDEN + prompt;
        h = (h ^ (h >>> 31)) * M1 + sample;
        return h ^ (h >>> 29);
    }

    /** A fixed hash of integers, independent of any seed (which side of a data split a problem falls on). */
    public static long hash(int... values) {
        long h = GOLDEN;
        for (int v : values) {
            h = (h ^ v) * M1;
            h ^= h >>> 31;
        }
        return h;
    }
}
