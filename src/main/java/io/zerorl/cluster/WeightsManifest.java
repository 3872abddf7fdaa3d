package io.zerorl.cluster;

/**
 * Which weights the executors sample with. {@code version} counts learner steps; an executor reloads only when the
 * version it holds differs. {@code base}: the model folder itself; {@code full}: all weights in {@code path}
 * ({@code model.safetensors}, written by the learner where every node can read it); {@code adapter}: a LoRA adapter
 * sent with the manifest (PEFT's two files as bytes).
 */
public record WeightsManifest(long version, String kind, String path) {
    public static final String BASE = "base";
    public static final String FULL = "full";
    public static final String ADAPTER = "adapter";

    public static WeightsManifest base() {
        return new WeightsManifest(0, BASE, null);
    }
}
