package io.zerorl.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import io.zerorl.tensor.Scalars;
import io.zerorl.tensor.TorchScript;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Whole-model gradient operations over parameters with gradients attached. Each {@code getGradient()} handle
 * is closed by a scope (docs/DJL-NOTES.md, hazard 6); the gradient storage itself is modified in place.
 */
public final class Grads {

    private Grads() {}

    /**
     * Per-gradient 2-norms in float32 (dtype 6), then the norm of those (torch.nn.utils.clip_grad_norm_'s arithmetic),
     * returned as float64 (dtype 7); scaling and zeroing with torch's foreach ops.
     */
    private static final String FOREACH = """
              def norm(self: __torch__.GradOps,
                grads: List[Tensor]) -> Tensor:
                norms = annotate(List[Tensor], [])
                for g in grads:
                  norms.append(torch.linalg_vector_norm(g, 2.0, None, False, dtype=6))
                return torch.to(torch.linalg_vector_norm(torch.stack(norms), 2.0), 7)
              def scale(self: __torch__.GradOps,
                grads: List[Tensor],
                factor: float) -> int:
                torch._foreach_mul_(grads, factor)
                return len(grads)
              def zero(self: __torch__.GradOps,
                grads: List[Tensor]) -> int:
                torch._foreach_zero_(grads)
                return len(grads)
            """;

    private static TorchScript ops() {
        return TorchScript.of("GradOps", FOREACH);
    }

    /** The gradient handles of the parameters that have one, closed by the caller's scope. */
    private static List<NDArray> gradients(Collection<NDArray> params) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray p : params) {
            if (p.hasGradient()) {
                out.add(p.getGradient());
            }
        }
        return out;
    }

    /**
     * sqrt(sum of squared gradients) over all parameters: each gradient's 2-norm in float32, then the 2-norm of those,
     * as torch.nn.utils.clip_grad_norm_ computes it (one call for the whole model); NaN/inf if any gradient is.
     */
    public static double globalNorm(Collection<NDArray> params) {
        return globalNorm(params, Arithmetic.FUSED);
    }

    public static double globalNorm(Collection<NDArray> params, Arithmetic arithmetic) {
        if (arithmetic == Arithmetic.PER_OP) {
            return globalNormPerOp(params);
        }
        try (NDScope scope = new NDScope()) {
            return normOf(gradients(params));
        }
    }

    /**
     * The global norm of gradients held apart from their parameters ({@link GradientBuffer}), in the fused arithmetic.
     */
    public static double normOf(List<NDArray> grads) {
        if (grads.isEmpty()) {
            return 0;
        }
        try (NDManager tmp = NDManager.newBaseManager(); IValue total = ops().call("norm", TorchScript.tensors(grads))) {
            PtNDArray t = total.toTensor((PtNDManager) tmp);
            return t.getDouble();
        }
    }

    /** {@link #clipGlobalNorm} for gradients held apart from their parameters. */
    public static double clipNormOf(List<NDArray> grads, double maxNorm) {
        double norm = normOf(grads);
        double coef = clipFactor(norm, maxNorm);
        if (coef < 1) {
            scaleAll(grads, coef);
        }
        return norm;
    }

    /** maxNorm / (norm + 1e-6), or 1 (leave the gradients alone) when that is not below 1 or the norm is not finite. */
    private static double clipFactor(double norm, double maxNorm) {
        double coef = maxNorm / (norm + 1e-6);
        return Double.isFinite(norm) && coef < 1 ? coef : 1;
    }

    /**
     * Global-norm clipping as torch.nn.utils.clip_grad_norm_: gradients are scaled by maxNorm / (norm + 1e-6)
     * when that is below 1. Returns the norm before clipping. All-zero gradients (a batch whose groups all have
     * equal rewards) are left untouched; a non-finite norm leaves gradients as they are, for the caller (or
     * {@link DynamicLossScaler}) to skip the step.
     */
    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
        return clipGlobalNorm(params, maxNorm, Arithmetic.FUSED);
    }

    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm, Arithmetic arithmetic) {
        if (arithmetic == Arithmetic.FUSED) {
            try (NDScope scope = new NDScope()) {
                return clipNormOf(gradients(params), maxNorm);
            }
        }
        double norm = globalNormPerOp(params);
        double coef = clipFactor(norm, maxNorm);
        if (coef < 1) {
            scalePerOp(params, coef);
        }
        return norm;
    }

    /** Multiplies every gradient by {@code factor} in place. */
    public static void scale(Collection<NDArray> params, double factor) {
        try (NDScope scope = new NDScope()) {
            scaleAll(gradients(params), factor);
        }
    }

    /** Multiplies gradient arrays by {@code factor} in place. */
    public static void scaleAll(List<NDArray> grads, double factor) {
        if (!grads.isEmpty()) {
            ops().call("scale", TorchScript.tensors(grads), TorchScript.number(factor)).close();
        }
    }

    /** {@link Arithmetic#PER_OP}: each gradient's sum of squares in float32, added up in float32. */
    private static double globalNormPerOp(Collection<NDArray> params) {
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

    /** {@link Arithmetic#PER_OP}: one multiplication by a float32 scalar per gradient. */
    private static void scalePerOp(Collection<NDArray> params, double factor) {
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
                    if (!finite(p.getGradient())) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** {@link #allFinite} for gradient arrays. */
    public static boolean allFiniteOf(List<NDArray> grads) {
        for (NDArray g : grads) {
            try (NDScope perGradient = new NDScope()) {
                if (!finite(g)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean finite(NDArray g) {
        return !(g.isInfinite().any().getBoolean() || g.isNaN().any().getBoolean());
    }

    /** Sets gradients to 0 by assignment (multiplying by 0 would keep NaN/inf from an overflowed step). */
    public static void zero(Collection<NDArray> params) {
        try (NDScope scope = new NDScope()) {
            List<NDArray> grads = gradients(params);
            if (!grads.isEmpty()) {
                ops().call("zero", TorchScript.tensors(grads)).close();
            }
        }
    }
}
