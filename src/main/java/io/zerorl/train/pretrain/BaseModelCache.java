package io.zerorl.train.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.SafetensorsWriter;
import io.zerorl.checkpoint.TensorData;
import io.zerorl.checkpoint.TensorEntry;
import io.zerorl.checkpoint.WriteOptions;
import io.zerorl.data.synth.PretrainCorpus;
import io.zerorl.data.synth.SumTask;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.BuiltinTokenizer;
import io.zerorl.tokenizer.Tokenizer;
import io.zerorl.util.CacheRoot;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;
import io.zerorl.util.Seeds;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The pretrained built-in base model, cached as a Hugging Face folder under
 * {@code <cache>/models/tiny-moe-base-<hash>}, where the hash covers the pretraining settings, the model config and
 * the tokenizer. The cache root is {@code $ZERORL_CACHE}, else {@code ~/.cache/zerorl}. A folder is complete
 * once it exists: it is written under a temporary name and renamed in one step.
 */
public final class BaseModelCache {
    /** Written last into the folder: the settings it was trained with and what the run measured. */
    public static final String MARKER = "zerorl_pretrain.json";
    /** Bump when the training code changes in a way that changes the weights. */
    private static final String VERSION = "pretrain-v3";

    /** What {@link #ensure} did. {@code result} is null on a cache hit. */
    public record Outcome(Path dir, boolean cached, Pretrainer.Result result) {}

    private BaseModelCache() {}

    /** {@code $ZERORL_CACHE} (or the system property {@code zerorl.cache}), else {@code ~/.cache/zerorl}. */
    public static Path defaultRoot() {
        return CacheRoot.get();
    }

    /** The folder name for these settings: {@code tiny-moe-base-<12 hex>}. */
    public static String dirName(PretrainConfig cfg) {
        return dirName(cfg, BaseModel.Variant.MOE);
    }

    /** {@code <variant>-base-<12 hex>}. */
    public static String dirName(PretrainConfig cfg, BaseModel.Variant v) {
        return v.label + "-base-" + hash(cfg, v);
    }

    public static Path dir(Path root, PretrainConfig cfg) {
        return dir(root, cfg, BaseModel.Variant.MOE);
    }

    public static Path dir(Path root, PretrainConfig cfg, BaseModel.Variant v) {
        return root.resolve("models").resolve(dirName(cfg, v));
    }

    /** The cached folder for these settings, if complete. */
    public static Optional<Path> find(Path root, PretrainConfig cfg) {
        return find(root, cfg, BaseModel.Variant.MOE);
    }

    public static Optional<Path> find(Path root, PretrainConfig cfg, BaseModel.Variant v) {
        Path d = dir(root, cfg, v);
        return Files.isRegularFile(d.resolve(MARKER)) ? Optional.of(d) : Optional.empty();
    }

    static String hash(PretrainConfig cfg) {
        return hash(cfg, BaseModel.Variant.MOE);
    }

    static String hash(PretrainConfig cfg, BaseModel.Variant v) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((VERSION + "\n" + cfg.cacheKeyText() + "\n" + v.config().hfJson.toString() + "\n"
                    + BuiltinTokenizer.fingerprint()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns the cached model for {@code cfg}, pretraining and caching it first when absent. */
    public static Outcome ensure(Path root, PretrainConfig cfg, Consumer<String> log) {
        return ensure(root, cfg, log, null);
    }

    /**
     * As {@link #ensure(Path, PretrainConfig, Consumer)}, with the pretraining progress given to {@code steps}
     * instead of formatted onto {@code log} (the CLI draws a progress bar from it); null formats as usual.
     */
    public static Outcome ensure(Path root, PretrainConfig cfg, Consumer<String> log, Consumer<Pretrainer.Progress> steps) {
        return ensure(root, cfg, log, steps, BaseModel.Variant.MOE);
    }

    /** As above for one of the built-in base models. */
    public static Outcome ensure(Path root, PretrainConfig cfg, Consumer<String> log, Consumer<Pretrainer.Progress> steps,
                                 BaseModel.Variant v) {
        Optional<Path> hit = find(root, cfg, v);
        if (hit.isPresent()) {
            log.accept("pretrained base model found in cache: " + hit.get());
            return new Outcome(hit.get(), true, null);
        }
        Path target = dir(root, cfg, v);
        Path tmp;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + "-");
        } catch (IOException e) {
            throw new ZerorlException("Cannot create the model cache under " + target.getParent() + ": " + e.getMessage()
                    + " (set ZERORL_CACHE to a writable folder)", e);
        }
        try {
            Pretrainer.Result r = trainInto(tmp, cfg, log, steps, v);
            try {
                Files2.moveAtomically(tmp, target);
            } catch (IOException e) {
                if (find(root, cfg, v).isEmpty()) {
                    throw new ZerorlException("Cannot move the pretrained model into " + target + ": " + e.getMessage(), e);
                }
                log.accept("another process cached the same model meanwhile; using " + target);
            }
            log.accept("pretrained base model written to " + target);
            return new Outcome(target, false, r);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Pretrains a fresh base model and writes it (HF layout) into {@code dir}; the marker file goes last. */
    public static Pretrainer.Result trainInto(Path dir, PretrainConfig cfg, Consumer<String> log) {
        return trainInto(dir, cfg, log, null);
    }

    /** As {@link #trainInto(Path, PretrainConfig, Consumer)}; {@code steps} as in {@link #ensure}. */
    public static Pretrainer.Result trainInto(Path dir, PretrainConfig cfg, Consumer<String> log,
                                              Consumer<Pretrainer.Progress> steps) {
        return trainInto(dir, cfg, log, steps, BaseModel.Variant.MOE);
    }

    /** As above for one of the built-in base models. */
    public static Pretrainer.Result trainInto(Path dir, PretrainConfig cfg, Consumer<String> log,
                                              Consumer<Pretrainer.Progress> steps, BaseModel.Variant v) {
        ModelConfig config = v.config();
        BuiltinTokenizer.write(dir);
        try (Tokenizer tok = Tokenizer.load(dir);
             Policy policy = Policy.init(config, cfg.seed(), Device.cpu(), DataType.FLOAT32)) {
            String shape = config.numExperts > 0 ? String.format(java.util.Locale.ROOT,
                    "%d routed experts top-%d + %d shared", config.numExperts, config.topK, config.numSharedExperts)
                    : "dense";
            log.accept(String.format(java.util.Locale.ROOT,
                    "pretraining %s (%d layers, hidden %d, %s, vocab %d) for %d steps of %dx%d tokens",
                    v.label, config.numLayers, config.hiddenSize, shape, config.vocabSize, cfg.steps(), cfg.batchSize(),
                    cfg.seqLen()));
            Pretrainer.Result r = Pretrainer.train(policy, cfg, tok::encode, BuiltinTokenizer.EOS_ID,
                    steps != null ? steps : p -> log.accept(Pretrainer.format(p, cfg.steps())), validation(cfg, tok));
            if (cfg.stop() != null) {
                log.accept(r.stoppedAt() >= 0
                        ? String.format(java.util.Locale.ROOT, "validation target %.2f reached after %d steps; %d steps in all"
                                + " with the cooldown", cfg.stop().target(), r.stoppedAt(), r.steps())
                        : String.format(java.util.Locale.ROOT, "validation target %.2f not reached; stopped at the most"
                                + " steps, %d", cfg.stop().target(), r.steps()));
            }
            writeModel(policy, dir);
            ObjectNode marker = Json.MAPPER.createObjectNode();
            marker.put("version", VERSION);
            marker.put("settings", cfg.cacheKeyText());
            marker.put("steps", r.steps());
            marker.put("tokens", r.tokens());
            marker.put("seconds", r.seconds());
            marker.put("final_loss", r.meanLoss(true, Math.max(1, cfg.logEvery())));
            if (cfg.stop() != null) {
                marker.put("stopped_at", r.stoppedAt());
                var checks = marker.putArray("validation");
                for (Pretrainer.Check c : r.checks()) {
                    ObjectNode n = checks.addObject();
                    n.put("step", c.step());
                    c.result().byKind().forEach(n::put);
                }
            }
            Files2.writeAtomically(dir.resolve(MARKER), bytes(marker));
            return r;
        }
    }

    /**
     * Where the stop rule of the cached model in {@code dir} fired: the step, -1 when the validation target was not
     * reached within the most steps, or null for a model trained without a stop rule (or without a marker).
     */
    public static Integer stoppedAt(Path dir) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return null;
        }
        var n = Json.readTree(marker).get("stopped_at");
        return n == null || !n.isInt() ? null : n.intValue();
    }

    /** The stop rule's probes, drawn from the corpus with their own seed, or null without a stop rule. */
    static Validation validation(PretrainConfig cfg, Tokenizer tok) {
        if (cfg.stop() == null) {
            return null;
        }
        PretrainCorpus corpus = new PretrainCorpus(new SumTask(cfg.task()), cfg.mix());
        return new Validation(corpus.probes(cfg.stop().probes(), Seeds.mix(cfg.seed(), 1)), tok::encode,
                ids -> tok.decode(ids, true), tok.eosTokenIds());
    }

    /** config.json, generation_config.json and model.safetensors (float32) of a policy. */
    public static void writeModel(Policy policy, Path dir) {
        Files2.writeAtomically(dir.resolve("config.json"), bytes(policy.config().hfJson));
        Files2.writeAtomically(dir.resolve("generation_config.json"), bytes(BuiltinTokenizer.generationConfigJson()));
        List<TensorEntry> entries = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : policy.parameters().entrySet()) {
            NDArray a = e.getValue();
            entries.add(TensorEntry.float32(e.getKey(), a.getShape().getShape(), TensorData.lazy(() -> {
                try (NDArray f = a.toType(DataType.FLOAT32, true)) {
                    float[] v = f.toFloatArray();
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                    return b;
                }
            })));
        }
        SafetensorsWriter.write(dir, "model", entries, WriteOptions.defaults());
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return Json.PRETTY.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover hidden temporary folder is harmless
        }
    }
}
