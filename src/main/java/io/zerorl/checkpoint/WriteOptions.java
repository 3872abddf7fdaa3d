package io.zerorl.checkpoint;

import java.util.Map;
import java.util.Objects;

/**
 * How {@link SafetensorsWriter} lays out a checkpoint.
 *
 * @param floatDtype    storage type of float32 entries: F32, F16 or BF16 (round to nearest even)
 * @param maxShardBytes split into HF-style shards of at most this many tensor bytes (a larger tensor gets
 *                      a shard of its own, as in transformers); {@code Long.MAX_VALUE} means one file
 * @param metadata      the {@code __metadata__} written into every file; transformers refuses files whose
 *                      metadata has a "format" other than pt/tf/flax/mlx, hence the default {"format": "pt"}
 */
public record WriteOptions(DType floatDtype, long maxShardBytes, Map<String, String> metadata) {
    public WriteOptions {
        Objects.requireNonNull(floatDtype, "floatDtype");
        if (floatDtype != DType.F32 && floatDtype != DType.F16 && floatDtype != DType.BF16) {
            throw new IllegalArgumentException("float entries can be stored as F32, F16 or BF16, not " + floatDtype);
        }
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        metadata = Map.copyOf(metadata);
    }

    public static WriteOptions defaults() {
        return new WriteOptions(DType.F32, Long.MAX_VALUE, Map.of("format", "pt"));
    }

    public WriteOptions withFloatDtype(DType dtype) {
        return new WriteOptions(dtype, maxShardBytes, metadata);
    }

    public WriteOptions withMaxShardBytes(long bytes) {
        return new WriteOptions(floatDtype, bytes, metadata);
    }

    public WriteOptions withMetadata(Map<String, String> map) {
        return new WriteOptions(floatDtype, maxShardBytes, map);
    }
}
