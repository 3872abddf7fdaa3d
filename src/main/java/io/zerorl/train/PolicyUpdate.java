package io.zerorl.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.zerorl.algo.GrpoLoss;
import io.zerorl.algo.LossInputs;
import io.zerorl.algo.LossNormalizer;
import io.zerorl.algo.LossResult;
import io.zerorl.model.CheckpointedBackward;
import io.zerorl.model.LoraAdapters;
import io.zerorl.model.NoGrad;
import io.zerorl.model.Policy;
import io.zerorl.model.RoutingStats;
import io.zerorl.optim.AdamW;
import io.zerorl.optim.DynamicLossScaler;
import io.zerorl.optim.GradientBuffer;
import io.zerorl.optim.Grads;
import io.zerorl.recipe.Recipe;
import io.zerorl.run.MetricNames;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.Seeds;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The second half of a GRPO step: {@code num_iterations} (mu) optimizer steps over the same rollouts. Each pass
 * accumulates gradients over micro-batches, every micro-batch's loss normalised with one {@link LossNormalizer}
 * for the whole batch (so the sum is the batch's loss), plus the MoE load-balancing loss when its coefficient is
 * &gt; 0; then loss-scaler unscaling (fp16), global-norm clipping and the AdamW step, skipped when a gradient is
 * not finite. Old log-probs (mu &gt; 1) and reference log-probs (beta &gt; 0) are computed once, before the first
 * pass, without gradients.
 *
 * <p>Memory: the batch's arrays live in a manager closed at the end of {@link #run}, each micro-batch's in a
 * sub-manager closed after its backward pass (docs/DJL-NOTES.md, hazard 6).
 */
final class PolicyUpdate implements AutoCloseable {
    /**
     * What the update measured, on the last pass.
     *
     * @param lossMetrics the policy loss's own metrics (kl, entropy, clip ratios, ratio/mean), token-weighted over
     *                    micro-batches
     * @param loss        the batch's loss (sum over micro-batches)
     * @param numTokens   completion tokens in the loss
     * @param trainTokens positions run through the model per pass (rows x padded width)
     * @param auxLoss     the load-balancing loss (batch mean), null when off
     * @param skipped     whether an optimizer step was skipped (a gradient was not finite)
     */
    record Result(Map<String, Double> lossMetrics, double loss, double gradNorm, double numTokens, double trainTokens,
                  Double auxLoss, boolean skipped) {}

    private static final NDIndex ALL = new NDIndex("...");

    private final Policy policy;
    private final Policy ref;
    private final boolean refIsBase;
    private final Map<String, NDArray> trainable;
    private final AdamW optimizer;
    /** Gradients of the plain (not checkpointed) backward, freed after each optimizer step. */
    private final GradientBuffer gradients;
    private final DynamicLossScaler scaler;
    private final GrpoLoss loss;
    private final Recipe.Train train;
    private final double temperature;
    private final int maxNewTokens;
    private final double maxGradNorm;
    private final Device device;
    private final DataType dtype;

    /**
     * @param ref       the reference model, or null (beta = 0, or LoRA)
     * @param refIsBase the reference is the policy with its LoRA adapters switched off
     * @param trainable the parameters to update (their gradients are switched on here)
     * @param decay     which of them get weight decay
     */
    PolicyUpdate(Policy policy, Policy ref, boolean refIsBase, Map<String, NDArray> trainable, Predicate<String> decay,
                 Recipe recipe, Device device, DataType dtype) {
        this.policy = policy;
        this.ref = ref;
        this.refIsBase = refIsBase;
        this.trainable = trainable;
        trainable.values().forEach(p -> p.setRequiresGradient(true));
        this.loss = new GrpoLoss(recipe.algo());
        this.optimizer = new AdamW(trainable, recipe.optim().adam(), decay);
        this.gradients = new GradientBuffer(trainable);
        this.scaler = dtype == DataType.FLOAT16 ? new DynamicLossScaler(recipe.train().lossScaleInit(), 2, 0.5,
                recipe.train().lossScaleGrowthInterval()) : null;
        this.train = recipe.train();
        this.temperature = recipe.rollout().temperature();
        this.maxNewTokens = recipe.rollout().maxNewTokens();
        this.maxGradNorm = recipe.optim().maxGradNorm();
        this.device = device;
        this.dtype = dtype;
    }

    AdamW optimizer() {
        return optimizer;
    }

    /** The fp16 loss scaler, or null in float32. */
    DynamicLossScaler scaler() {
        return scaler;
    }

    /**
     * mu optimizer steps over {@code batch} with one advantage per row, at learning rate {@code lr}; {@code seed}
     * seeds LoRA dropout (so a resumed run draws the same masks).
     */
    Result run(SequenceBatch batch, float[] advantages, double lr, long seed) {
        Sums sums = new Sums();
        Step last = null;
        boolean skipped = false;
        try (NDManager sm = NDManager.newBaseManager(device)) {
            LossNormalizer norm = LossNormalizer.of(batch.completionMask(sm), maxNewTokens);
            NDArray adv;
            try (NDArray view = sm.create(advantages)) {
                adv = view.duplicate();
            }
            Fixed fixed = fixedLogProbs(batch, sm);
            for (int it = 0; it < train.numIterations(); it++) {
                boolean lastPass = it == train.numIterations() - 1;
                int k = 0;
                for (int from = 0; from < batch.rows(); from += train.microBatchSize(), k++) {
                    int to = Math.min(batch.rows(), from + train.microBatchSize());
                    long stepSeed = Seeds.mix(seed, it * 100_003L + k);
                    seedDropout(stepSeed);
                    microStep(batch, from, to, adv, fixed, k, norm, sm, lastPass ? sums : null, stepSeed);
                }
                last = optimizerStep(lr);
                skipped |= !last.taken();
            }
        }
        double trainTokens = (double) batch.rows() * (batch.promptWidth() + batch.completionWidth());
        return new Result(sums.means(), sums.loss, last.gradNorm(), sums.tokens, trainTokens,
                train.moe().routerAuxLossCoef() > 0 ? sums.aux : null, skipped);
    }

    /** Log-probs that stay fixed during the update, one per micro-batch: old (mu > 1) and reference (beta > 0). */
    private record Fixed(List<NDArray> old, List<NDArray> ref) {
        NDArray oldAt(int k) {
            return old.isEmpty() ? null : old.get(k);
        }

        NDArray refAt(int k) {
            return ref.isEmpty() ? null : ref.get(k);
        }
    }

    private Fixed fixedLogProbs(SequenceBatch batch, NDManager sm) {
        List<NDArray> old = new ArrayList<>();
        List<NDArray> refLp = new ArrayList<>();
        if (train.numIterations() == 1 && ref == null && !refIsBase) {
            return new Fixed(old, refLp);
        }
        try (NoGrad ng = new NoGrad()) {
            for (int from = 0; from < batch.rows(); from += train.microBatchSize()) {
                int to = Math.min(batch.rows(), from + train.microBatchSize());
                try (NDManager mm = sm.newSubManager()) {
                    SequenceBatch.Tensors t = batch.tensors(mm, from, to);
                    if (train.numIterations() > 1) {
                        NDArray lp = TokenLogProbs.compute(policy, t, temperature, null).logp();
                        lp.attach(sm);
                        old.add(lp);
                    }
                    if (ref != null || refIsBase) {
                        NDArray lp = referenceLogProbs(t);
                        lp.attach(sm);
                        refLp.add(lp);
                    }
                }
            }
        }
        return new Fixed(old, refLp);
    }

    private NDArray referenceLogProbs(SequenceBatch.Tensors t) {
        if (ref != null) {
            return TokenLogProbs.compute(ref, t, temperature, null).logp();
        }
        try (Policy.AdaptersOff off = policy.adaptersOff()) {
            return TokenLogProbs.compute(policy, t, temperature, null).logp();
        }
    }

    /** LoRA dropout draws from torch's generator: reseed it per (step, pass, micro-batch). */
    private void seedDropout(long stepSeed) {
        LoraAdapters lora = policy.adapters();
        if (lora != null && lora.config().dropout() > 0) {
            Engine.getInstance().setRandomSeed((int) stepSeed);
        }
    }

    /**
     * Forward and backward of rows {@code from..to}: the policy loss, plus the load-balancing loss weighted by the
     * micro-batch's share of the batch (so the accumulated sum is the batch mean), scaled for fp16. Metrics go into
     * {@code sums} when it is given (the last pass).
     */
    private void microStep(SequenceBatch batch, int from, int to, NDArray adv, Fixed fixed, int k,
                           LossNormalizer norm, NDManager sm, Sums sums, long stepSeed) {
        double aux = train.moe().routerAuxLossCoef();
        int b = batch.rows();
        try (NDManager mm = sm.newSubManager()) {
            SequenceBatch.Tensors t = batch.tensors(mm, from, to);
            if (train.activationCheckpointing()) {
                checkpointedStep(t, from, to, b, adv, fixed, k, norm, sums, stepSeed);
                return;
            }
            RoutingStats routing = aux > 0 ? new RoutingStats() : null;
            LossResult r;
            double auxValue = 0;
            LoraAdapters lora = policy.adapters();
            if (lora != null) {
                lora.training(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                TokenLogProbs.Result lp = TokenLogProbs.compute(policy, t, temperature, routing);
                NDArray advMb = adv.get(new NDIndex("{}:{}", from, to));
                r = loss.compute(new LossInputs(lp.logp(), fixed.oldAt(k), fixed.refAt(k), advMb, t.completionMask(),
                        lp.logits()), norm);
                NDArray total = r.loss();
                if (routing != null && !routing.layers().isEmpty()) {
                    NDArray lb = routing.loadBalancingLoss(mm);
                    auxValue = lb.toType(DataType.FLOAT32, false).getFloat();
                    total = total.add(lb.mul(Scalars.like(lb, aux * (to - from) / (double) b)));
                }
                if (scaler != null) {
                    total = scaler.scaleLoss(total);
                }
                gradients.accumulate(total); // torch.autograd.grad: no gradient buffers kept between steps
            } finally {
                if (lora != null) {
                    lora.training(false);
                }
            }
            if (sums != null) {
                sums.add(r.metrics(), auxValue * (to - from) / (double) b);
            }
        }
    }

    /**
     * The same micro-step with activation checkpointing: the policy keeps one layer's activations at a time and runs
     * each layer twice (see {@code model.CheckpointedBackward}); the loss is computed in its head.
     */
    private void checkpointedStep(SequenceBatch.Tensors t, int from, int to, int b, NDArray adv, Fixed fixed, int k,
                                  LossNormalizer norm, Sums sums, long stepSeed) {
        double aux = train.moe().routerAuxLossCoef();
        double auxWeight = aux > 0 ? aux * (to - from) / (double) b * (scaler == null ? 1 : scaler.scale()) : 0;
        LossResult[] r = new LossResult[1];
        LoraAdapters lora = policy.adapters();
        if (lora != null) {
            lora.training(true);
        }
        CheckpointedBackward.Result res;
        try {
            res = policy.backwardCheckpointed(t.ids(), t.attentionMask(), t.positionIds(), hidden -> {
                TokenLogProbs.Result lp = TokenLogProbs.fromHidden(policy, hidden, t, temperature);
                NDArray advMb = adv.get(new NDIndex("{}:{}", from, to));
                r[0] = loss.compute(new LossInputs(lp.logp(), fixed.oldAt(k), fixed.refAt(k), advMb, t.completionMask(),
                        lp.logits()), norm);
                if (sums != null) {
                    r[0].metrics(); // now: the head's arrays do not outlive this call
                }
                return scaler != null ? scaler.scaleLoss(r[0].loss()) : r[0].loss();
            }, auxWeight, stepSeed);
        } finally {
            if (lora != null) {
                lora.training(false);
            }
        }
        if (sums != null) {
            sums.add(r[0].metrics(), (res.auxLoss() == null ? 0 : res.auxLoss()) * (to - from) / (double) b);
        }
    }

    /** The outcome of one optimizer step: the gradient norm before clipping, and whether the step was taken. */
    private record Step(double gradNorm, boolean taken) {}

    /**
     * Unscales (fp16), clips to max_grad_norm (or only measures the norm when it is 0), steps unless a gradient is
     * not finite, updates the loss scale and zeroes the gradients.
     */
    private Step optimizerStep(double lr) {
        if (train.activationCheckpointing()) { // CheckpointedBackward accumulates into the parameters' gradients
            boolean finite = scaler == null || scaler.unscale(trainable.values());
            double gradNorm = maxGradNorm > 0 ? Grads.clipGlobalNorm(trainable.values(), maxGradNorm)
                    : Grads.globalNorm(trainable.values());
            finite &= Double.isFinite(gradNorm);
            if (finite) {
                optimizer.step(lr);
            }
            if (scaler != null) {
                scaler.update(finite);
            }
            optimizer.zeroGrad();
            return new Step(gradNorm, finite);
        }
        try {
            java.util.List<NDArray> held = gradients.list();
            boolean finite = scaler == null || scaler.unscaleGradients(held);
            double gradNorm = maxGradNorm > 0 ? Grads.clipNormOf(held, maxGradNorm) : Grads.normOf(held);
            finite &= Double.isFinite(gradNorm);
            if (finite) {
                optimizer.step(lr, gradients.gradients());
            }
            if (scaler != null) {
                scaler.update(finite);
            }
            return new Step(gradNorm, finite);
        } finally {
            gradients.clear();
        }
    }

    /**
     * reference = alpha * policy + (1 - alpha) * reference (TRL SyncRefModelCallback). The scope closes the
     * intermediates, which would otherwise stay in the models' long-lived managers (docs/DJL-NOTES.md, hazard 6).
     */
    void syncReference(double alpha) {
        try (NoGrad ng = new NoGrad(); NDScope scope = new NDScope(); NDManager m = NDManager.newBaseManager(device)) {
            scope.suppressNotUsedWarning();
            NDArray a = Scalars.of(m, alpha).toType(dtype, false);
            NDArray b = Scalars.of(m, 1 - alpha).toType(dtype, false);
            policy.parameters().forEach((name, p) -> {
                NDArray r = ref.parameters().get(name);
                NDArray mixed = p.stopGradient().mul(a).add(r.mul(b));
                mixed.attach(m);
                r.set(ALL, mixed);
            });
        }
    }

    /** Token-weighted sums of the last pass's loss metrics, over micro-batches. */
    private static final class Sums {
        private final Map<String, Double> weighted = new LinkedHashMap<>();
        private double tokens;
        private double loss;
        private double aux;

        void add(Map<String, Double> metrics, double auxPart) {
            double n = metrics.getOrDefault(MetricNames.NUM_TOKENS, 0.0);
            tokens += n;
            loss += metrics.get(MetricNames.LOSS);
            aux += auxPart;
            for (var e : metrics.entrySet()) {
                String key = e.getKey();
                if (!key.equals(MetricNames.LOSS) && !key.equals(MetricNames.NUM_TOKENS) && !e.getValue().isNaN()) {
                    weighted.merge(key, e.getValue() * n, Double::sum);
                }
            }
        }

        Map<String, Double> means() {
            Map<String, Double> out = new LinkedHashMap<>();
            double d = Math.max(1, tokens);
            weighted.forEach((key, v) -> out.put(key, v / d));
            return out;
        }
    }

    @Override
    public void close() {
        gradients.close();
        optimizer.close();
    }
}
