package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** The few fused or composite ops the transformer needs; all differentiable, no Java-backed constants. */
public final class Ops {
    private Ops() {}

    /** {@code x @ w^T + b} through torch's fused {@code linear}; {@code w} is (out, in) as in HF checkpoints. */
    public static NDArray linear(NDArray x, NDArray w, NDArray bias) {
        return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
    }

    public static NDArray linear(NDArray x, NDArray w) {
        return linear(x, w, null);
    }

    /** Rows of {@code table} picked by integer {@code ids} (any shape): torch's differentiable embedding. */
    public static NDArray rows(NDArray table, NDArray ids) {
        NDList out = ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE);
        return out.singletonOrThrow();
    }

    /**
     * Positions {@code [from, to)} of {@code axis}, a view (torch's {@code slice}, differentiable) in {@code x}'s
     * manager: one JNI call where DJL's {@code get(NDIndex)} makes five.
     */
    public static NDArray slice(NDArray x, int axis, long from, long to) {
        return JniUtils.slice((PtNDArray) x, axis, from, to, 1);
    }

    /**
     * {@code condition ? ifTrue : ifFalse} elementwise with broadcasting (torch's {@code where}; DJL's refuses shapes
     * that differ), in {@code condition}'s manager: the branches may be long-lived constants.
     */
    public static NDArray where(NDArray condition, NDArray ifTrue, NDArray ifFalse) {
        NDArray out = JniUtils.where((PtNDArray) condition, (PtNDArray) ifTrue, (PtNDArray) ifFalse);
        out.attach(condition.getManager());
        return out;
    }

    /** RMSNorm over the last axis: {@code x / sqrt(mean(x^2) + eps) * w}, computed in the input dtype. */
    public static NDArray rmsNorm(NDArray x, NDArray w, NDArray eps) {
        // each intermediate is closed once used (autograd keeps what its backward needs): a long prefill's layer then
        // holds a few arrays at a time, not all of them until the layer's scope ends
        NDArray sq = x.square();
        NDArray ms = sq.mean(new int[] {-1}, true);
        sq.close();
        NDArray shifted = ms.add(eps);
        ms.close();
        NDArray rms = shifted.sqrt();
        shifted.close();
        NDArray normed = x.div(rms);
        rms.close();
        NDArray out = normed.mul(w);
        normed.close();
        return out;
    }

    /** SiLU written as {@code x * sigmoid(x)}: DJL's swish uses a Java-backed constant. */
    public static NDArray silu(NDArray x) {
        NDArray sig = x.getNDArrayInternal().sigmoid();
        NDArray out = x.mul(sig);
        sig.close();
        return out;
    }

    /** SwiGLU feed-forward: {@code down(silu(gate(x)) * up(x))}. */
    public static NDArray swiglu(NDArray x, NDArray gate, NDArray up, NDArray down) {
        return linear(silu(linear(x, gate)).mul(linear(x, up)), down);
    }
}
