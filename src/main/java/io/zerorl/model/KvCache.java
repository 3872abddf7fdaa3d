package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Per-layer key/value cache, preallocated to a capacity and written in place (DJL's generator grows
 * its cache by concatenation, which copies the whole cache every step).
 *
 * <p>Keys (B, kvHeads, capacity, dk) and values (B, kvHeads, capacity, dv). For MLA the cache holds
 * the per-head keys and values expanded from the latent, so decoding runs the same attention kernel
 * as GQA (the latent would be smaller, but re-expanding it through {@code kv_b_proj} every step costs
 * a matmul over the whole history per layer and token).
 *
 * <p>Owns its arrays: close it (or its manager) when the rollout ends. Not thread-safe.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final int capacity;
    private NDArray[] keys;
    private NDArray[] values;
    private NDArray[] keyViews;
    private NDArray[] valueViews;
    private int length;
    private int pending;

    /** Bytes a cache of {@code batch} rows of {@code capacity} tokens takes, at {@code elementBytes} per number. */
    public static long bytes(ModelConfig c, long batch, long capacity, int elementBytes) {
        long kvHeads = c.isMla() ? c.numHeads : c.numKvHeads;
        return (long) c.numLayers * batch * kvHeads * capacity * (c.qkHeadDim() + c.valueHeadDim()) * elementBytes;
    }

    public KvCache(NDManager parent, ModelConfig c, int batch, int capacity, DataType type) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        int kvHeads = c.isMla() ? c.numHeads : c.numKvHeads;
        keys = new NDArray[c.numLayers];
        values = new NDArray[c.numLayers];
        keyViews = new NDArray[c.numLayers];
        valueViews = new NDArray[c.numLayers];
        for (int l = 0; l < c.numLayers; l++) {
            keys[l] = manager.zeros(new Shape(batch, kvHeads, capacity, c.qkHeadDim()), type);
            values[l] = manager.zeros(new Shape(batch, kvHeads, capacity, c.valueHeadDim()), type);
        }
    }

    /** Tokens already cached (the past length of the next forward pass). */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public long batchSize() {
        return keys[0].getShape().get(0);
    }

    /** Writes k (B, h, T, dk) and v at positions [length, length + T) of {@code layer}. */
    void write(int layer, NDArray k, NDArray v) {
        int t = Math.toIntExact(k.getShape().get(2));
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache overflow: " + (length + t) + " > capacity " + capacity);
        }
        // One JNI call each (torch's slice and index_put_ with slices): DJL's NDIndex get/set build the index in
        // five calls, and these run four times per layer and decoding step.
        put(keys[layer], k, length, length + t);
        put(values[layer], v, length, length + t);
        pending = t;
        // Views belong to the caller's step scope, not to the cache, so they are freed every step.
        keyViews[layer] = view(keys[layer], length + t, k.getManager());
        valueViews[layer] = view(values[layer], length + t, v.getManager());
    }

    private static void put(NDArray cache, NDArray x, long from, long to) {
        long[] shape = cache.getShape().getShape();
        JniUtils.indexSet((PtNDArray) cache, (PtNDArray) x, new long[] {0, 0, from, 0},
                new long[] {shape[0], shape[1], to, shape[3]}, new long[] {1, 1, 1, 1});
    }

    /** Positions [0, upTo) of a cache array, as a view owned by {@code owner}. */
    static NDArray view(NDArray cache, long upTo, NDManager owner) {
        NDArray v = Ops.slice(cache, 2, 0, upTo);
        v.attach(owner);
        return v;
    }

    NDArray keys(int layer) {
        return keyViews[layer];
    }

    NDArray values(int layer) {
        return valueViews[layer];
    }

    /** Called by the model after all layers wrote the current chunk. */
    void advance() {
        length += pending;
        pending = 0;
    }

    /**
     * Keeps only the given batch rows (finished rows stop costing compute). {@code rows} is an int64
     * index array on the cache's device.
     */
    public void keepRows(NDArray rows) {
        for (int l = 0; l < keys.length; l++) {
            keys[l] = keepRows(keys[l], rows);
            values[l] = keepRows(values[l], rows);
        }
    }

    private NDArray keepRows(NDArray full, NDArray rows) {
        // Gathered straight into the cache's own manager: no reshape of the cached shape, no attach().
        NDArray kept = full.get(manager, new NDIndex("{}", rows));
        full.close();
        return kept;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
