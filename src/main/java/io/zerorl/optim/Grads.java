package io.zerorl.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.zerorl.tensor.Scalars;

import java.util.Collection;

/**
 * Whole-model gradient operations over parameters with gradients attached. Each {@code getGradient()} handle
 * is closed by a scope (docs/DJL-NOTES.md, hazard 6); the gradient storage itself is modified in place.
 */
public final class Grads {
    private static final NDIndex ALL = new NDIndex("...");

    private Grads() {}

    /** sqrt(sum of squared gradients) over all parameters, accumulated in float32; NaN/inf if any is. */
    public static double globalNorm(Collection<NDArray> params) {
        // the running total is a 0-dim array held outside the per-parameter scopes, which free each parameter's
        // squared copy before the next (one scope around the loop kept 4 B per trained parameter alive)
        NDArray total = null;
        try {
            for (NDArray p : params) {
                if (!p.hasGradient()) {
                    continue;
                }
                try (NDScope perParameter = new NDScope()) {
                    NDArray g = p.getGradient();
                    NDArray sq = (g.getDataType() == DataType.FLOAT32 ? g : g.toType(DataType.FLOAT32, false))
                            .square().sum();
                    NDArray next = total == null ? sq : total.add(sq);
                    NDScope.unregister(next);
                    if (total != null) {
                        total.close();
                    }
                    total = next;
                }
            }
            if (total == null) {
                return 0;
            }
            try (NDArray t64 = total.toType(DataType.FLOAT64, false)) {
                return Math.sqrt(t64.getDouble());
            }
        } finally {
            if (total != null) {
                total.close();
            }
        }
    }

    /**
     * Global-norm clipping as torch.nn.utils.clip_grad_norm_: gradients are scaled by maxNorm / (norm + 1e-6)
     * when that is below 1. Returns the norm before clipping. All-zero gradients (a batch whose groups all have
     * equal rewards) are left untouched; a non-finite norm leaves gradients as they are, for the caller (or
     * {@link DynamicLossScaler}) to skip the step.
     */
    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
        double norm = globalNorm(params);
        double coef = maxNorm / (norm + 1e-6);
        if (Double.isFinite(norm) && coef < 1) {
            scale(params, coef);
        }
        return norm;
    }

    /** Multiplies every gradient by {@code factor} in place. */
    public static void scale(Collection<NDArray> params, double factor) {
        try (NDScope scope = new NDScope()) {
            for (NDArray p : params) {
                if (p.hasGradient()) {
                    NDArray g = p.getGradient();
                    g.muli(Scalars.like(g, factor));
                }
            }
        }
    }

    /** True when no gradient holds an inf or NaN. */
    public static boolean allFinite(Collection<NDArray> params) {
        for (NDArray p : params) {
            if (p.hasGradient()) {
                // a scope per parameter: the boolean masks are as large as the parameter
                try (NDScope perParameter = new NDScope()) {
                    NDArray g = p.getGradient();
                    if (g.isInfinite().any().getBoolean() || g.isNaN().any().getBoolean()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Sets gradients to 0 by assignment (multiplying by 0 would keep NaN/inf from an overflowed step). */
    public static void zero(Collection<NDArray> params) {
        try (NDScope scope = new NDScope()) {
            for (NDArray p : params) {
                if (p.hasGradient()) {
                    NDArray g = p.getGradient();
                    g.set(ALL, Scalars.like(g, 0));
                }
            }
        }
    }
}
