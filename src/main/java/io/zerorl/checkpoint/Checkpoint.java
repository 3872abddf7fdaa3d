package io.zerorl.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.util.DirectBuffers;
import io.zerorl.util.Names;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A safetensors checkpoint opened for reading: one {@code .safetensors} file, or a directory holding
 * {@code model.safetensors} or shards listed by {@code model.safetensors.index.json} ({@code weight_map}).
 * Opening reads and validates every header (so a corrupt file fails here, naming it) but no tensor data.
 *
 * <p>Memory: tensor data is never copied into the Java heap. Each read maps only the byte range of the
 * tensor being read ({@link FileChannel#map}, in windows of at most {@value #WINDOW_BYTES} bytes, so files
 * and tensors over 2 GiB work), converts it into an off-heap destination, and unmaps the window at once.
 * {@link #readFloat32(String)} allocates a direct buffer per call, which counts against
 * {@code -XX:MaxDirectMemorySize} (default: the {@code -Xmx} value) and is freed when the GC collects it;
 * to load a model with no second copy at all, pass your own destination to
 * {@link #readFloat32(String, long, ByteBuffer)} (e.g. the memory of the parameter being filled).
 *
 * <p>Thread-safe for concurrent reads. Buffers already returned stay valid after {@link #close()}.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String INDEX_FILE = "model.safetensors.index.json";
    public static final String SINGLE_FILE = "model.safetensors";
    static final int WINDOW_BYTES = 64 << 20;

    private final Path location;
    private final Map<String, TensorInfo> tensors; // weight_map order (sharded) or file order
    private final Map<String, String> metadata;
    private final Map<String, String> indexMetadata;
    private final Map<Path, FileChannel> channels;
    private volatile boolean closed;

    private Checkpoint(Path location, Map<String, TensorInfo> tensors, Map<String, String> metadata,
                       Map<String, String> indexMetadata, Map<Path, FileChannel> channels) {
        this.location = location;
        this.tensors = tensors;
        this.metadata = metadata;
        this.indexMetadata = indexMetadata;
        this.channels = channels;
    }

    /**
     * Opens a {@code .safetensors} file, a {@code *.safetensors.index.json} file, or a directory: its
     * {@value #INDEX_FILE} if present, else {@value #SINGLE_FILE}, else its only index or its only
     * {@code .safetensors} file.
     */
    public static Checkpoint open(Path dirOrFile) {
        Path p = dirOrFile.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            return openFile(p, resolveDirectory(p));
        }
        if (!Files.isRegularFile(p)) {
            throw new CheckpointException("checkpoint not found: " + p);
        }
        return openFile(p, p);
    }

    private static Path resolveDirectory(Path dir) {
        if (Files.isRegularFile(dir.resolve(INDEX_FILE))) {
            return dir.resolve(INDEX_FILE);
        }
        if (Files.isRegularFile(dir.resolve(SINGLE_FILE))) {
            return dir.resolve(SINGLE_FILE);
        }
        List<Path> listed;
        try (Stream<Path> s = Files.list(dir)) {
            listed = s.sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new CheckpointException("cannot list checkpoint directory " + dir + ": " + e.getMessage(), e);
        }
        List<Path> indexes = listed.stream().filter(f -> f.getFileName().toString().endsWith(".safetensors.index.json"))
                .collect(Collectors.toList());
        List<Path> singles = listed.stream().filter(f -> f.getFileName().toString().endsWith(".safetensors"))
                .collect(Collectors.toList());
        if (indexes.size() == 1) {
            return indexes.get(0);
        }
        if (indexes.isEmpty() && singles.size() == 1) {
            return singles.get(0);
        }
        throw new CheckpointException("no " + INDEX_FILE + " or " + SINGLE_FILE + " in " + dir
                + (indexes.size() + singles.size() > 1 ? "; several candidates, open one of them: " : "; found: ")
                + listed.stream().map(f -> f.getFileName().toString()).limit(20).collect(Collectors.joining(", ")));
    }

    private static Checkpoint openFile(Path location, Path file) {
        Map<Path, FileChannel> channels = new LinkedHashMap<>();
        try {
            Checkpoint c = file.getFileName().toString().endsWith(".index.json")
                    ? openIndex(location, file, channels)
                    : openSingle(location, file, channels);
            return c;
        } catch (RuntimeException e) {
            closeAll(channels.values());
            throw e;
        }
    }

    private static Checkpoint openSingle(Path location, Path file, Map<Path, FileChannel> channels) {
        SafetensorsHeader h = SafetensorsHeader.read(file, channel(file, channels, null));
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        h.tensors.forEach(t -> byName.put(t.name(), t));
        return new Checkpoint(location, Collections.unmodifiableMap(byName), h.metadata, Map.of(), channels);
    }

    private static Checkpoint openIndex(Path location, Path index, Map<Path, FileChannel> channels) {
        JsonNode root;
        try {
            root = SafetensorsHeader.mapper().readTree(index.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointException(index + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + index + ": " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new CheckpointException(index + ": missing 'weight_map' object (tensor name -> shard file)");
        }
        Map<String, String> indexMeta = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && meta.isObject()) {
            meta.fields().forEachRemaining(e -> indexMeta.put(e.getKey(),
                    e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        }
        Path dir = index.getParent();
        Map<Path, SafetensorsHeader> headers = new LinkedHashMap<>();
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (var it = weightMap.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(index + ": weight_map['" + name + "'] is not a file name");
            }
            Path shard = dir.resolve(e.getValue().asText()).normalize();
            if (!shard.startsWith(dir)) {
                throw new CheckpointException(index + ": weight_map['" + name + "'] = '" + e.getValue().asText()
                        + "' points outside " + dir);
            }
            SafetensorsHeader h = headers.get(shard);
            if (h == null) {
                if (!Files.isRegularFile(shard)) {
                    throw new CheckpointException(index + ": shard file " + shard.getFileName()
                            + " (holding tensor '" + name + "') is missing from " + dir);
                }
                h = SafetensorsHeader.read(shard, channel(shard, channels, index));
                headers.put(shard, h);
            }
            TensorInfo t = h.byName.get(name);
            if (t == null) {
                throw new CheckpointException(index + ": weight_map puts tensor '" + name + "' in "
                        + shard.getFileName() + ", but " + shard + " does not contain it");
            }
            byName.put(name, t);
        }
        // Shards normally repeat the same __metadata__; keep the first value of each key.
        Map<String, String> merged = new LinkedHashMap<>();
        headers.values().forEach(h -> h.metadata.forEach(merged::putIfAbsent));
        return new Checkpoint(location, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(merged),
                Collections.unmodifiableMap(indexMeta), channels);
    }

    private static FileChannel channel(Path file, Map<Path, FileChannel> channels, Path index) {
        FileChannel ch = channels.get(file);
        if (ch == null) {
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new CheckpointException((index != null ? index + ": shard " : "") + "file not found: " + file);
            } catch (IOException e) {
                throw new CheckpointException("cannot open " + file + ": " + e.getMessage(), e);
            }
            channels.put(file, ch);
        }
        return ch;
    }

    /** What was opened: the directory or file passed to {@link #open}, absolute. */
    public Path location() {
        return location;
    }

    /** Tensor names in weight_map order (sharded) or file order (single file). */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** The data files, in the order their tensors first appear. */
    public List<Path> files() {
        return List.copyOf(channels.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw notFound(name);
        }
        return t;
    }

    /** Like {@link #info(String)}, but also checks the shape: a mismatch names the tensor, its file and both shapes. */
    public TensorInfo info(String name, long... expectedShape) {
        TensorInfo t = info(name);
        if (!t.hasShape(expectedShape)) {
            throw new CheckpointException("tensor '" + name + "' in " + t.file() + " has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expectedShape));
        }
        return t;
    }

    /**
     * The {@code __metadata__} of the file (for shards: merged, first value wins), e.g. {"format": "pt"}.
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The index file's {@code metadata} object (values as text, e.g. total_size); empty for a single file. */
    public Map<String, String> indexMetadata() {
        return indexMetadata;
    }

    /**
     * The whole tensor as float32: a new direct, little-endian buffer of {@code numel * 4} bytes at position 0,
     * converted from any real dtype (integers become their nearest float). Off-heap: see the class comment.
     */
    public ByteBuffer readFloat32(String name) {
        TensorInfo t = info(name);
        long bytes = t.numel() * 4;
        if (bytes > Integer.MAX_VALUE) {
            throw new CheckpointException("tensor '" + name + "' in " + t.file() + " has " + t.numel()
                    + " elements; as float32 that is over the 2 GiB limit of one ByteBuffer:"
                    + " read it in parts with readFloat32(name, firstElement, dst)");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFloat32(name, 0, out);
        return out.position(0);
    }

    /** {@link #readFloat32(String)} after checking the shape. */
    public ByteBuffer readFloat32(String name, long... expectedShape) {
        info(name, expectedShape);
        return readFloat32(name);
    }

    /**
     * Converts elements {@code [firstElement, firstElement + dst.remaining() / 4)} (flat, row-major) into
     * {@code dst} as little-endian float32, advancing its position. No intermediate copy is made.
     */
    public void readFloat32(String name, long firstElement, ByteBuffer dst) {
        TensorInfo t = info(name);
        if (!t.dtype().isReal()) {
            throw new CheckpointException("tensor '" + name + "' in " + t.file() + " is " + t.dtype()
                    + ", which has no float32 value; use mapRaw");
        }
        if (dst.isReadOnly() || dst.remaining() % 4 != 0) {
            throw new IllegalArgumentException("destination must be writable with a multiple of 4 bytes remaining");
        }
        long count = dst.remaining() / 4;
        checkRange(t, firstElement, count);
        int bits = t.dtype().bitsPerElement();
        // windows hold a multiple of 8 elements, so each starts on a byte boundary unless firstElement doesn't
        long perWindow = Math.max(8, (WINDOW_BYTES * 8L / bits) & ~7L);
        for (long e = firstElement, end = firstElement + count; e < end; ) {
            int n = (int) Math.min(perWindow, end - e);
            long bitStart = e * bits;
            long byteStart = bitStart >>> 3;
            long byteEnd = (bitStart + (long) n * bits + 7) >>> 3;
            MappedByteBuffer window = map(t, byteStart, byteEnd - byteStart);
            try {
                Decoder.toFloat(t.dtype(), window, (int) (bitStart & 7), n, dst);
            } finally {
                DirectBuffers.free(window);
            }
            e += n;
        }
    }

    /** The whole tensor as a heap float array; meant for small tensors (norms, biases, tests). */
    public float[] readFloats(String name) {
        TensorInfo t = info(name);
        if (t.numel() > Integer.MAX_VALUE / 4) {
            throw new CheckpointException("tensor '" + name + "' in " + t.file() + " has " + t.numel()
                    + " elements, too many for a float[]; use readFloat32");
        }
        ByteBuffer b = ByteBuffer.allocateDirect((int) t.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
        readFloat32(name, 0, b);
        float[] out = new float[(int) t.numel()];
        b.flip().asFloatBuffer().get(out);
        return out;
    }

    /** {@link #readFloats(String)} after checking the shape. */
    public float[] readFloats(String name, long... expectedShape) {
        info(name, expectedShape);
        return readFloats(name);
    }

    /** An integer or BOOL tensor as longs (U64 keeps its bits: values of 2^63 or more come back negative). */
    public long[] readLongs(String name) {
        TensorInfo t = info(name);
        if (!t.dtype().isIntegral()) {
            throw new CheckpointException("tensor '" + name + "' in " + t.file() + " is " + t.dtype()
                    + ", not an integer type; use readFloat32");
        }
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw new CheckpointException("tensor '" + name + "' in " + t.file() + " is too large for a long[]");
        }
        long[] out = new long[(int) t.numel()];
        int size = t.dtype().bitsPerElement() / 8;
        int perWindow = WINDOW_BYTES / size;
        for (int e = 0; e < out.length; ) {
            int n = Math.min(perWindow, out.length - e);
            MappedByteBuffer window = map(t, (long) e * size, (long) n * size);
            try {
                Decoder.toLong(t.dtype(), window, n, out, e);
            } finally {
                DirectBuffers.free(window);
            }
            e += n;
        }
        return out;
    }

    /**
     * The stored bytes of a tensor, any dtype, as a read-only little-endian view of the mapped file
     * (no copy; unmapped by the GC once unreachable). At most 2 GiB: use {@link #mapRaw(String, long, long)}.
     */
    public ByteBuffer mapRaw(String name) {
        TensorInfo t = info(name);
        if (t.byteLength() > Integer.MAX_VALUE) {
            throw new CheckpointException("tensor '" + name + "' in " + t.file() + " is " + t.byteLength()
                    + " bytes, over the 2 GiB limit of one mapping: use mapRaw(name, byteOffset, length)");
        }
        return mapRaw(name, 0, t.byteLength());
    }

    /** Bytes {@code [byteOffset, byteOffset + length)} of a tensor's stored data, mapped read-only. */
    public ByteBuffer mapRaw(String name, long byteOffset, long length) {
        TensorInfo t = info(name);
        if (byteOffset < 0 || length < 0 || length > Integer.MAX_VALUE || byteOffset > t.byteLength() - length) {
            throw new CheckpointException("byte range [" + byteOffset + ", " + byteOffset + "+" + length
                    + ") is outside tensor '" + name + "' (" + t.byteLength() + " bytes) in " + t.file());
        }
        return map(t, byteOffset, length).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkRange(TensorInfo t, long first, long count) {
        if (first < 0 || first > t.numel() - count) {
            throw new CheckpointException("elements [" + first + ", " + first + "+" + count + ") are outside tensor '"
                    + t.name() + "' (" + t.numel() + " elements) in " + t.file());
        }
    }

    private MappedByteBuffer map(TensorInfo t, long byteOffset, long length) {
        if (closed) {
            throw new CheckpointException("checkpoint " + location + " is closed (reading '" + t.name() + "')");
        }
        try {
            return channels.get(t.file()).map(FileChannel.MapMode.READ_ONLY, t.offset() + byteOffset, length);
        } catch (IOException e) {
            // e.g. the file shrank after open: report instead of crashing on a SIGBUS later
            throw new CheckpointException("cannot map tensor '" + t.name() + "' in " + t.file() + ": " + e, e);
        }
    }

    private CheckpointException notFound(String name) {
        List<String> all = new ArrayList<>(tensors.keySet());
        // edit distance is quadratic per name: skip the suggestion on huge checkpoints
        List<String> closest = all.size() > 5000 ? List.of() : all.stream()
                .sorted(Comparator.comparingInt((String s) -> Names.distance(s, name)))
                .limit(3).collect(Collectors.toList());
        return new CheckpointException("tensor '" + name + "' not found in " + location + " (" + all.size()
                + " tensors); closest: " + closest + "; first: "
                + all.stream().limit(5).collect(Collectors.joining(", ")) + (all.size() > 5 ? ", ..." : ""));
    }

    @Override
    public void close() {
        closed = true;
        closeAll(channels.values());
    }

    private static void closeAll(Iterable<FileChannel> channels) {
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
    }

    @Override
    public String toString() {
        return "Checkpoint[" + location + ", " + tensors.size() + " tensors in " + channels.size() + " file(s)]";
    }
}
