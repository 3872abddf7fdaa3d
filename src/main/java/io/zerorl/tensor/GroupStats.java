package io.zerorl.tensor;

import ai.djl.ndarray.NDArray;

/**
 * Statistics over consecutive groups of G elements (the G completions of one prompt, GRPO):
 * x (N,) with N = numGroups * G.
 */
public final class GroupStats {
    private GroupStats() {}

    /** Per-group mean: (N,) -> (N/G,). */
    public static NDArray mean(NDArray x, int groupSize) {
        return grouped(x, groupSize).mean(new int[] {1});
    }

    /**
     * Per-group unbiased standard deviation (torch.std default, divides by G-1): (N,) -> (N/G,).
     * Not meant to be differentiated (sqrt has an infinite slope at 0 for equal groups).
     */
    public static NDArray std(NDArray x, int groupSize) {
        if (groupSize < 2) {
            throw new IllegalArgumentException("unbiased std needs a group size >= 2, got " + groupSize);
        }
        NDArray g = grouped(x, groupSize);
        NDArray dev = g.sub(g.mean(new int[] {1}, true));
        return dev.square().sum(new int[] {1}).div(Scalars.like(x, groupSize - 1)).sqrt();
    }

    /** Repeats each per-group value G times: (N/G,) -> (N,), aligned with the grouped input. */
    public static NDArray expand(NDArray perGroup, int groupSize) {
        return perGroup.repeat(0, groupSize);
    }

    private static NDArray grouped(NDArray x, int groupSize) {
        long n = x.size();
        if (groupSize < 1 || n % groupSize != 0) {
            throw new IllegalArgumentException("size " + n + " is not a multiple of the group size " + groupSize);
        }
        return x.reshape(n / groupSize, groupSize);
    }
}
