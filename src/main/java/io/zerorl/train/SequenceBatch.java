package io.zerorl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Prompt + completion token ids laid out for one training forward pass (TRL {@code GRPOTrainer}): prompts
 * left-padded to the batch's longest prompt P, completions right-padded to the longest completion C, so every
 * completion starts at column P. Built in Java; {@link #tensors} makes the int64/float32 arrays in a caller's
 * (per-step) manager.
 *
 * <p>Shapes: ids, attention mask, position ids (B, P + C); completion ids and completion mask (B, C).
 * Position ids are cumsum(mask) - 1 clamped at 0, as in the fixtures and transformers' generate.
 */
public final class SequenceBatch {
    private final int rows;
    private final int promptWidth;
    private final int completionWidth;
    private final long[] ids;
    private final long[] mask;
    private final long[] positions;
    private final long[] completionIds;
    private final float[] completionMask;

    /** Tensors of one batch, in the manager given to {@link #tensors}. */
    public record Tensors(NDArray ids, NDArray attentionMask, NDArray positionIds, NDArray completionIds,
                          NDArray completionMask, int promptWidth) {}

    /**
     * @param prompts     unpadded prompt ids per row
     * @param completions completion ids per row (EOS included)
     * @param keep        per row: whether its completion tokens count in the loss (false masks the whole row,
     *                    e.g. DAPO's masking of truncated completions); null keeps every row
     */
    public SequenceBatch(List<int[]> prompts, List<int[]> completions, boolean[] keep) {
        if (prompts.size() != completions.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need as many prompts as completions (and at least one)");
        }
        rows = prompts.size();
        int p = 0;
        int c = 1;
        for (int i = 0; i < rows; i++) {
            p = Math.max(p, prompts.get(i).length);
            c = Math.max(c, completions.get(i).length);
        }
        promptWidth = p;
        completionWidth = c;
        int width = p + c;
        ids = new long[rows * width];
        mask = new long[rows * width];
        positions = new long[rows * width];
        completionIds = new long[rows * c];
        completionMask = new float[rows * c];
        for (int i = 0; i < rows; i++) {
            int[] pr = prompts.get(i);
            int[] co = completions.get(i);
            int off = i * width;
            int pad = p - pr.length;
            for (int j = 0; j < pr.length; j++) {
                ids[off + pad + j] = pr[j];
                mask[off + pad + j] = 1;
            }
            for (int j = 0; j < co.length; j++) {
                ids[off + p + j] = co[j];
                mask[off + p + j] = 1;
                completionIds[i * c + j] = co[j];
                completionMask[i * c + j] = keep == null || keep[i] ? 1f : 0f;
            }
            long seen = 0;
            for (int j = 0; j < width; j++) {
                seen += mask[off + j];
                positions[off + j] = Math.max(0, seen - 1);
            }
        }
    }

    /** From already laid-out tensors (the GRPO fixture): ids (B, L) with the completion from column P on. */
    public static Tensors fromLayout(NDManager m, long[][] ids, long[][] attentionMask, long[][] positionIds,
                                     float[][] completionMask, int promptWidth) {
        int b = ids.length;
        int l = ids[0].length;
        int c = completionMask[0].length;
        long[] fi = new long[b * l];
        long[] fm = new long[b * l];
        long[] fp = new long[b * l];
        long[] ci = new long[b * c];
        float[] cm = new float[b * c];
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids[i], 0, fi, i * l, l);
            System.arraycopy(attentionMask[i], 0, fm, i * l, l);
            System.arraycopy(positionIds[i], 0, fp, i * l, l);
            System.arraycopy(ids[i], promptWidth, ci, i * c, c);
            System.arraycopy(completionMask[i], 0, cm, i * c, c);
        }
        return new Tensors(longs(m, fi, b, l), longs(m, fm, b, l), longs(m, fp, b, l), longs(m, ci, b, c),
                floats(m, cm, b, c), promptWidth);
    }

    public int rows() {
        return rows;
    }

    public int promptWidth() {
        return promptWidth;
    }

    public int completionWidth() {
        return completionWidth;
    }

    /** Rows [from, to) as tensors owned by {@code m}. */
    public Tensors tensors(NDManager m, int from, int to) {
        int b = to - from;
        int width = promptWidth + completionWidth;
        return new Tensors(
                longs(m, slice(ids, from * width, b * width), b, width),
                longs(m, slice(mask, from * width, b * width), b, width),
                longs(m, slice(positions, from * width, b * width), b, width),
                longs(m, slice(completionIds, from * completionWidth, b * completionWidth), b, completionWidth),
                floats(m, slice(completionMask, from * completionWidth, b * completionWidth), b, completionWidth),
                promptWidth);
    }

    /** The completion mask of all rows (B, C). */
    public NDArray completionMask(NDManager m) {
        return floats(m, completionMask, rows, completionWidth);
    }

    /** Number of unmasked completion tokens in rows [from, to). */
    public long tokens(int from, int to) {
        long n = 0;
        for (int i = from * completionWidth; i < to * completionWidth; i++) {
            n += completionMask[i] != 0 ? 1 : 0;
        }
        return n;
    }

    private static long[] slice(long[] a, int from, int n) {
        long[] out = new long[n];
        System.arraycopy(a, from, out, 0, n);
        return out;
    }

    private static float[] slice(float[] a, int from, int n) {
        float[] out = new float[n];
        System.arraycopy(a, from, out, 0, n);
        return out;
    }

    // create() wraps Java memory; duplicate() gives torch-owned arrays (docs/DJL-NOTES.md, hazard 2)
    private static NDArray longs(NDManager m, long[] v, int b, int t) {
        try (NDArray view = m.create(v, new Shape(b, t))) {
            return view.duplicate();
        }
    }

    private static NDArray floats(NDManager m, float[] v, int b, int t) {
        try (NDArray view = m.create(v, new Shape(b, t))) {
            return view.duplicate().toType(DataType.FLOAT32, false);
        }
    }
}
