package io.zerorl.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.zerorl.tensor.Scalars;
import io.zerorl.tensor.TorchScript;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * AdamW (Loshchilov and Hutter 2019) over named parameters, computed by torch's fused AdamW kernel (as
 * {@code torch.optim.AdamW(fused=True)}; amsgrad off, bias correction on):
 * <pre>
 *   p   *= 1 - lr * wd                      (decoupled weight decay)
 *   m    = m + (1 - b1) (g - m)             (exp_avg.lerp_)
 *   v    = b2 v + (1 - b2) g^2
 *   p   -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * Written by us because DJL's Trainer/optimizer throws on all-zero gradients and clips wrongly
 * (docs/DJL-NOTES.md, hazards 7, 8). Parameters are updated in place (through a detached view, so autograd never
 * sees it); state lives in this optimizer's own manager, in float32. A non-float32 (fp16) parameter gets a float32
 * master copy: the update is applied to the master, which is then cast back into the parameter (docs/DJL-NOTES.md,
 * hazard 3: mixed precision is ours to do).
 * Gradients are read, never zeroed here; call {@link #zeroGrad()} after the step.
 */
public final class AdamW implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex("...");

    /**
     * @param beta1 torch default 0.9
     * @param beta2 torch default 0.999
     * @param eps torch default 1e-8
     * @param weightDecay torch default 0.01
     */
    public record Config(double beta1, double beta2, double eps, double weightDecay) {
        public Config {
            OptimConfig.adamChecks(beta1, beta2, eps, weightDecay);
        }

        public static Config defaults() {
            return new Config(0.9, 0.999, 1e-8, 0.01);
        }
    }

    private final Config config;
    private final Map<String, NDArray> params;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final NDManager manager;
    private final Arithmetic arithmetic;
    private long step;

    private record Slot(NDArray expAvg, NDArray expAvgSq, NDArray master, boolean decay) {}

    /** Decays every parameter. */
    public AdamW(Map<String, NDArray> params, Config config) {
        this(params, config, name -> true);
    }

    /** @param decay which parameters get weight decay (commonly not biases and norm weights) */
    public AdamW(Map<String, NDArray> params, Config config, Predicate<String> decay) {
        this(params, config, decay, Arithmetic.FUSED);
    }

    /** @param arithmetic the fused kernel (default) or the per-op update the built-in base model was made with */
    public AdamW(Map<String, NDArray> params, Config config, Predicate<String> decay, Arithmetic arithmetic) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("no parameters to optimize");
        }
        this.config = config;
        this.arithmetic = arithmetic;
        this.params = new LinkedHashMap<>(params);
        this.manager = NDManager.newBaseManager(params.values().iterator().next().getDevice());
        params.forEach((name, p) -> {
            NDArray m = manager.zeros(p.getShape(), DataType.FLOAT32);
            NDArray v = manager.zeros(p.getShape(), DataType.FLOAT32);
            NDArray master = p.getDataType() == DataType.FLOAT32 ? null : p.toType(DataType.FLOAT32, true);
            if (master != null) {
                master.attach(manager);
            }
            // a caller's open NDScope must not free long-lived state (docs/DJL-NOTES.md, hazard 6)
            NDScope.unregister(m, v);
            if (master != null) {
                NDScope.unregister(master);
            }
            slots.put(name, new Slot(m, v, master, decay.test(name)));
        });
    }

    /** Number of steps taken (torch's {@code state['step']}). */
    public long stepCount() {
        return step;
    }

    /** torch's fused AdamW kernel over lists of float32 tensors, all updated in place. */
    private static final String FUSED = """
              def step(self: __torch__.FusedAdamW,
                params: List[Tensor],
                grads: List[Tensor],
                exp_avgs: List[Tensor],
                exp_avg_sqs: List[Tensor],
                step: Tensor,
                lr: float,
                beta1: float,
                beta2: float,
                weight_decay: float,
                eps: float) -> int:
                steps = annotate(List[Tensor], [])
                for p in params:
                  steps.append(step)
                torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)
                return len(params)
            """;

    /**
     * One update with learning rate {@code lr}; parameters without a gradient attached are skipped. All parameters
     * go through torch's fused AdamW kernel ({@code torch._fused_adamw_}, what {@code torch.optim.AdamW(fused=True)}
     * runs): one pass over each parameter's weights, gradient and moments, one call for the whole model (two: with
     * and without weight decay). The per-op version it replaced made about 14 passes and 15 DJL calls per parameter.
     */
    public void step(double lr) {
        step(lr, null);
    }

    /**
     * As {@link #step(double)} with gradients held apart from the parameters ({@link GradientBuffer}), by name;
     * a parameter without an entry is skipped. {@code null}: the parameters' own gradients.
     */
    public void step(double lr, Map<String, NDArray> gradients) {
        step++;
        if (arithmetic == Arithmetic.PER_OP) {
            stepPerOp(lr, gradients);
            return;
        }
        try (NDScope scope = new NDScope(); NDManager tmp = manager.newSubManager()) {
            Group decayed = new Group();
            Group plain = new Group();
            List<String> fromMaster = new ArrayList<>(); // fp16 parameters to refresh from their updated masters
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray g = gradientOf(e.getKey(), p, gradients);
                if (g == null) {
                    continue;
                }
                Slot s = slots.get(e.getKey());
                if (g.getDataType() != DataType.FLOAT32) {
                    g = g.toType(DataType.FLOAT32, false);
                }
                // the master copy, or a detached view of the parameter: updated in place, unseen by autograd
                NDArray w = s.master() != null ? s.master() : p.stopGradient();
                (s.decay() && config.weightDecay() != 0 ? decayed : plain).add(w, g, s);
                if (s.master() != null) {
                    fromMaster.add(e.getKey());
                }
            }
            NDArray count = tmp.full(new Shape(), (float) step, DataType.FLOAT32);
            decayed.run(count, lr, config, config.weightDecay());
            plain.run(count, lr, config, 0);
            for (String name : fromMaster) {
                NDArray p = params.get(name);
                try (NDArray view = p.stopGradient()) {
                    view.set(ALL, slots.get(name).master().toType(p.getDataType(), false));
                }
            }
        }
    }

    /** Whether a parameter takes part in the step: it has an entry in {@code gradients}, or its own gradient. */
    private static boolean hasGradient(String name, NDArray p, Map<String, NDArray> gradients) {
        return gradients == null ? p.hasGradient() : gradients.containsKey(name);
    }

    /** The gradient of a parameter: from {@code gradients} when given, else its own (null when it has none). */
    private static NDArray gradientOf(String name, NDArray p, Map<String, NDArray> gradients) {
        if (!hasGradient(name, p, gradients)) {
            return null;
        }
        return gradients != null ? gradients.get(name) : p.getGradient();
    }

    /** The per-op update ({@link Arithmetic#PER_OP}), in torch's {@code _single_tensor_adamw} order. */
    private void stepPerOp(double lr, Map<String, NDArray> gradients) {
        double bc1 = 1 - Math.pow(config.beta1(), step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(config.beta2(), step));
        try (NDScope scope = new NDScope(); NDManager tmp = manager.newSubManager()) {
            NDArray oneMinusB1 = Scalars.of(tmp, 1 - config.beta1());
            NDArray b2 = Scalars.of(tmp, config.beta2());
            NDArray oneMinusB2 = Scalars.of(tmp, 1 - config.beta2());
            NDArray decayFactor = Scalars.of(tmp, 1 - lr * config.weightDecay());
            NDArray bc2 = Scalars.of(tmp, bc2Sqrt);
            NDArray eps = Scalars.of(tmp, config.eps());
            NDArray negStep = Scalars.of(tmp, -lr / bc1);
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                if (!hasGradient(e.getKey(), p, gradients)) {
                    continue;
                }
                Slot s = slots.get(e.getKey());
                // one scope per parameter: its temporaries (gradient handle, g - m, g^2, sqrt, the step) go before
                // the next parameter's; a scope around the whole loop kept ~4 parameter-sized arrays per trained
                // parameter alive to the end (16 B each on top of the moments: 19.9 GB peak on a 640M MoE)
                try (NDScope perParameter = new NDScope()) {
                    NDArray g = gradientOf(e.getKey(), p, gradients);
                    if (g.getDataType() != DataType.FLOAT32) {
                        g = g.toType(DataType.FLOAT32, false);
                    }
                    NDArray w = s.master() != null ? s.master() : p.stopGradient();
                    if (s.decay() && config.weightDecay() != 0) {
                        w.muli(decayFactor);
                    }
                    s.expAvg().addi(g.sub(s.expAvg()).muli(oneMinusB1));
                    s.expAvgSq().muli(b2).addi(g.square().muli(oneMinusB2));
                    NDArray denom = s.expAvgSq().sqrt().divi(bc2).addi(eps);
                    w.addi(s.expAvg().div(denom).muli(negStep));
                    if (s.master() != null) {
                        try (NDArray view = p.stopGradient()) {
                            view.set(ALL, s.master().toType(p.getDataType(), false));
                        }
                    }
                }
            }
        }
    }

    /** Parameters sharing one weight decay, as the fused kernel's four lists. */
    private static final class Group {
        final List<NDArray> weights = new ArrayList<>();
        final List<NDArray> grads = new ArrayList<>();
        final List<NDArray> expAvgs = new ArrayList<>();
        final List<NDArray> expAvgSqs = new ArrayList<>();

        void add(NDArray w, NDArray g, Slot s) {
            weights.add(w);
            grads.add(g);
            expAvgs.add(s.expAvg());
            expAvgSqs.add(s.expAvgSq());
        }

        void run(NDArray count, double lr, Config c, double weightDecay) {
            if (weights.isEmpty()) {
                return;
            }
            TorchScript ts = TorchScript.of("FusedAdamW", FUSED);
            ts.call("step", TorchScript.tensors(weights), TorchScript.tensors(grads), TorchScript.tensors(expAvgs),
                    TorchScript.tensors(expAvgSqs), TorchScript.tensor(count), TorchScript.number(lr),
                    TorchScript.number(c.beta1()), TorchScript.number(c.beta2()), TorchScript.number(weightDecay),
                    TorchScript.number(c.eps())).close();
        }
    }

    /** Sets every parameter's gradient to 0 (in place, NaN/inf-safe). */
    public void zeroGrad() {
        Grads.zero(params.values());
    }

    /**
     * A copy of the optimizer state, owned by {@code into}: "step" (int64 0-dim), "NAME.exp_avg",
     * "NAME.exp_avg_sq" and, for non-float32 parameters, "NAME.master" (float32).
     */
    public Map<String, NDArray> state(NDManager into) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDArray javaBacked = into.create(step)) {
            out.put("step", javaBacked.duplicate());
        }
        slots.forEach((name, s) -> {
            out.put(name + ".exp_avg", copy(s.expAvg(), into));
            out.put(name + ".exp_avg_sq", copy(s.expAvgSq(), into));
            if (s.master() != null) {
                out.put(name + ".master", copy(s.master(), into));
            }
        });
        return out;
    }

    /** Restores a state exported by {@link #state}: values are copied in, names and shapes must match. */
    public void load(Map<String, NDArray> state) {
        NDArray st = require(state, "step", new Shape());
        long restored = st.toType(DataType.INT64, false).getLong();
        slots.forEach((name, s) -> {
            s.expAvg().set(ALL, require(state, name + ".exp_avg", s.expAvg().getShape()));
            s.expAvgSq().set(ALL, require(state, name + ".exp_avg_sq", s.expAvgSq().getShape()));
            if (s.master() != null) {
                s.master().set(ALL, require(state, name + ".master", s.master().getShape()));
            }
        });
        step = restored;
    }

    @Override
    public void close() {
        manager.close();
    }

    private static NDArray copy(NDArray x, NDManager into) {
        NDArray c = x.duplicate();
        c.attach(into);
        return c;
    }

    private static NDArray require(Map<String, NDArray> state, String key, Shape shape) {
        NDArray a = state.get(key);
        if (a == null || !a.getShape().equals(shape)) {
            throw new ZerorlException("optimizer state '" + key + "' is " + (a == null ? "missing" : a.getShape())
                    + ", expected " + shape + " (checkpoint from a different model?)");
        }
        return a;
    }
}
