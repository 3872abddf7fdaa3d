package io.zerorl.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.zerorl.util.ZerorlException;

/**
 * PyTorch's CPU thread count: {@code --threads}, else {@code $ZERORL_THREADS}, else 1. Measured on the 2-core
 * machine shared with other jobs: one thread ran a training step of the built-in model 6-14x faster than the default
 * (OpenMP threads spin while waiting for a busy core), and a fixed count makes results bit-reproducible.
 */
final class Threads {
    private static final String PROPERTY = "ai.djl.pytorch.num_threads";

    private Threads() {}

    /**
     * Before the engine starts, the count goes into DJL's start-up properties (which a JVM option may already set:
     * then an explicit {@code --threads} is applied to the running engine instead).
     */
    static void configure(Integer requested) {
        int n = requested != null ? requested : fromEnvironment();
        if (n < 1) {
            throw new ZerorlException("--threads must be >= 1, got " + n);
        }
        String preset = System.getProperty(PROPERTY);
        if (preset == null) {
            System.setProperty(PROPERTY, Integer.toString(n));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        } else if (requested != null && !preset.equals(Integer.toString(n))) {
            Engine.getInstance(); // loads the native library
            JniUtils.setNumThreads(n);
        }
    }

    private static int fromEnvironment() {
        String env = System.getenv("ZERORL_THREADS");
        if (env == null || env.isBlank()) {
            return 1;
        }
        try {
            return Integer.parseInt(env.trim());
        } catch (NumberFormatException e) {
            throw new ZerorlException("ZERORL_THREADS must be a whole number of threads, got '" + env + "'");
        }
    }
}
