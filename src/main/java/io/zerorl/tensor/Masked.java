package io.zerorl.tensor;

import ai.djl.ndarray.NDArray;

/**
 * Sums and means over the positions where a 0/1 mask is set (verl {@code masked_mean}/{@code masked_sum}).
 * {@code x} and {@code mask} have the same shape, e.g. (batch, completion_len); the mask may be of any dtype
 * and is cast to x's. Masked positions are multiplied by 0, so x must be finite there (no -inf padding).
 * Differentiable in x.
 */
public final class Masked {
    private Masked() {}

    /** sum(x * mask) over all elements: a 0-dim array. */
    public static NDArray sum(NDArray x, NDArray mask) {
        return x.mul(as(mask, x)).sum();
    }

    /** sum(x * mask) over {@code axis}: (B,T), axis 1 -> (B,). */
    public static NDArray sum(NDArray x, NDArray mask, int axis) {
        return x.mul(as(mask, x)).sum(new int[] {axis});
    }

    /** sum(x * mask) / max(sum(mask), 1) over all elements: a 0-dim array. */
    public static NDArray mean(NDArray x, NDArray mask) {
        NDArray m = as(mask, x);
        return x.mul(m).sum().div(m.sum().maximum(Scalars.like(x, 1)));
    }

    /** Mean over {@code axis} counting only masked positions; an all-zero row gives 0 (count clamped to 1, as TRL). */
    public static NDArray mean(NDArray x, NDArray mask, int axis) {
        NDArray m = as(mask, x);
        int[] ax = {axis};
        return x.mul(m).sum(ax).div(m.sum(ax).maximum(Scalars.like(x, 1)));
    }

    static NDArray as(NDArray mask, NDArray x) {
        return mask.getDataType() == x.getDataType() ? mask : mask.toType(x.getDataType(), false);
    }
}
