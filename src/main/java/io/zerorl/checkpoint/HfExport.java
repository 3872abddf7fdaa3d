package io.zerorl.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a Hugging Face-layout model directory that transformers and vLLM load: {@code model.safetensors}
 * (sharded with {@code model.safetensors.index.json} when larger than a shard), {@code config.json},
 * {@code generation_config.json}, the tokenizer files (whose {@code tokenizer_config.json} carries the chat
 * template) and a {@code README.md} model card. Everything is written into a hidden sibling directory and
 * renamed into place at the end, so a crash never leaves a half-written export under the final name.
 */
public final class HfExport {
    /** Tokenizer files copied when present (transformers' fast and slow tokenizer files, chat template file). */
    /** The weight dtypes an export can be written in, by the names recipes and the CLI use. */
    public static final List<String> DTYPES = List.of("bf16", "fp32");

    /** {@code bf16} or {@code fp32} as a {@link DType}. */
    public static DType dtype(String name) {
        return switch (name) {
            case "bf16" -> DType.BF16;
            case "fp32" -> DType.F32;
            default -> throw new ZerorlException("export dtype must be one of " + String.join(", ", DTYPES) + ", got '"
                    + name + "'");
        };
    }

    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model", "added_tokens.json",
            "chat_template.jinja", "chat_template.json");

    private HfExport() {}

    /**
     * @param tensors          the weights as float32 entries with Hugging Face names
     * @param config           config.json content (copied; its torch_dtype/dtype is set to the stored dtype)
     * @param generationConfig generation_config.json content
     * @param tokenizerDir     directory holding the tokenizer files to copy (may be null)
     * @param dtype            F32 or BF16 (or F16)
     * @param modelCard        README.md text
     */
    public static Path write(Path out, List<TensorEntry> tensors, ObjectNode config, ObjectNode generationConfig,
                             Path tokenizerDir, DType dtype, long maxShardBytes, String modelCard) {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Path tmp = parent.resolve("." + target.getFileName() + ".tmp");
        try {
            Files.createDirectories(parent);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            SafetensorsWriter.write(tmp, "model", tensors, WriteOptions.defaults().withFloatDtype(dtype)
                    .withMaxShardBytes(maxShardBytes));
            ObjectNode cfg = config.deepCopy();
            String torchName = switch (dtype) {
                case BF16 -> "bfloat16";
                case F16 -> "float16";
                default -> "float32";
            };
            if (cfg.has("dtype")) {
                cfg.put("dtype", torchName);
            }
            if (cfg.has("torch_dtype") || !cfg.has("dtype")) {
                cfg.put("torch_dtype", torchName);
            }
            Files.write(tmp.resolve("config.json"), Json.PRETTY.writeValueAsBytes(cfg));
            Files.write(tmp.resolve("generation_config.json"), Json.PRETTY.writeValueAsBytes(generationConfig));
            copyTokenizer(tokenizerDir, tmp);
            Files.writeString(tmp.resolve("README.md"), modelCard, StandardCharsets.UTF_8);
            Path old = parent.resolve("." + target.getFileName() + ".old");
            deleteTree(old);
            if (Files.exists(target)) {
                Files2.moveAtomically(target, old);
            }
            Files2.moveAtomically(tmp, target);
            deleteTree(old);
            return target;
        } catch (IOException e) {
            throw new CheckpointException("cannot export to " + target + ": " + e, e);
        } finally {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // a hidden leftover is harmless and removed by the next export
            }
        }
    }

    /** Copies the tokenizer files found in {@code from} to {@code to}; returns their names. */
    public static List<String> copyTokenizer(Path from, Path to) throws IOException {
        List<String> copied = new ArrayList<>();
        if (from == null) {
            return copied;
        }
        for (String f : TOKENIZER_FILES) {
            Path src = from.resolve(f);
            if (Files.isRegularFile(src)) {
                Files.copy(src, to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                copied.add(f);
            }
        }
        return copied;
    }

    /** Entries that stream each tensor of an existing checkpoint as float32 (one tensor in memory at a time). */
    public static List<TensorEntry> entriesOf(Checkpoint ckpt) {
        List<TensorEntry> out = new ArrayList<>();
        for (String name : ckpt.names()) {
            long[] shape = ckpt.info(name).shape();
            out.add(TensorEntry.float32(name, shape, TensorData.lazyOwned(() -> ckpt.readFloat32(name))));
        }
        return out;
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
