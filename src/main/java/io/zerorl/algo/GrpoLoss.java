package io.zerorl.algo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.zerorl.tensor.LogProbs;
import io.zerorl.tensor.Scalars;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GRPO objective as a function of the policy log-probs (TRL {@code GRPOTrainer._compute_loss}, verl
 * {@code core_algos.py}): per token, policyLoss(r, A) + beta * KL(policy || ref), aggregated by loss type.
 *
 * <p>Micro-batching with gradient accumulation: build one {@link LossNormalizer} from the mask of the whole
 * optimizer batch, call {@link #compute(LossInputs, LossNormalizer)} per micro-batch with it and backward each
 * loss; gradients then add up to the full-batch gradient and the losses sum to the full-batch loss (do NOT also
 * divide by the number of micro-batches). Metrics are per micro-batch token means; average them weighted by
 * {@code num_tokens}.
 *
 * <p>Metrics: {@code clip_ratio/low_mean} (r < 1 - eps_low and A < 0), {@code clip_ratio/high_mean}
 * (r > 1 + eps_high and A > 0), {@code clip_ratio/region_mean} (their sum) as in TRL; {@code kl} (mean of the
 * configured estimator, when refLogp is given), {@code entropy} (when logits are given), {@code ratio/mean},
 * {@code ratio/min}, {@code ratio/max}, {@code num_tokens}, {@code loss}.
 */
public final class GrpoLoss {
    private final GrpoLossConfig config;
    private final PolicyLoss policyLoss;
    private final KlEstimator kl;
    private final LossAggregation aggregation;

    public GrpoLoss(GrpoLossConfig config) {
        this.config = config;
        this.policyLoss = PolicyLosses.get(config.policyLoss());
        this.kl = KlEstimators.get(config.klEstimator());
        this.aggregation = LossAggregations.get(config.lossType());
    }

    public GrpoLossConfig config() {
        return config;
    }

    /** A single batch that is not split: the normalizer comes from its own mask. */
    public LossResult compute(LossInputs in) {
        return compute(in, LossNormalizer.of(in.mask()));
    }

    /** One micro-batch of a larger optimizer batch whose counts are in {@code normalizer}. */
    public LossResult compute(LossInputs in, LossNormalizer normalizer) {
        NDArray logp = in.logp();
        NDArray old = in.oldLogp() != null ? in.oldLogp() : logp.stopGradient();
        NDArray adv = in.advantages().getShape().dimension() == 1 ? in.advantages().expandDims(1) : in.advantages();
        adv = adv.getDataType() == logp.getDataType() ? adv : adv.toType(logp.getDataType(), false);
        if (config.beta() > 0 && in.refLogp() == null) {
            throw new IllegalArgumentException("beta = " + config.beta() + " needs reference log-probs");
        }

        NDArray perToken = policyLoss.perToken(logp, old, adv, config);
        NDArray klTokens = null;
        if (config.beta() > 0) {
            klTokens = kl.compute(logp, in.refLogp());
            perToken = perToken.add(klTokens.mul(Scalars.like(logp, config.beta())));
        } else if (in.refLogp() != null) {
            klTokens = kl.compute(logp.stopGradient(), in.refLogp());
        }
        NDArray loss = aggregation.aggregate(perToken, in.mask(), normalizer);

        NDArray advantages = adv;
        NDArray kls = klTokens;
        return new LossResult(loss, () -> {
            Map<String, Double> metrics = metrics(in, old, advantages, kls);
            metrics.put("loss", (double) loss.toType(DataType.FLOAT32, false).getFloat());
            return metrics;
        });
    }

    /** Token-masked metrics computed in Java (double) from detached copies; B*T values only. */
    private Map<String, Double> metrics(LossInputs in, NDArray old, NDArray adv, NDArray klTokens) {
        long[] shape = in.logp().getShape().getShape();
        int b = (int) shape[0];
        int t = (int) shape[1];
        float[] lp = floats(in.logp());
        float[] olp = floats(old);
        float[] mask = floats(in.mask());
        float[] a = floats(adv);
        boolean perTokenAdv = a.length == lp.length;
        float[] klv = klTokens == null ? null : floats(klTokens);
        float[] ent = null;
        if (in.logits() != null) {
            try (NDArray detached = in.logits().stopGradient(); NDArray e = LogProbs.entropy(detached)) {
                ent = floats(e);
            }
        }

        double n = 0, low = 0, high = 0, rSum = 0, klSum = 0, entSum = 0;
        double rMin = Double.POSITIVE_INFINITY, rMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                int k = i * t + j;
                if (mask[k] == 0) {
                    continue;
                }
                double r = Math.exp((double) lp[k] - olp[k]);
                double ak = a[perTokenAdv ? k : i];
                n++;
                low += r < 1 - config.epsilonLow() && ak < 0 ? 1 : 0;
                high += r > 1 + config.epsilonHigh() && ak > 0 ? 1 : 0;
                rSum += r;
                rMin = Math.min(rMin, r);
                rMax = Math.max(rMax, r);
                klSum += klv == null ? 0 : klv[k];
                entSum += ent == null ? 0 : ent[k];
            }
        }
        double d = Math.max(n, 1);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("clip_ratio/low_mean", low / d);
        m.put("clip_ratio/high_mean", high / d);
        m.put("clip_ratio/region_mean", (low + high) / d);
        if (klv != null) {
            m.put("kl", klSum / d);
        }
        if (ent != null) {
            m.put("entropy", entSum / d);
        }
        m.put("ratio/mean", n == 0 ? Double.NaN : rSum / n);
        m.put("ratio/min", n == 0 ? Double.NaN : rMin);
        m.put("ratio/max", n == 0 ? Double.NaN : rMax);
        m.put("num_tokens", n);
        return m;
    }

    private static float[] floats(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x.toFloatArray() : x.toType(DataType.FLOAT32, false).toFloatArray();
    }
}
