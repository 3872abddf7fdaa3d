package io.zerorl.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Picks the next token of each row from its logits, on the device.
 *
 * <p>Filters follow transformers' warpers in order: temperature, top-k, top-p
 * ({@code TopPLogitsWarper}: drop the smallest tokens whose cumulative probability is at most
 * {@code 1 - top_p}), min-p ({@code MinPLogitsWarper}: drop tokens below {@code min_p * max prob}).
 * DJL has no multinomial op, so sampling inverts the CDF: with one uniform number per row drawn in
 * Java from that row's own generator, the token is the number of CDF entries below {@code u * total}.
 * A row's samples therefore depend only on its seed, not on which other rows share the batch.
 *
 * <p>Reported log-probs are {@code log_softmax(logits / T)} of the chosen token, unfiltered (TRL).
 */
public final class Sampler {
    /** Added to filtered-out logits: exp() of the result is exactly 0 in float32. */
    private static final float DROP = -1e30f;

    private final SamplingParams params;
    /** Scratch rows of the host path (one sampler serves one generation, on one thread). */
    private float[] row;
    private double[] cdf;

    public Sampler(SamplingParams params) {
        this.params = params;
    }

    /** Chosen ids and their log-probs. */
    public record Picked(long[] tokens, float[] logprobs) {}

    /**
     * @param logits   (B, V) any float type
     * @param uniforms one number in [0, 1) per row (ignored when greedy)
     */
    public Picked pick(NDArray logits, double[] uniforms) {
        return pick(logits, uniforms, true);
    }

    /** As {@link #pick(NDArray, double[])}; {@code hostAllowed} false keeps every step on the device (tests). */
    Picked pick(NDArray logits, double[] uniforms, boolean hostAllowed) {
        NDManager m = logits.getManager();
        NDArray x = logits.toType(DataType.FLOAT32, false);
        long b = x.getShape().get(0);
        long v = x.getShape().get(1);
        NDArray tokens;
        NDArray logp;
        if (!params.doSample()) {
            tokens = x.argMax(1);
            logp = x.logSoftmax(1);
        } else {
            NDArray scaled = params.temperature() == 1.0 ? x : x.div(scalar(m, params.temperature()));
            logp = scaled.logSoftmax(1);
            NDArray filtered = scaled;
            if (params.topK() > 0 && params.topK() < v) {
                NDArray kth = filtered.topK(params.topK(), 1, true, true).get(0)
                        .get(new NDIndex().addAllDim().addSliceDim(params.topK() - 1, params.topK()));
                filtered = drop(filtered, filtered.lt(kth));
            }
            if (params.topP() < 1.0) {
                NDArray sorted = filtered.sort(1);
                NDArray cum = sorted.softmax(1).cumSum(1);
                NDArray removed = cum.lte(scalar(m, 1.0 - params.topP())).sum(new int[] {1}, true)
                        .minimum(m.full(new Shape(), v - 1, DataType.INT64));
                NDArray threshold = sorted.gather(removed, 1);
                filtered = drop(filtered, filtered.lt(threshold));
            }
            if (params.minP() > 0) {
                NDArray probs = filtered.softmax(1);
                NDArray floor = probs.max(new int[] {1}, true).mul(scalar(m, params.minP()));
                filtered = drop(filtered, probs.lt(floor));
            }
            NDArray probs = filtered.softmax(1);
            if (hostAllowed && onHost(probs)) {
                return pickOnHost(probs, logp, (int) b, (int) v, uniforms);
            }
            NDArray cdf = probs.toType(DataType.FLOAT64, false).cumSum(1);
            NDArray total = cdf.get(new NDIndex().addAllDim().addSliceDim(v - 1, v));
            NDArray u = m.create(uniforms, new Shape(b, 1));
            NDArray target = total.mul(u);
            tokens = cdf.lt(target).sum(new int[] {1}).minimum(m.full(new Shape(), v - 1, DataType.INT64));
        }
        NDArray chosen = tokens.toType(DataType.INT64, false).reshape(b, 1);
        float[] lp = logp.gather(chosen, 1).toFloatArray();
        return new Picked(chosen.toLongArray(), lp);
    }

    /**
     * On a CPU the inverse-CDF step runs in Java, reading the probabilities and log-probs where libtorch keeps them
     * (a direct view, no copy), instead of as eight tensor ops: a fixed JNI cost each at small shapes (about a sixth
     * of a tiny model's decode step at batch 1), and at a Qwen vocabulary a float64 copy, a sequential cumsum and
     * comparisons over the whole batch (7 ms a step at batch 4 against about 1 ms in Java). On a GPU the copy would
     * cost more than the ops, which stay on the device.
     */
    private static boolean onHost(NDArray probs) {
        return !probs.getDevice().isGpu();
    }

    /**
     * The device path's arithmetic, in the same order and precision, so both pick the same token bit for bit (checked
     * by SamplerTest): the float32 probabilities widened to float64 and summed left to right (torch's CPU cumsum), the
     * target {@code total * u}, the token = how many CDF entries lie below it (a binary search: the CDF of
     * non-negative terms never decreases), capped at V - 1; its log-prob read from {@code logp}.
     */
    private Picked pickOnHost(NDArray probs, NDArray logp, int b, int v, double[] uniforms) {
        FloatBuffer p = floats(probs);
        FloatBuffer lp = floats(logp);
        long[] tokens = new long[b];
        float[] chosen = new float[b];
        if (row == null || row.length != v) { // reused across steps: 12 bytes per vocabulary entry
            row = new float[v];
            cdf = new double[v];
        }
        for (int r = 0; r < b; r++) {
            int base = r * v;
            p.get(base, row, 0, v);
            double acc = 0;
            for (int i = 0; i < v; i++) {
                acc += row[i];
                cdf[i] = acc;
            }
            double target = cdf[v - 1] * uniforms[r];
            int lo = 0;
            int hi = v; // first index whose entry is >= target
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < target) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            int token = Math.min(lo, v - 1);
            tokens[r] = token;
            chosen[r] = lp.get(base + token);
        }
        return new Picked(tokens, chosen);
    }

    /** A float32 CPU array's values where libtorch keeps them (a copy only if it is not contiguous). */
    private static FloatBuffer floats(NDArray x) {
        return ((PtNDArray) x).toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static NDArray drop(NDArray logits, NDArray removeMask) {
        return logits.add(removeMask.toType(DataType.FLOAT32, false).mul(scalar(logits.getManager(), DROP)));
    }

    private static NDArray scalar(NDManager m, double v) {
        return m.full(new Shape(), (float) v, DataType.FLOAT32);
    }
}
