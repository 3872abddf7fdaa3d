package io.zerorl.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.tensor.NativeAllocator;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.DirectBuffers;
import io.zerorl.util.ZerorlException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only (optionally MoE) transformer on DJL's PyTorch engine, with Hugging Face parameter
 * names. Weights live in the policy's own long-lived {@link NDManager}; activations belong to the
 * caller's manager or scope (the first operand of each op is an activation, never a weight, so
 * results land in the caller's scope; docs/DJL-NOTES.md, hazard 6).
 *
 * <p>Shapes: ids, attention mask and position ids are int64 (B, T) for a plain pass; with a KV cache
 * the attention mask covers the past and the new tokens (B, past + T), as in transformers.
 */
public final class Policy implements AutoCloseable {
    private final ModelConfig config;
    private final NDManager manager;
    private final DataType dataType;
    private final Map<String, NDArray> params;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final Scalars scalars;
    private final Map<String, ParamSpec.Role> roles;
    private LoraAdapters adapters;
    private boolean adaptersOn = true;
    private final Rotary rotary;
    private final NDArray invFreq;
    private final NDArray embed;
    private final NDArray finalNorm;
    private final NDArray lmHead;
    private final NDArray eps;

    private Policy(ModelConfig config, NDManager manager, DataType dataType, Map<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.dataType = dataType;
        this.params = Collections.unmodifiableMap(params);
        this.roles = ParamSpec.roles(config);
        this.scalars = new Scalars(manager);
        this.rotary = new Rotary(config.rope, config.ropeDim());
        this.invFreq = owned(manager, rotary.invFreq());
        this.eps = scalars.cached(config.rmsNormEps, dataType);
        NDArray scale = scalars.cached(config.attentionScale(), dataType);
        WeightNames n = config.names;
        this.embed = params.get(n.embed());
        this.finalNorm = params.get(n.finalNorm());
        this.lmHead = config.tieEmbeddings ? embed : params.get(n.lmHead());
        for (int l = 0; l < config.numLayers; l++) {
            Attention attn = new Attention(config, l, params, rotary, eps, scale);
            FeedForward ffn;
            if (config.isSparse(l)) {
                DenseMlp[] experts = new DenseMlp[config.numExperts];
                for (int e = 0; e < config.numExperts; e++) {
                    experts[e] = DenseMlp.of(params, n.expert(l, e, WeightNames.Proj.GATE),
                            n.expert(l, e, WeightNames.Proj.UP), n.expert(l, e, WeightNames.Proj.DOWN));
                }
                DenseMlp shared = config.numSharedExperts > 0 ? DenseMlp.of(params,
                        n.sharedExpert(l, WeightNames.Proj.GATE), n.sharedExpert(l, WeightNames.Proj.UP),
                        n.sharedExpert(l, WeightNames.Proj.DOWN)) : null;
                ffn = new MoeFeedForward(config, l, params.get(n.router(l)),
                        config.correctionBias ? params.get(n.correctionBias(l)) : null, experts, shared, scalars, dataType);
            } else {
                ffn = DenseMlp.of(params, n.denseMlp(l, WeightNames.Proj.GATE), n.denseMlp(l, WeightNames.Proj.UP),
                        n.denseMlp(l, WeightNames.Proj.DOWN));
            }
            layers.add(new DecoderLayer(params.get(n.inputNorm(l)), params.get(n.postAttentionNorm(l)), eps, attn, ffn));
        }
    }

    /** Loads a Hugging Face model directory (config.json + safetensors, single or sharded). */
    public static Policy load(Path modelDir, Device device, DataType dataType) {
        ModelConfig config = Architectures.parse(HfConfig.read(modelDir));
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            return load(config, ckpt, device, dataType);
        }
    }

    /** Largest off-heap staging buffer used while loading; bigger tensors are copied in row chunks. */
    static final long STAGING_BYTES = 64L << 20;
    /** The most bytes one direct view of a tensor being loaded covers (a ByteBuffer holds at most 2 GiB). */
    static final long MAX_VIEW_BYTES = 1L << 30;

    /**
     * Loads each expected tensor in turn: in float32 on the CPU decoded straight into the tensor's own memory; otherwise
     * through one reused off-heap staging buffer of at most {@link #STAGING_BYTES}, freed when the load ends. The Java
     * heap never holds weights, and native memory beyond the model itself stays bounded by that buffer (large
     * tensors are filled row chunk by row chunk).
     */
    public static Policy load(ModelConfig config, Checkpoint ckpt, Device device, DataType dataType) {
        return load(config, ckpt, device, dataType, STAGING_BYTES);
    }

    static Policy load(ModelConfig config, Checkpoint ckpt, Device device, DataType dataType, long stagingBytes) {
        NativeAllocator.configure();
        NDManager manager = NDManager.newBaseManager(device);
        try {
            List<ParamSpec> specs = ParamSpec.of(config);
            long largest = specs.stream().mapToLong(ParamSpec::numel).max().orElse(1) * 4;
            // float32 on the CPU: each tensor is decoded straight into its own memory, no staging at all
            boolean inPlace = !device.isGpu() && dataType == DataType.FLOAT32
                    && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
            ByteBuffer staging = null; // made when the first tensor cannot be read in place
            Map<String, NDArray> params = new LinkedHashMap<>();
            try {
                for (ParamSpec spec : specs) {
                    if (!ckpt.contains(spec.name())) {
                        throw new ZerorlException("Checkpoint " + ckpt.location() + " lacks tensor '" + spec.name()
                                + "' that this " + config.modelType
                                + " config needs (is config.json from the same model?)");
                    }
                    ckpt.info(spec.name(), spec.shape()); // shape check with a message naming file and tensor
                    if (inPlace && spec.numel() > 0 && spec.numel() / rows(spec) * 4 <= MAX_VIEW_BYTES) {
                        params.put(spec.name(), readInPlace(manager, ckpt, spec, Math.min(stagingBytes, MAX_VIEW_BYTES)));
                        continue;
                    }
                    if (staging == null) {
                        staging = ByteBuffer.allocateDirect(Math.toIntExact(Math.min(largest, stagingBytes)))
                                .order(ByteOrder.LITTLE_ENDIAN);
                    }
                    params.put(spec.name(), read(manager, ckpt, spec, staging, dataType));
                }
            } finally {
                // every tensor holds its own copy: the staging memory (64 MB for a large model) would otherwise stay
                // resident until a GC happened to collect the buffer, which a small heap may not do for hours
                DirectBuffers.free(staging);
            }
            return new Policy(config, manager, dataType, params);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A new float32 CPU tensor filled by decoding the checkpoint straight into its memory, through direct views of
     * about {@code viewBytes} (a row range each, at least one row): no staging buffer and no second copy, so a model's
     * load peaks at the model's own size.
     */
    private static NDArray readInPlace(NDManager manager, Checkpoint ckpt, ParamSpec spec, long viewBytes) {
        NDArray dest = manager.create(new Shape(spec.shape()), DataType.FLOAT32);
        long total = rows(spec);
        long rowElems = spec.numel() / total;
        long rowsPerView = Math.max(1, viewBytes / (rowElems * 4));
        for (long row = 0; row < total; row += rowsPerView) {
            long rows = Math.min(rowsPerView, total - row);
            // a row range of a fresh (contiguous) tensor is contiguous: its view is the tensor's own memory
            NDArray part = rows == total ? dest : Ops.slice(dest, 0, row, row + rows);
            try {
                ckpt.readFloat32(spec.name(), row * rowElems, ((PtNDArray) part).toByteBuffer(true));
            } finally {
                if (part != dest) {
                    part.close();
                }
            }
        }
        return dest;
    }

    /** The length of a tensor's first axis (1 for a scalar). */
    private static long rows(ParamSpec spec) {
        return spec.shape().length == 0 ? 1 : Math.max(1, spec.shape()[0]);
    }

    private static NDArray read(NDManager manager, Checkpoint ckpt, ParamSpec spec, ByteBuffer staging, DataType type) {
        long[] shape = spec.shape();
        long rowElems = spec.numel() / rows(spec);
        if (spec.numel() * 4 <= staging.capacity() || shape.length < 2 || rowElems * 4 > staging.capacity()) {
            ByteBuffer buf = spec.numel() * 4 <= staging.capacity() ? staging
                    : ByteBuffer.allocateDirect(Math.toIntExact(spec.numel() * 4)).order(ByteOrder.LITTLE_ENDIAN);
            buf.clear().limit(Math.toIntExact(spec.numel() * 4));
            ckpt.readFloat32(spec.name(), 0, buf);
            NDArray out = fromBuffer(manager, buf.flip(), shape, type);
            if (buf != staging) {
                DirectBuffers.free(buf);
            }
            return out;
        }
        NDArray dest = manager.zeros(new Shape(shape), type);
        long rowsPerChunk = staging.capacity() / (rowElems * 4);
        for (long row = 0; row < shape[0]; row += rowsPerChunk) {
            long rows = Math.min(rowsPerChunk, shape[0] - row);
            staging.clear().limit(Math.toIntExact(rows * rowElems * 4));
            ckpt.readFloat32(spec.name(), row * rowElems, staging);
            long[] chunkShape = shape.clone();
            chunkShape[0] = rows;
            try (NDArray chunk = fromBuffer(manager, staging.flip(), chunkShape, type)) {
                dest.set(new NDIndex("{}:{}", row, row + rows), chunk);
            }
        }
        return dest;
    }

    /** A model initialised from scratch (normal(0, 0.02) weights, unit norms, zero biases), seeded. */
    public static Policy init(ModelConfig config, long seed, Device device, DataType dataType) {
        NativeAllocator.configure();
        NDManager manager = NDManager.newBaseManager(device);
        Engine.getInstance().setRandomSeed((int) seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (ParamSpec spec : ParamSpec.of(config)) {
            Shape shape = new Shape(spec.shape());
            NDArray a = switch (spec.init()) {
                case NORMAL -> manager.randomNormal(0f, 0.02f, shape, DataType.FLOAT32).toType(dataType, false);
                case ONES -> manager.ones(shape, dataType);
                case ZEROS -> manager.zeros(shape, dataType);
            };
            params.put(spec.name(), a);
        }
        return new Policy(config, manager, dataType, params);
    }

    private static NDArray fromBuffer(NDManager manager, ByteBuffer data, long[] shape, DataType type) {
        // create() wraps the direct buffer without copying; duplicate() gives torch-owned memory.
        try (NDArray view = manager.create(data, new Shape(shape), DataType.FLOAT32)) {
            return type == DataType.FLOAT32 ? view.duplicate() : view.toType(type, true);
        }
    }

    private static NDArray owned(NDManager manager, float[] values) {
        try (NDArray view = manager.create(values)) {
            return view.duplicate();
        }
    }

    public ModelConfig config() {
        return config;
    }

    public DataType dataType() {
        return dataType;
    }

    public Device device() {
        return manager.getDevice();
    }

    public NDManager manager() {
        return manager;
    }

    /** Parameters by Hugging Face name, in checkpoint order (tied heads appear once, as the embedding). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** Attaches LoRA adapters (made for this policy): from now on every forward pass applies them. */
    public void attach(LoraAdapters lora) {
        if (adapters != null) {
            throw new IllegalStateException("this policy already has LoRA adapters");
        }
        adapters = lora;
    }

    /** Takes the attached LoRA adapters off (the caller closes them) and returns them, or null when there were none. */
    public LoraAdapters detach() {
        LoraAdapters a = adapters;
        adapters = null;
        return a;
    }

    /** The attached LoRA adapters, or null. */
    public LoraAdapters adapters() {
        return adapters;
    }

    /**
     * Switches the adapters off until the returned handle is closed: the policy then computes what its base does
     * (the KL reference of a LoRA run, without a second copy of the model).
     */
    public AdaptersOff adaptersOff() {
        boolean previous = adaptersOn;
        adaptersOn = false;
        return () -> adaptersOn = previous;
    }

    /** A scope with the adapters off; closing it restores them. */
    @FunctionalInterface
    public interface AdaptersOff extends AutoCloseable {
        @Override
        void close();
    }

    /** What training does with parameter {@code name} (declared by {@link ParamSpec}). */
    public ParamSpec.Role role(String name) {
        ParamSpec.Role r = roles.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' in this " + config.modelType + " model");
        }
        return r;
    }

    /**
     * The parameters training updates, in checkpoint order: every one whose role is trainable, routers only when
     * {@code freezeRouters} is false.
     */
    public Map<String, NDArray> trainableParameters(boolean freezeRouters) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            ParamSpec.Role r = role(name);
            if (r.trainable() && !(freezeRouters && r == ParamSpec.Role.ROUTER)) {
                out.put(name, p);
            }
        });
        return out;
    }

    /**
     * Final hidden states (B, T, H) after the last norm.
     *
     * @param ids           int64 (B, T)
     * @param attentionMask (B, past + T), 1 = real token, 0 = padding
     * @param positionIds   int64 (B, T)
     * @param cache         null, or a cache holding {@code past} tokens; it is advanced by T
     */
    public NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache, RoutingStats routing) {
        long b = ids.getShape().get(0);
        long t = ids.getShape().get(1);
        int past = cache == null ? 0 : cache.length();
        if (attentionMask.getShape().get(1) != past + t) {
            throw new IllegalArgumentException("attention mask covers " + attentionMask.getShape().get(1)
                    + " positions; expected past (" + past + ") + new tokens (" + t + ")");
        }
        return layers(ids, positionIds, maskBias(ids.getManager(), attentionMask, b, t, past), cache, routing);
    }

    private NDArray layers(NDArray ids, NDArray positionIds, NDArray mask, KvCache cache, RoutingStats routing) {
        NDArray x = Ops.rows(embed, ids);
        ForwardContext ctx = context(positionIds, mask, cache, routing);
        // DJL frees an array only when it is closed: without a scope every intermediate of every layer (attention
        // scores, softmax, MLP activations) stays until the caller's manager closes, where PyTorch frees each as soon
        // as it is dead (a batch-64 prefill of 128 tokens peaked 230 MB higher). A scope per layer closes the layer's
        // handles once its output exists; what autograd saved for the backward it keeps on its own. Decoding steps
        // (one token) are too small to matter and skip the bookkeeping; router statistics keep arrays past the layer.
        boolean scoped = ids.getShape().get(1) > 1 && routing == null;
        for (DecoderLayer layer : layers) {
            if (!scoped) {
                x = layer.forward(x, ctx);
                continue;
            }
            NDArray in = x;
            try (NDScope scope = new NDScope()) {
                x = layer.forward(in, ctx);
                NDScope.unregister(x);
            }
            NDScope.register(x); // back into the caller's scope, if it has one (no-op otherwise)
            if (in != x) {
                in.close(); // the embedding or the previous layer's output, made in this pass and used up
            }
        }
        if (cache != null) {
            cache.advance();
        }
        return Ops.rmsNorm(x, finalNorm, eps);
    }

    /** What every layer of a pass shares: rotary tables, mask, cache, router statistics, the adapters if on. */
    ForwardContext context(NDArray positionIds, NDArray mask, KvCache cache, RoutingStats routing) {
        NDArray[] cosSin = rotary.cosSin(positionIds, invFreq, scalars.cached(rotary.attentionFactor(), DataType.FLOAT32),
                dataType);
        return new ForwardContext(cosSin[0], cosSin[1], mask, cache, routing, adaptersOn ? adapters : null);
    }

    /** The additive attention mask of a plain (uncached) pass. */
    NDArray maskBias(NDArray ids, NDArray attentionMask) {
        return maskBias(ids.getManager(), attentionMask, ids.getShape().get(0), ids.getShape().get(1), 0);
    }

    List<DecoderLayer> decoderLayers() {
        return layers;
    }

    NDArray embedding() {
        return embed;
    }

    /** The final RMSNorm of the last layer's output. */
    NDArray finalNorm(NDArray x) {
        return Ops.rmsNorm(x, finalNorm, eps);
    }

    /**
     * Forward and backward of one batch with activation checkpointing; see {@link CheckpointedBackward}. Call it
     * outside any gradient collector: it opens its own, one after another.
     */
    public CheckpointedBackward.Result backwardCheckpointed(NDArray ids, NDArray attentionMask, NDArray positionIds,
                                                            java.util.function.Function<NDArray, NDArray> head,
                                                            double auxWeight, long seed) {
        return new CheckpointedBackward(this, auxWeight, seed).run(ids, attentionMask, positionIds, head);
    }

    /** Vocabulary logits (…, V) of hidden states (…, H). */
    public NDArray logits(NDArray hidden) {
        return fewRowsOnCpu(hidden) ? fewRowLogits(hidden) : Ops.linear(hidden, lmHead);
    }

    /**
     * Decoding a few rows against a large vocabulary on a CPU, without gradients. The MKL inside libtorch computes
     * {@code x W^T} for 1-4 rows of x and a vocabulary-sized W well below memory speed; the transposed product
     * {@code W x^T} with 2-4 columns runs near it. Measured on Qwen2.5's 151,936 x 896 head, one thread: 4 rows 63.4 ->
     * 23.5 ms, 2 rows 70.0 -> 22.1 ms, 1 row 31.8 ms as a matrix-vector product -> 22 ms as two columns (the row
     * twice); 8 rows and more are faster as they are. About a fifth of a 0.5B model's decoding step at batch 4.
     */
    private boolean fewRowsOnCpu(NDArray hidden) {
        Shape s = hidden.getShape();
        return s.dimension() == 2 && s.get(0) <= 4 && config.vocabSize >= 32_768 && !hidden.getDevice().isGpu()
                && !ai.djl.pytorch.jni.JniUtils.isGradMode();
    }

    private NDArray fewRowLogits(NDArray hidden) {
        long rows = hidden.getShape().get(0);
        NDArray x = rows == 1 ? NDArrays.concat(new NDList(hidden, hidden), 0) : hidden;
        NDArray columns = lmHead.matMul(x.transpose()); // (V, rows)
        columns.attach(hidden.getManager()); // not the parameters' manager (docs/DJL-NOTES.md, hazard 6)
        long n = x.getShape().get(0);
        // (rows, V) contiguous: the reshape of the transposed view copies it
        NDArray out = columns.transpose().reshape(n * config.vocabSize).reshape(n, config.vocabSize);
        return rows == 1 ? Ops.slice(out, 0, 0, 1) : out;
    }

    /** Logits (B, T, V) for a plain (uncached) forward pass. */
    public NDArray forward(NDArray ids, NDArray attentionMask, NDArray positionIds) {
        return logits(hidden(ids, attentionMask, positionIds, null, null));
    }

    /** Logits (B, T, V) with a KV cache. */
    public NDArray forward(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache) {
        return logits(hidden(ids, attentionMask, positionIds, cache, null));
    }

    /** transformers' position ids for a left-padded batch: {@code cumsum(mask) - 1}, clamped at 0. */
    public static long[][] positionIds(long[][] mask) {
        long[][] p = new long[mask.length][];
        for (int b = 0; b < mask.length; b++) {
            p[b] = new long[mask[b].length];
            long c = 0;
            for (int t = 0; t < mask[b].length; t++) {
                c += mask[b][t];
                p[b][t] = Math.max(0, c - 1);
            }
        }
        return p;
    }

    /**
     * Logits (B, V) of the last position only, with a KV cache (or none): the vocabulary projection of a
     * prefill runs on one position per row instead of all of them (transformers' {@code logits_to_keep=1}).
     */
    public NDArray lastLogits(NDArray ids, NDArray attentionMask, NDArray positionIds, KvCache cache) {
        return logits(lastPosition(hidden(ids, attentionMask, positionIds, cache, null)));
    }

    /**
     * One decoding step with a ready additive key mask: logits (B, V) for ids (B, 1) at positionIds (B, 1).
     * {@code keyBias} is (B, 1, 1, past + 1), e.g. a view of {@link #paddingBias} over the cache's length
     * plus one; a single new query may see every earlier real key, so no causal part is needed. Saves
     * building the mask from host arrays each step.
     */
    public NDArray decodeLogits(NDArray ids, NDArray positionIds, NDArray keyBias, KvCache cache) {
        long t = ids.getShape().get(1);
        if (t != 1 || keyBias.getShape().get(3) != cache.length() + 1) {
            throw new IllegalArgumentException("decodeLogits takes one new token per row and a key mask over past + 1 ("
                    + (cache.length() + 1) + ") positions; got " + t + " tokens and " + keyBias.getShape());
        }
        return logits(lastPosition(layers(ids, positionIds, keyBias, cache, null)));
    }

    /** (B, T, H) -> (B, H) of the last position: a reshape when T is 1 (decoding), else a slice and a reshape. */
    private static NDArray lastPosition(NDArray hidden) {
        long[] s = hidden.getShape().getShape();
        NDArray last = s[1] == 1 ? hidden : Ops.slice(hidden, 1, s[1] - 1, s[1]);
        return last.reshape(s[0], s[2]);
    }

    /**
     * Additive key mask (B, 1, 1, S) of a 0/1 key mask (B, S): 0 for real keys, a large negative number for
     * padding. Broadcasts over heads and queries.
     */
    public NDArray paddingBias(NDArray keyMask) {
        long b = keyMask.getShape().get(0);
        long s = keyMask.getShape().get(1);
        NDArray allowed = keyMask.toType(DataType.BOOLEAN, false);
        NDArray bias = toBias(allowed.reshape(b, 1, 1, s));
        if (allowed != keyMask) {
            allowed.close();
        }
        return bias;
    }

    /**
     * 0 where allowed, -big elsewhere (a fully masked row stays finite: uniform), in one array of the mask's shape;
     * the values {@code (allowed - 1) * big} gave, written directly. Closes {@code allowed}.
     */
    private NDArray toBias(NDArray allowed) {
        double big = dataType == DataType.FLOAT16 ? 30000.0 : 1e30;
        NDArray bias = Ops.where(allowed, scalars.cached(0.0, dataType), scalars.cached(-big, dataType));
        allowed.close();
        return bias;
    }

    /** A cache for {@code batch} rows of up to {@code capacity} tokens, owned by {@code parent}'s tree. */
    public KvCache newCache(NDManager parent, int batch, int capacity) {
        return new KvCache(parent, config, batch, capacity, dataType);
    }

    /**
     * Additive mask (B, 1, T, S): query i (absolute position past + i) may attend key j when j is a
     * real token and j <= past + i.
     */
    private NDArray maskBias(NDManager m, NDArray attentionMask, long b, long t, int past) {
        if (t == 1) {
            return paddingBias(attentionMask); // the one query is the last position: causality allows every key
        }
        long s = past + t;
        NDArray q = m.arange(past, past + t, 1, DataType.INT64);
        NDArray k = m.arange(0, s, 1, DataType.INT64);
        NDArray qCol = q.reshape(t, 1);
        NDArray kRow = k.reshape(1, s);
        NDArray causal = kRow.lte(qCol);
        NDArray causal4 = causal.reshape(1, 1, t, s);
        NDArray real = attentionMask.toType(DataType.BOOLEAN, false);
        NDArray real4 = real.reshape(b, 1, 1, s);
        NDArray allowed = causal4.logicalAnd(real4);
        // the mask is the largest array a long prefill keeps through every layer: only it stays (each view has a
        // handle of its own that would keep its storage until the pass's manager closes)
        for (NDArray used : new NDArray[] {q, k, qCol, kRow, causal, causal4, real, real4}) {
            if (used != attentionMask) { // a boolean mask converts to itself
                used.close();
            }
        }
        return toBias(allowed);
    }

    @Override
    public void close() {
        if (adapters != null) {
            adapters.close();
        }
        manager.close();
    }
}
