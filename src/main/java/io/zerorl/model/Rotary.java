package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embeddings: default, linear, {@code llama3} and {@code yarn} frequency schedules
 * (transformers {@code modeling_rope_utils.py}), applied in the rotate-half layout; DeepSeek's
 * interleaved layout is first de-interleaved, as transformers' {@code apply_rotary_pos_emb_interleave}.
 */
public final class Rotary {
    private final RopeConfig config;
    private final int dim;
    private final float[] invFreq;
    private final double attentionFactor;

    public Rotary(RopeConfig config, int dim) {
        this.config = config;
        this.dim = dim;
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(config.theta(), (2.0 * i) / dim);
        }
        double factor = 1.0;
        switch (config.type()) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= config.factor();
                }
            }
            case "llama3" -> llama3(inv);
            case "yarn" -> factor = yarn(inv);
            default -> { }
        }
        this.attentionFactor = factor;
        this.invFreq = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            invFreq[i] = (float) inv[i];
        }
    }

    public float[] invFreq() {
        return invFreq.clone();
    }

    public double attentionFactor() {
        return attentionFactor;
    }

    /** Llama 3.1 frequency-dependent scaling of long wavelengths. */
    private void llama3(double[] inv) {
        double factor = config.factor();
        double lowWave = config.originalMaxPositions() / config.lowFreqFactor();
        double highWave = config.originalMaxPositions() / config.highFreqFactor();
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowWave) {
                inv[i] = inv[i] / factor;
            } else if (wavelen >= highWave) {
                double smooth = (config.originalMaxPositions() / wavelen - config.lowFreqFactor())
                        / (config.highFreqFactor() - config.lowFreqFactor());
                inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
            }
        }
    }

    /** YaRN: blends interpolated and extrapolated frequencies; returns the cos/sin attention factor. */
    private double yarn(double[] inv) {
        double factor = config.factor();
        double base = config.theta();
        int orig = config.originalMaxPositions();
        double low = correctionDim(config.betaFast(), base, orig);
        double high = correctionDim(config.betaSlow(), base, orig);
        if (config.truncate()) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) {
            high += 0.001;
        }
        for (int i = 0; i < inv.length; i++) {
            double extrapolation = inv[i];
            double interpolation = inv[i] / factor;
            double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double extrapolationFactor = 1 - ramp;
            inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        if (config.attentionFactor() != null) {
            return config.attentionFactor();
        }
        if (config.mscale() != 0 && config.mscaleAllDim() != 0) {
            return RopeConfig.yarnMscale(factor, config.mscale()) / RopeConfig.yarnMscale(factor, config.mscaleAllDim());
        }
        return RopeConfig.yarnMscale(factor, 1.0);
    }

    private double correctionDim(double rotations, double base, int maxPositions) {
        return dim * Math.log(maxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /** Cosine and sine tables for position ids (B, T): each (B, 1, T, dim), in {@code type}. */
    public NDArray[] cosSin(NDArray positionIds, NDArray invFreqArray, NDArray factorScalar, DataType type) {
        NDArray angles = positionIds.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreqArray);
        NDArray emb = NDArrays.concat(new NDList(angles, angles), 2).expandDims(1);
        NDArray cos = emb.cos();
        NDArray sin = emb.sin();
        if (attentionFactor != 1.0) {
            cos = cos.mul(factorScalar);
            sin = sin.mul(factorScalar);
        }
        if (type != DataType.FLOAT32) {
            cos = cos.toType(type, false);
            sin = sin.toType(type, false);
        }
        return new NDArray[] {cos, sin};
    }

    public NDArray invFreqArray(NDManager manager) {
        return manager.create(invFreq).duplicate();
    }

    /** Applies the rotation to x (B, heads, T, dim) with cos/sin (B, 1, T, dim). */
    public NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        if (config.interleave()) {
            long[] s = x.getShape().getShape();
            x = x.reshape(s[0], s[1], s[2], s[3] / 2, 2).transpose(0, 1, 2, 4, 3).reshape(s);
        }
        int last = x.getShape().dimension() - 1;
        NDList halves = x.split(2, last);
        NDArray neg = halves.get(1).neg();
        NDArray rotated = NDArrays.concat(new NDList(neg, halves.get(0)), last);
        neg.close();
        halves.close();
        NDArray a = x.mul(cos);
        NDArray b = rotated.mul(sin);
        rotated.close();
        NDArray out = a.add(b);
        a.close();
        b.close();
        return out;
    }
}
