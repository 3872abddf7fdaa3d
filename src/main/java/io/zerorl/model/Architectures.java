package io.zerorl.model;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.util.ZerorlException;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Registry of model families by {@code model_type}, filled from {@code META-INF/services}. */
public final class Architectures {
    private static final Map<String, Architecture> BY_TYPE = new TreeMap<>();

    static {
        for (Architecture a : ServiceLoader.load(Architecture.class, Architectures.class.getClassLoader())) {
            for (String t : a.modelTypes()) {
                register(t, a);
            }
        }
    }

    private Architectures() {}

    /** Adds a family; a second registration of the same {@code model_type} is an error. */
    public static synchronized void register(String modelType, Architecture architecture) {
        if (BY_TYPE.putIfAbsent(modelType, architecture) != null) {
            throw new IllegalStateException("model_type '" + modelType + "' is registered twice");
        }
    }

    public static synchronized Architecture forType(String modelType) {
        Architecture a = BY_TYPE.get(modelType);
        if (a == null) {
            throw new ZerorlException("Unknown model_type '" + modelType + "'; supported: " + String.join(", ", BY_TYPE.keySet()));
        }
        return a;
    }

    public static ModelConfig parse(HfConfig config) {
        String type = config.modelType();
        Architecture a;
        try {
            a = forType(type);
        } catch (ZerorlException e) {
            throw new ZerorlException(config.source() + ": " + e.getMessage(), e);
        }
        return a.fromHf(config);
    }

    public static synchronized java.util.Set<String> modelTypes() {
        return java.util.Set.copyOf(BY_TYPE.keySet());
    }
}
