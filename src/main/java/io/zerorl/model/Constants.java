package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.HashMap;
import java.util.Map;

/**
 * Torch-owned scalar constants of one model, created once per (value, dtype) and kept alive with it. DJL's {@code Number}
 * overloads ({@code x.mul(2f)}) wrap a Java buffer that is freed while autograd still needs it
 * (DJL-NOTES hazard 2), so differentiable code multiplies by these instead.
 */
public final class Constants {
    private final NDManager manager;
    private final Map<String, NDArray> cache = new HashMap<>();

    public Constants(NDManager manager) {
        this.manager = manager;
    }

    public synchronized NDArray of(double value, DataType type) {
        return cache.computeIfAbsent(type + ":" + value, k -> {
            NDArray a = manager.full(new Shape(), (float) value, type);
            // created lazily, possibly inside a caller's NDScope (a training step): it must outlive that scope
            NDScope.unregister(a);
            return a;
        });
    }
}
