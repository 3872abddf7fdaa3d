package io.zerorl.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.util.Files2;
import io.zerorl.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes safetensors checkpoints, one tensor at a time: every header is computed from the entries' shapes
 * before any data is asked for, then each entry's {@link TensorData} is pulled, converted and streamed to
 * disk, so only one tensor (or one chunk) is in memory at once.
 *
 * <p>Layout follows the reference serializer (huggingface/safetensors {@code prepare}): within a file,
 * tensors sorted by descending {@link DType} ordinal then name, contiguous data, the JSON header padded with
 * spaces to a multiple of 8 bytes. Sharding follows transformers' {@code save_pretrained}: entries are
 * packed greedily in the given order into {@code <base>-00001-of-0000N.safetensors}, plus
 * {@code <base>.safetensors.index.json} with {@code metadata.total_size} and a sorted {@code weight_map};
 * a checkpoint that fits one shard is written as {@code <base>.safetensors} alone.
 *
 * <p>Atomicity: every file is written to a hidden temporary file in the target directory, flushed to disk,
 * and renamed only after all files were written; on any failure the temporaries are deleted and no file
 * under a final name has been touched. The index is renamed last, so a reader never sees it point to a
 * shard that is not there yet. Afterwards, files of an earlier checkpoint with the same base name that
 * would shadow or confuse the new one (a stale index, single file or shard) are deleted. The renames
 * themselves are not one transaction: a crash between them can leave a mix of new and old shards.
 */
public final class SafetensorsWriter {
    private static final int STAGING_BYTES = 1 << 20;

    private SafetensorsWriter() {}

    /** What was written. {@code index} is null when everything went into one file. */
    public record Result(Path directory, List<Path> files, Path index, long totalSize) {}

    /** Writes {@code entries} as {@code <baseName>.safetensors} or as shards with an index under {@code outDir}. */
    public static Result write(Path outDir, String baseName, List<TensorEntry> entries, WriteOptions options) {
        Path dir = outDir.toAbsolutePath().normalize();
        if (baseName.isEmpty() || baseName.contains("/") || baseName.contains("\\")) {
            throw new IllegalArgumentException("baseName must be a plain file name stem, got '" + baseName + "'");
        }
        List<List<TensorEntry>> shards = plan(entries, options);
        int n = shards.size();
        List<Path> finals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            finals.add(dir.resolve(n == 1 ? baseName + ".safetensors"
                    : String.format("%s-%05d-of-%05d.safetensors", baseName, i + 1, n)));
        }
        Path index = n == 1 ? null : dir.resolve(baseName + ".safetensors.index.json");

        List<Path> temps = new ArrayList<>();
        boolean published = false;
        try {
            Files.createDirectories(dir);
            long totalSize = 0;
            Map<String, String> weightMap = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                Path tmp = Files.createTempFile(dir, "." + finals.get(i).getFileName(), ".tmp");
                temps.add(tmp);
                totalSize += writeFile(tmp, finals.get(i), shards.get(i), options);
                for (TensorEntry e : shards.get(i)) {
                    weightMap.put(e.name(), finals.get(i).getFileName().toString());
                }
            }
            Path indexTmp = null;
            if (index != null) {
                ObjectNode root = Json.MAPPER.createObjectNode();
                root.putObject("metadata").put("total_size", totalSize);
                ObjectNode wm = root.putObject("weight_map");
                weightMap.forEach(wm::put);
                indexTmp = Files.createTempFile(dir, "." + index.getFileName(), ".tmp");
                temps.add(indexTmp);
                Files.write(indexTmp, Json.PRETTY.writeValueAsBytes(root));
            }
            for (int i = 0; i < n; i++) {
                Files2.moveAtomically(temps.get(i), finals.get(i));
            }
            if (index != null) {
                Files2.moveAtomically(indexTmp, index);
            }
            published = true;
            removeStale(dir, baseName, finals, index);
            return new Result(dir, List.copyOf(finals), index, totalSize);
        } catch (IOException e) {
            throw new CheckpointException("cannot write checkpoint " + dir.resolve(baseName) + ": " + e, e);
        } catch (UncheckedIOException e) {
            throw new CheckpointException("cannot write checkpoint " + dir.resolve(baseName) + ": " + e.getCause(), e);
        } finally {
            if (!published) {
                for (Path t : temps) {
                    try {
                        Files.deleteIfExists(t);
                    } catch (IOException ignored) {
                        // best effort: a hidden *.tmp is harmless
                    }
                }
            }
        }
    }

    /** Validates the entries and splits them into shards (transformers' greedy rule). */
    private static List<List<TensorEntry>> plan(List<TensorEntry> entries, WriteOptions options) {
        Set<String> seen = new HashSet<>();
        List<List<TensorEntry>> shards = new ArrayList<>();
        List<TensorEntry> current = new ArrayList<>();
        long currentBytes = 0;
        for (TensorEntry e : entries) {
            if (e.name().isEmpty() || e.name().equals(SafetensorsHeader.METADATA_KEY)) {
                throw new CheckpointException("invalid tensor name '" + e.name() + "'");
            }
            if (!seen.add(e.name())) {
                throw new CheckpointException("tensor '" + e.name() + "' is listed twice");
            }
            long bytes = storedBytes(e, options);
            if (!current.isEmpty() && currentBytes + bytes > options.maxShardBytes()) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(e);
            currentBytes += bytes;
        }
        shards.add(current); // an empty checkpoint is one file with no tensors
        return shards;
    }

    private static long storedBytes(TensorEntry e, WriteOptions options) {
        for (long d : e.shape()) {
            if (d < 0) {
                throw new CheckpointException("tensor '" + e.name() + "' has a negative dimension: "
                        + Arrays.toString(e.shape()));
            }
        }
        try {
            return e.storedDtype(options).byteLength(TensorInfo.numel(e.shape()));
        } catch (ArithmeticException ex) {
            throw new CheckpointException("tensor '" + e.name() + "': shape " + Arrays.toString(e.shape())
                    + " overflows a 64-bit element count");
        } catch (CheckpointException ex) {
            throw new CheckpointException("tensor '" + e.name() + "': " + ex.getMessage());
        }
    }

    /** Writes one file to {@code tmp}; returns its tensor bytes. {@code target} only names it in errors. */
    private static long writeFile(Path tmp, Path target, List<TensorEntry> shard, WriteOptions options)
            throws IOException {
        List<TensorEntry> sorted = new ArrayList<>(shard);
        sorted.sort(Comparator.comparing((TensorEntry e) -> e.storedDtype(options)).reversed()
                .thenComparing(TensorEntry::name));
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (!options.metadata().isEmpty()) {
            ObjectNode meta = header.putObject(SafetensorsHeader.METADATA_KEY);
            new TreeMap<>(options.metadata()).forEach(meta::put);
        }
        long offset = 0;
        for (TensorEntry e : sorted) {
            long bytes = storedBytes(e, options);
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.storedDtype(options).safetensorsName());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot serialise a header", ex);
        }
        int padded = (json.length + 7) & ~7; // the spec pads with spaces so the data starts 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            writeAll(ch, head.flip());
            TensorSink sink = new TensorSink(ch, target);
            for (TensorEntry e : sorted) {
                sink.write(e, options);
            }
            ch.force(true);
        }
        return offset;
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Streams one entry's chunks into the file, converting float32 and counting bytes against the header. */
    private static final class TensorSink {
        private final FileChannel ch;
        private final Path target;
        private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final float[] floats = new float[STAGING_BYTES / 4];

        TensorSink(FileChannel ch, Path target) {
            this.ch = ch;
            this.target = target;
        }

        void write(TensorEntry e, WriteOptions options) throws IOException {
            DType out = e.storedDtype(options);
            long numel = TensorInfo.numel(e.shape());
            long expected = e.raw() ? out.byteLength(numel) : numel * 4; // bytes the data must supply
            long[] supplied = {0};
            try {
                e.data().emit(chunk -> {
                    long n = chunk.remaining();
                    if (supplied[0] + n > expected) {
                        throw new CheckpointException(target + ": tensor '" + e.name() + "' supplies more than the "
                                + expected + " bytes its shape " + Arrays.toString(e.shape()) + " needs");
                    }
                    if (!e.raw() && n % 4 != 0) {
                        throw new CheckpointException(target + ": tensor '" + e.name()
                                + "' supplies a float32 chunk of " + n + " bytes, not whole floats");
                    }
                    try {
                        if (e.raw() || (out == DType.F32 && chunk.order() == ByteOrder.LITTLE_ENDIAN)) {
                            writeAll(ch, chunk);
                        } else {
                            convert(chunk, out);
                        }
                    } catch (IOException io) {
                        throw new UncheckedIOException(io);
                    }
                    supplied[0] += n;
                });
            } catch (UncheckedIOException io) {
                throw io.getCause();
            }
            if (supplied[0] != expected) {
                throw new CheckpointException(target + ": tensor '" + e.name() + "' supplied " + supplied[0]
                        + " bytes, but its shape " + Arrays.toString(e.shape()) + " needs " + expected);
            }
        }

        /** float32 chunk (in its own byte order) to little-endian F32, F16 or BF16 through the staging buffer. */
        private void convert(ByteBuffer chunk, DType out) throws IOException {
            FloatBuffer src = chunk.asFloatBuffer(); // takes the chunk's order
            int outSize = out.bitsPerElement() / 8;
            while (src.hasRemaining()) {
                int k = Math.min(src.remaining(), Math.min(floats.length, STAGING_BYTES / outSize));
                src.get(floats, 0, k);
                staging.clear();
                switch (out) {
                    case F32 -> staging.asFloatBuffer().put(floats, 0, k);
                    case F16 -> {
                        for (int i = 0; i < k; i++) {
                            staging.putShort(2 * i, Floats.floatToF16(floats[i]));
                        }
                    }
                    case BF16 -> {
                        for (int i = 0; i < k; i++) {
                            staging.putShort(2 * i, Floats.floatToBf16(floats[i]));
                        }
                    }
                    default -> throw new IllegalStateException(out.toString()); // WriteOptions allows only these
                }
                staging.limit(k * outSize);
                writeAll(ch, staging);
            }
            chunk.position(chunk.limit());
        }
    }

    private static final Pattern SHARD = Pattern.compile("-\\d{5}-of-\\d{5}\\.safetensors");

    /** Deletes an earlier checkpoint's files under the same base name that the new one does not overwrite. */
    private static void removeStale(Path dir, String baseName, List<Path> written, Path index) throws IOException {
        Set<Path> keep = new HashSet<>(written);
        if (index != null) {
            keep.add(index);
        }
        List<Path> stale;
        try (Stream<Path> s = Files.list(dir)) {
            stale = s.filter(p -> !keep.contains(p)).filter(p -> {
                String f = p.getFileName().toString();
                return f.equals(baseName + ".safetensors") || f.equals(baseName + ".safetensors.index.json")
                        || (f.startsWith(baseName) && SHARD.matcher(f.substring(baseName.length())).matches());
            }).collect(Collectors.toList());
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
    }
}
