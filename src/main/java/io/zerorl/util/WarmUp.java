package io.zerorl.util;

/**
 * Warm-up for measurements: the JVM compiles the Java side of each tensor op over the first runs, so one short warm-up
 * reports a cold figure (the rollout benchmark's single small run understated batch 1 by about 2x). Runs until two
 * consecutive runs agree within 5% (at least 3 runs, at most {@code maxRuns} or {@code maxSeconds}), and, with a
 * minimum, for at least that long: a run of a few milliseconds settles within 5% long before the JIT has compiled
 * the hot paths (the tiny model's decode rose from 1,660 to 2,900 tokens/s between 0.2 s and 1.5 s of warm-up).
 */
public final class WarmUp {
    private WarmUp() {}

    /** Returns the number of runs it took. */
    public static int untilStable(Runnable work, int maxRuns, double maxSeconds) {
        return untilStable(work, 0, maxRuns, maxSeconds);
    }

    /** As {@link #untilStable(Runnable, int, double)}, running for at least {@code minSeconds} in all. */
    public static int untilStable(Runnable work, double minSeconds, int maxRuns, double maxSeconds) {
        long start = System.nanoTime();
        double prev = Double.NaN;
        int runs = 0;
        while (runs < maxRuns && System.nanoTime() - start < maxSeconds * 1e9) {
            long t0 = System.nanoTime();
            work.run();
            double t = (System.nanoTime() - t0) / 1e9;
            runs++;
            boolean longEnough = System.nanoTime() - start >= minSeconds * 1e9;
            if (runs >= 3 && longEnough && Math.abs(t - prev) <= 0.05 * Math.min(t, prev)) {
                break;
            }
            prev = t;
        }
        return runs;
    }
}
