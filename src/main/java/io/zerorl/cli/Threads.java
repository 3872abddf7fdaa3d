package io.zerorl.cli;

/**
 * PyTorch's CPU thread count, set before the engine starts. Measured on the 2-core machine shared with other
 * jobs: one thread ran a training step of the built-in model 6-14x faster than the default (OpenMP threads spin
 * while waiting for a busy core).
 */
final class Threads {
    private Threads() {}

    static void configure(Integer requested) {
        String env = System.getenv("ZERORL_THREADS");
        int n = requested != null ? requested : env != null && !env.isBlank() ? Integer.parseInt(env.trim()) : 1;
        if (n < 1) {
            throw new io.zerorl.util.ZerorlException("--threads must be >= 1, got " + n);
        }
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
