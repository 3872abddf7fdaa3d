package io.zerorl.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WriterTest {
    @TempDir
    Path tmp;

    private static TensorEntry floats(String name, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = name.hashCode() + i;
        }
        return TensorEntry.float32(name, new long[]{n}, TensorData.ofFloats(v));
    }

    private List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void failureLeavesThePreviousCheckpointUntouchedAndNoTemporaries() throws Exception {
        Path dir = tmp.resolve("out");
        SafetensorsWriter.write(dir, "model", List.of(floats("a", 4), floats("b", 4), floats("c", 4)),
                WriteOptions.defaults().withMaxShardBytes(16));
        List<String> before = listing(dir);
        byte[] firstShard = Files.readAllBytes(dir.resolve("model-00001-of-00003.safetensors"));
        TensorEntry boom = TensorEntry.float32("c", new long[]{4}, sink -> {
            throw new IllegalStateException("device lost");
        });
        assertThatThrownBy(() -> SafetensorsWriter.write(dir, "model", List.of(floats("a", 4), floats("b", 4), boom),
                WriteOptions.defaults().withMaxShardBytes(16).withFloatDtype(DType.BF16)))
                .isInstanceOf(IllegalStateException.class).hasMessage("device lost");
        assertThat(listing(dir)).isEqualTo(before);
        assertThat(Files.readAllBytes(dir.resolve("model-00001-of-00003.safetensors"))).isEqualTo(firstShard);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.info("a").dtype()).isEqualTo(DType.F32);
        }
    }

    @Test
    void wrongDataSizeNamesTheTensor() throws Exception {
        Path dir = tmp.resolve("sizes");
        assertThatThrownBy(() -> SafetensorsWriter.write(dir, "model",
                List.of(TensorEntry.float32("short", new long[]{2, 2}, TensorData.ofFloats(new float[3]))),
                WriteOptions.defaults()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("'short'")
                .hasMessageContaining("supplied 12 bytes").hasMessageContaining("needs 16")
                .hasMessageContaining("model.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.write(dir, "model",
                List.of(TensorEntry.raw("long", DType.BF16, new long[]{2}, TensorData.of(ByteBuffer.allocate(6)))),
                WriteOptions.defaults()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("'long'").hasMessageContaining("more than");
        assertThatThrownBy(() -> SafetensorsWriter.write(dir, "model", List.of(floats("x", 2), floats("x", 2)),
                WriteOptions.defaults())).isInstanceOf(CheckpointException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> SafetensorsWriter.write(dir, "model",
                List.of(TensorEntry.raw("odd", DType.F4, new long[]{3}, TensorData.of(ByteBuffer.allocate(2)))),
                WriteOptions.defaults())).isInstanceOf(CheckpointException.class).hasMessageContaining("'odd'");
        assertThat(listing(dir)).isEmpty();
    }

    @Test
    void rewritingReplacesStaleFilesOfTheSameBaseName() throws Exception {
        Path dir = tmp.resolve("stale");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{}");
        SafetensorsWriter.write(dir, "model", List.of(floats("a", 4), floats("b", 4), floats("c", 4)),
                WriteOptions.defaults().withMaxShardBytes(16));
        SafetensorsWriter.write(dir, "model", List.of(floats("a", 4), floats("b", 4)),
                WriteOptions.defaults().withMaxShardBytes(16));
        assertThat(listing(dir)).containsExactly("config.json", "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors", "model.safetensors.index.json");
        SafetensorsWriter.write(dir, "model", List.of(floats("z", 4)), WriteOptions.defaults());
        assertThat(listing(dir)).containsExactly("config.json", "model.safetensors");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.names()).containsExactly("z");
        }
    }

    @Test
    void oversizedTensorGetsItsOwnShard() {
        SafetensorsWriter.Result r = SafetensorsWriter.write(tmp, "model",
                List.of(floats("small1", 2), floats("big", 100), floats("small2", 2)),
                WriteOptions.defaults().withMaxShardBytes(16));
        assertThat(r.files()).hasSize(3);
        try (Checkpoint c = Checkpoint.open(tmp)) {
            assertThat(c.info("big").file()).isEqualTo(r.files().get(1));
            assertThat(c.readFloats("big")).hasSize(100);
        }
    }

    /** A sparse file over 2 GiB: offsets beyond 2^31 and ranged reads work without touching the disk. */
    @Test
    void filesAndTensorsOver2GiB() throws Exception {
        long big = 3_000_000_000L;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        Path f = tmp.resolve("sparse.safetensors");
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long dataStart = 8 + h.length;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            raf.setLength(dataStart + big + 8);
            raf.seek(dataStart + 2_500_000_000L);
            raf.write(new byte[]{7, (byte) 200});
            raf.seek(dataStart + big);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.25f).putFloat(-3f).array());
        }
        try (Checkpoint c = Checkpoint.open(f)) {
            assertThat(c.info("tail").offset()).isEqualTo(dataStart + big);
            assertThat(c.readFloats("tail")).containsExactly(1.25f, -3f);
            ByteBuffer part = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
            c.readFloat32("big", 2_499_999_999L, part);
            float[] got = new float[4];
            part.flip().asFloatBuffer().get(got);
            assertThat(got).containsExactly(0, 7, 200, 0);
            assertThat(c.mapRaw("big", 2_500_000_000L, 2).get(1)).isEqualTo((byte) 200);
            assertThatThrownBy(() -> c.readFloat32("big")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'big'").hasMessageContaining("2 GiB");
            assertThatThrownBy(() -> c.mapRaw("big")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'big'").hasMessageContaining("2 GiB");
        }
    }

    /** A read spanning several mapping windows stitches them in order. */
    @Test
    void readsAcrossMappingWindows() throws Exception {
        int perWindow = Checkpoint.WINDOW_BYTES / 8; // F64 elements per window
        int n = perWindow + 16;
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[" + n + "],\"data_offsets\":[0," + (8L * n) + "]}}";
        Path f = tmp.resolve("window.safetensors");
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long dataStart = 8 + h.length;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            raf.setLength(dataStart + 8L * n);
            raf.seek(dataStart + 8L * (perWindow - 2));
            ByteBuffer vals = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 4; i++) {
                vals.putDouble(i + 0.5);
            }
            raf.write(vals.array());
        }
        try (Checkpoint c = Checkpoint.open(f)) {
            ByteBuffer all = c.readFloat32("d");
            for (int i = 0; i < 4; i++) {
                assertThat(all.getFloat(4 * (perWindow - 2 + i))).isEqualTo(i + 0.5f);
            }
            assertThat(all.getFloat(4 * (perWindow + 2))).isZero();
        }
    }
}
