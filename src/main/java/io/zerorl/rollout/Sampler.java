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

    /** Vocabulary entries per block of the host path's running sums. */
    private static final int BLOCK = 1024;

    private final SamplingParams params;

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
     * target {@code total * u}, the token = how many CDF entries lie below it (the CDF of non-negative terms never
     * decreases), capped at V - 1; its log-prob read from {@code logp}.
     *
     * <p>No vocabulary-sized scratch: the first pass keeps the running sum at the end of every block of {@value #BLOCK}
     * entries, the second re-adds, from the sum before it, only the block where the CDF reaches the target (the same
     * additions in the same order, so the same values). A float and a double array per generation (1.8 MB at a Qwen
     * vocabulary) lived through the whole generation, so young collections promoted them: about 1.5 MB of old
     * generation per {@code generate} call, resident until a full collection.
     */
    private static Picked pickOnHost(NDArray probs, NDArray logp, int b, int v, double[] uniforms) {
        FloatBuffer p = floats(probs);
        FloatBuffer lp = floats(logp);
        long[] tokens = new long[b];
        float[] chosen = new float[b];
        float[] chunk = new float[Math.min(BLOCK, v)];
        double[] blockEnd = new double[(v + BLOCK - 1) / BLOCK];
        for (int r = 0; r < b; r++) {
            int base = r * v;
            double acc = 0;
            for (int blk = 0, from = 0; from < v; blk++, from += BLOCK) {
                int len = Math.min(BLOCK, v - from);
                p.get(base + from, chunk, 0, len);
                for (int i = 0; i < len; i++) {
                    acc += chunk[i];
                }
                blockEnd[blk] = acc;
            }
            double target = acc * uniforms[r];
            int token = v; // the first index whose CDF entry is not below the target
            for (int blk = 0; blk < blockEnd.length; blk++) {
                if (!(blockEnd[blk] < target)) {
                    int from = blk * BLOCK;
                    int len = Math.min(BLOCK, v - from);
                    p.get(base + from, chunk, 0, len);
                    double run = blk == 0 ? 0 : blockEnd[blk - 1];
                    for (int i = 0; i < len; i++) {
                        run += chunk[i];
                        if (!(run < target)) {
                            token = from + i;
                            break;
                        }
                    }
                    break;
                }
            }
            token = Math.min(token, v - 1);
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
