package io.zerorl.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of one safetensors file. Layout (huggingface/safetensors README):
 * an unsigned little-endian u64 N, N bytes of UTF-8 JSON ({@code name -> {dtype, shape, data_offsets}}
 * plus an optional {@code __metadata__} string map), then the data; offsets are relative to the data
 * start. Validated as the reference {@code Metadata::validate} does: offsets contiguous from 0, each
 * byte range equal to numel * dtype size, and the last one ending exactly at the end of the file.
 */
final class SafetensorsHeader {
    /** The reference implementation's MAX_HEADER_SIZE; a larger header is almost surely garbage. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    // Duplicate keys would silently keep the last entry; in a header they are a lie, so reject them.
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    final Path file;
    final long headerBytes;
    /** Tensors in file (offset) order. */
    final List<TensorInfo> tensors;
    final Map<String, TensorInfo> byName;
    final Map<String, String> metadata;

    private SafetensorsHeader(Path file, long headerBytes, List<TensorInfo> tensors, Map<String, String> metadata) {
        this.file = file;
        this.headerBytes = headerBytes;
        this.tensors = tensors;
        this.byName = new java.util.HashMap<>();
        tensors.forEach(t -> byName.put(t.name(), t));
        this.metadata = metadata;
    }

    static SafetensorsHeader read(Path file, FileChannel ch) {
        try {
            long size = ch.size();
            if (size < 8) {
                throw fail(file, "truncated: " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw fail(file, "header length " + Long.toUnsignedString(n) + " exceeds the "
                        + MAX_HEADER_BYTES + "-byte limit (not a safetensors file?)");
            }
            if (8 + n > size) {
                throw fail(file, "header length " + n + " is larger than the file (" + size
                        + " bytes): truncated or not a safetensors file");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            readFully(ch, json, 8);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(json.flip()).toString();
            } catch (CharacterCodingException e) {
                throw fail(file, "header is not valid UTF-8");
            }
            JsonNode root;
            try {
                root = STRICT.readTree(text);
            } catch (JsonProcessingException e) {
                throw fail(file, "header is not valid JSON: " + e.getOriginalMessage());
            }
            if (!(root instanceof ObjectNode obj)) {
                throw fail(file, "header is not a JSON object");
            }
            return parse(file, n, obj, size);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("safetensors file not found: " + file);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static SafetensorsHeader parse(Path file, long n, ObjectNode root, long fileSize) {
        Map<String, String> metadata = new LinkedHashMap<>();
        record Raw(String name, DType dtype, long[] shape, long begin, long end) {}
        List<Raw> raws = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (key.equals(METADATA_KEY)) {
                if (!v.isObject()) {
                    throw fail(file, "__metadata__ must be an object of strings");
                }
                v.fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual()) {
                        throw fail(file, "__metadata__ key '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            if (!v.isObject()) {
                throw fail(file, "tensor '" + key + "': entry is not an object");
            }
            JsonNode dt = v.get("dtype");
            if (dt == null || !dt.isTextual()) {
                throw fail(file, "tensor '" + key + "': missing or non-string 'dtype'");
            }
            DType dtype;
            try {
                dtype = DType.parse(dt.asText());
            } catch (CheckpointException ex) {
                throw fail(file, "tensor '" + key + "': " + ex.getMessage());
            }
            long[] shape = longs(file, key, v.get("shape"), "shape", -1);
            long[] off = longs(file, key, v.get("data_offsets"), "data_offsets", 2);
            if (off[1] < off[0]) {
                throw fail(file, "tensor '" + key + "': data_offsets [" + off[0] + ", " + off[1]
                        + "] end before they begin");
            }
            long expected;
            try {
                expected = dtype.byteLength(TensorInfo.numel(shape));
            } catch (ArithmeticException ex) {
                throw fail(file, "tensor '" + key + "': shape " + java.util.Arrays.toString(shape)
                        + " overflows a 64-bit element count");
            } catch (CheckpointException ex) {
                throw fail(file, "tensor '" + key + "': " + ex.getMessage());
            }
            if (off[1] - off[0] != expected) {
                throw fail(file, "tensor '" + key + "': data_offsets [" + off[0] + ", " + off[1] + "] span "
                        + (off[1] - off[0]) + " bytes but " + dtype + java.util.Arrays.toString(shape)
                        + " needs " + expected);
            }
            raws.add(new Raw(key, dtype, shape, off[0], off[1]));
        }
        // Writers may list tensors in any order (older ones sort by name); the data must still tile exactly.
        raws.sort(Comparator.comparingLong(Raw::begin).thenComparingLong(Raw::end));
        long dataStart = 8 + n;
        long cursor = 0;
        List<TensorInfo> tensors = new ArrayList<>(raws.size());
        for (Raw r : raws) {
            if (r.begin != cursor) {
                throw fail(file, "tensor '" + r.name + "': data_offsets start at " + r.begin + " but the previous"
                        + " tensor ends at " + cursor + (r.begin < cursor ? " (overlap)" : " (gap)"));
            }
            if (dataStart + r.end > fileSize) {
                throw fail(file, "truncated: tensor '" + r.name + "' ends at byte " + (dataStart + r.end)
                        + " but the file has " + fileSize + " bytes");
            }
            tensors.add(new TensorInfo(r.name, r.dtype, r.shape, file, dataStart + r.begin, r.end - r.begin));
            cursor = r.end;
        }
        if (dataStart + cursor != fileSize) {
            throw fail(file, (fileSize - dataStart - cursor) + " bytes after the last tensor's data;"
                    + " the header does not cover the file");
        }
        return new SafetensorsHeader(file, n, Collections.unmodifiableList(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static long[] longs(Path file, String tensor, JsonNode node, String field, int requiredLength) {
        if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            throw fail(file, "tensor '" + tensor + "': '" + field + "' must be an array"
                    + (requiredLength >= 0 ? " of " + requiredLength + " integers" : " of integers"));
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = node.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.asLong() < 0) {
                throw fail(file, "tensor '" + tensor + "': '" + field + "' holds " + x
                        + ", not a non-negative 64-bit integer");
            }
            out[i] = x.asLong();
        }
        return out;
    }

    static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int r = ch.read(dst, position);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + position);
            }
            position += r;
        }
    }

    private static CheckpointException fail(Path file, String what) {
        return new CheckpointException(file + ": " + what);
    }

    static ObjectMapper mapper() {
        return STRICT;
    }
}
