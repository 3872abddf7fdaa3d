package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The LoRA adapters of one policy: per targeted projection {@code W (out, in)} a pair {@code A (r, in)},
 * {@code B (out, r)}; the projection computes {@code x W^T + (x A^T) B^T * scaling} (PEFT's {@code lora.Linear}).
 * Fresh adapters start with A Kaiming-uniform as PEFT initialises it ({@code U(-1/sqrt(in), 1/sqrt(in))}) and B zero,
 * so a policy with fresh adapters computes exactly what its base does. The tensors live in this object's own
 * manager, in the policy's dtype; the base weights are never changed (a merged copy is made only for export).
 */
public final class LoraAdapters implements AutoCloseable {
    /** One projection's adapter. */
    public record Adapter(String module, NDArray a, NDArray b) {}

    private final LoraConfig config;
    private final NDManager manager;
    private final Map<String, Adapter> byModule;
    private final NDArray scaling;
    private boolean training;

    private LoraAdapters(LoraConfig config, NDManager manager, Map<String, Adapter> byModule, DataType type) {
        this.config = config;
        this.manager = manager;
        this.byModule = Collections.unmodifiableMap(byModule);
        this.scaling = manager.full(new Shape(), (float) config.scaling(), type);
        NDScope.unregister(scaling);
    }

    /** The projections of {@code c} that {@code cfg} targets, with their weight shapes (out, in), in model order. */
    public static Map<String, long[]> targets(ModelConfig c, LoraConfig cfg) {
        Map<String, long[]> out = new LinkedHashMap<>();
        TreeSet<String> kinds = new TreeSet<>();
        for (ParamSpec p : ParamSpec.of(c)) {
            if (p.role() != ParamSpec.Role.WEIGHT || p.shape().length != 2 || !p.name().endsWith(".weight")
                    || p.name().equals(c.names.embed()) || p.name().equals(c.names.lmHead())) {
                continue;
            }
            String module = WeightNames.module(p.name());
            kinds.add(module.substring(module.lastIndexOf('.') + 1));
            if (cfg.targets(module)) {
                out.put(module, p.shape());
            }
        }
        if (out.isEmpty()) {
            throw new ZerorlException("lora.target_modules " + cfg.targetModules() + " match no projection of this "
                    + c.modelType + " model; its projections are " + kinds
                    + (cfg.includeRoutedExperts() ? "" : " (routed experts only with lora.include_routed_experts)"));
        }
        return out;
    }

    /** Fresh adapters for {@code policy}: A Kaiming-uniform from {@code seed}, B zero. */
    public static LoraAdapters init(Policy policy, LoraConfig cfg, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, float[][]> values = new LinkedHashMap<>();
        targets(policy.config(), cfg).forEach((module, shape) -> {
            int out = Math.toIntExact(shape[0]);
            int in = Math.toIntExact(shape[1]);
            float[] a = new float[cfg.r() * in];
            double bound = 1 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (bound * (2 * rng.nextDouble() - 1));
            }
            values.put(module, new float[][] {a, new float[out * cfg.r()]});
        });
        return of(policy, cfg, values);
    }

    /**
     * Adapters with the given values, per module {@code {A (r * in, row-major), B (out * r)}}; every targeted module
     * must have them, with the right sizes.
     */
    public static LoraAdapters of(Policy policy, LoraConfig cfg, Map<String, float[][]> values) {
        Map<String, long[]> targets = targets(policy.config(), cfg);
        NDManager m = policy.manager().newSubManager();
        try {
            Map<String, Adapter> adapters = new LinkedHashMap<>();
            for (var e : targets.entrySet()) {
                float[][] v = values.get(e.getKey());
                long out = e.getValue()[0];
                long in = e.getValue()[1];
                if (v == null || v[0].length != cfg.r() * in || v[1].length != out * cfg.r()) {
                    throw new ZerorlException("LoRA adapter for " + e.getKey() + " is missing or has the wrong size;"
                            + " expected A (" + cfg.r() + ", " + in + ") and B (" + out + ", " + cfg.r() + ")");
                }
                adapters.put(e.getKey(), new Adapter(e.getKey(), tensor(m, v[0], new Shape(cfg.r(), in), policy),
                        tensor(m, v[1], new Shape(out, cfg.r()), policy)));
            }
            return new LoraAdapters(cfg, m, adapters, policy.dataType());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static NDArray tensor(NDManager m, float[] v, Shape shape, Policy policy) {
        NDArray owned;
        try (NDArray view = m.create(v, shape)) {
            // duplicate() is torch's clone; toType to the same dtype would share the Java buffer, which is freed
            // under the tensor (docs/DJL-NOTES.md, hazard 2: this showed up as NaN router scores)
            owned = view.duplicate();
        }
        if (owned.getDataType() != policy.dataType()) {
            NDArray cast = owned.toType(policy.dataType(), false);
            owned.close();
            owned = cast;
        }
        NDScope.unregister(owned);
        return owned;
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapters by module, in model order. */
    public Map<String, Adapter> adapters() {
        return byModule;
    }

    /** A and B of every adapter under PEFT's tensor names ({@code base_model.model.<module>.lora_A.weight}). */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        byModule.forEach((module, a) -> {
            out.put(peftName(module, "A"), a.a());
            out.put(peftName(module, "B"), a.b());
        });
        return out;
    }

    /** {@code base_model.model.<module>.lora_A.weight} (PEFT saves without the adapter's name). */
    public static String peftName(String module, String ab) {
        return "base_model.model." + module + ".lora_" + ab + ".weight";
    }

    /** Dropout on the adapters' input, when the config has it, while this is on (the policy update's passes). */
    public void training(boolean on) {
        this.training = on;
    }

    public boolean isTraining() {
        return training;
    }

    /** {@code y + (x A^T) B^T * scaling} for the module's adapter, or {@code y} when it has none. */
    NDArray addTo(NDArray y, NDArray x, String module) {
        Adapter a = byModule.get(module);
        if (a == null) {
            return y;
        }
        NDArray in = training && config.dropout() > 0
                ? x.getNDArrayInternal().dropout(x, (float) config.dropout(), true).singletonOrThrow() : x;
        return y.add(Ops.linear(Ops.linear(in, a.a()), a.b()).mul(scaling));
    }

    /** {@code W + scaling * B A} in float32 (for a merged export), or null when the module has no adapter. */
    public float[] merged(String module, NDArray weight) {
        Adapter a = byModule.get(module);
        if (a == null) {
            return null;
        }
        try (NDManager m = NDManager.newBaseManager(weight.getDevice())) {
            NDArray w = weight.toType(DataType.FLOAT32, true);
            NDArray ba = a.b().toType(DataType.FLOAT32, true).matMul(a.a().toType(DataType.FLOAT32, true));
            w.attach(m);
            ba.attach(m);
            return w.add(ba.mul(Scalars.of(m, config.scaling()))).toFloatArray();
        }
    }

    /** Number of adapter parameters. */
    public long size() {
        long n = 0;
        for (Adapter a : byModule.values()) {
            n += a.a().size() + a.b().size();
        }
        return n;
    }

    /** The modules with adapters, in model order. */
    public List<String> modules() {
        return new ArrayList<>(byModule.keySet());
    }

    @Override
    public void close() {
        manager.close();
    }
}
