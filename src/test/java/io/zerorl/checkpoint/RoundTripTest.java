package io.zerorl.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Fixture -> writer (F32/F16/BF16, single/sharded) -> reader, compared with independently rounded values. */
class RoundTripTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"deepseekv3-tiny", "mixtral-tiny", "qwen2-tiny", "qwen3-tiny", "qwen3moe-tiny"})
    void roundTripsEveryFixtureInEveryFloatDtype(String fixture) throws Exception {
        try (Checkpoint src = Checkpoint.open(TestPaths.fixture(fixture))) {
            long f32Total = src.names().stream().mapToLong(n -> src.info(n).byteLength()).sum();
            for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
                for (boolean sharded : List.of(false, true)) {
                    long bytes = f32Total * dtype.bitsPerElement() / 32;
                    WriteOptions opts = WriteOptions.defaults().withFloatDtype(dtype)
                            .withMaxShardBytes(sharded ? bytes / 4 : Long.MAX_VALUE);
                    Path out = tmp.resolve(fixture + "-" + dtype + (sharded ? "-sharded" : ""));
                    SafetensorsWriter.Result r = SafetensorsWriter.write(out, "model", entries(src), opts);
                    assertThat(r.totalSize()).isEqualTo(bytes);
                    if (sharded) {
                        assertThat(r.files().size()).isGreaterThanOrEqualTo(4);
                        checkIndex(r, src.names());
                    } else {
                        assertThat(r.index()).isNull();
                        assertThat(r.files()).containsExactly(out.resolve("model.safetensors"));
                    }
                    assertNoTempFiles(out);
                    try (Checkpoint back = Checkpoint.open(out)) {
                        compare(src, back, dtype);
                        assertThat(back.metadata()).isEqualTo(Map.of("format", "pt"));
                    }
                }
            }
        }
    }

    static List<TensorEntry> entries(Checkpoint src) {
        List<TensorEntry> list = new ArrayList<>();
        for (String name : src.names()) {
            list.add(TensorEntry.float32(name, src.info(name).shape(), TensorData.lazy(() -> src.readFloat32(name))));
        }
        return list;
    }

    private static void compare(Checkpoint src, Checkpoint back, DType dtype) {
        assertThat(back.names()).containsExactlyInAnyOrderElementsOf(src.names());
        for (String name : src.names()) {
            TensorInfo t = back.info(name);
            assertThat(t.dtype()).isEqualTo(dtype);
            assertThat(t.shape()).containsExactly(src.info(name).shape());
            float[] orig = src.readFloats(name);
            ByteBuffer raw = back.mapRaw(name);
            float[] got = back.readFloats(name);
            for (int i = 0; i < orig.length; i++) {
                switch (dtype) {
                    case F32 -> assertThat(Float.floatToRawIntBits(got[i]))
                            .isEqualTo(Float.floatToRawIntBits(orig[i]));
                    case F16 -> {
                        int want = FloatsTest.RneReference.f16(orig[i]);
                        assertThat(raw.getShort(2 * i) & 0xFFFF).as("%s[%d]", name, i).isEqualTo(want);
                        assertThat(got[i]).isEqualTo(Floats.f16ToFloat((short) want));
                    }
                    case BF16 -> {
                        int want = FloatsTest.RneReference.bf16(orig[i]);
                        assertThat(raw.getShort(2 * i) & 0xFFFF).as("%s[%d]", name, i).isEqualTo(want);
                        assertThat(Float.floatToRawIntBits(got[i])).isEqualTo(want << 16);
                    }
                    default -> throw new AssertionError(dtype);
                }
            }
        }
    }

    private static void checkIndex(SafetensorsWriter.Result r, Set<String> names) throws Exception {
        int n = r.files().size();
        for (int i = 0; i < n; i++) {
            assertThat(r.files().get(i).getFileName().toString())
                    .isEqualTo(String.format("model-%05d-of-%05d.safetensors", i + 1, n));
            assertThat(Files.isRegularFile(r.files().get(i))).isTrue();
        }
        assertThat(r.index().getFileName().toString()).isEqualTo("model.safetensors.index.json");
        JsonNode index = Json.readTree(r.index());
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(r.totalSize());
        Set<String> mapped = new HashSet<>();
        index.get("weight_map").fields().forEachRemaining(e -> {
            mapped.add(e.getKey());
            assertThat(Files.isRegularFile(r.directory().resolve(e.getValue().asText()))).isTrue();
        });
        assertThat(mapped).isEqualTo(names);
        // each file is a valid safetensors file by the hand-written parser: 8-byte aligned, space padded
        long sum = 0;
        for (Path f : r.files()) {
            long len = StFiles.headerLength(f);
            assertThat(len % 8).isZero();
            String text = StFiles.headerText(f);
            assertThat(text.stripTrailing()).endsWith("}");
            assertThat(text.substring(text.stripTrailing().length())).matches(" *");
            JsonNode h = StFiles.header(f);
            long dataLen = 0;
            for (var it = h.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getKey().equals("__metadata__")) {
                    dataLen += e.getValue().get("data_offsets").get(1).asLong()
                            - e.getValue().get("data_offsets").get(0).asLong();
                }
            }
            assertThat(Files.size(f)).isEqualTo(8 + len + dataLen);
            sum += dataLen;
        }
        assertThat(sum).isEqualTo(r.totalSize());
    }

    static void assertNoTempFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".tmp"))
                    .collect(Collectors.toList())).isEmpty();
        }
    }

    @Test
    void metadataRoundTripsInSingleAndShardedFiles() {
        Map<String, String> meta = Map.of("format", "pt", "zerorl.step", "120", "note", "ünïcode \"quoted\"");
        List<TensorEntry> entries = List.of(
                TensorEntry.float32("a", new long[]{3}, TensorData.ofFloats(new float[]{1, 2, 3})),
                TensorEntry.float32("b", new long[]{2}, TensorData.ofFloats(new float[]{4, 5})));
        for (long max : new long[]{Long.MAX_VALUE, 8}) {
            Path out = tmp.resolve("meta-" + max);
            SafetensorsWriter.write(out, "model", entries, WriteOptions.defaults().withMetadata(meta).withMaxShardBytes(max));
            try (Checkpoint back = Checkpoint.open(out)) {
                assertThat(back.metadata()).isEqualTo(meta);
                assertThat(back.files()).hasSize(max == 8 ? 2 : 1);
                if (max == 8) {
                    assertThat(back.indexMetadata()).containsEntry("total_size", "20");
                }
                assertThat(back.readFloats("a")).containsExactly(1, 2, 3);
                assertThat(back.readFloats("b")).containsExactly(4, 5);
            }
        }
        Path none = tmp.resolve("no-meta");
        SafetensorsWriter.write(none, "model", entries, WriteOptions.defaults().withMetadata(Map.of()));
        try (Checkpoint back = Checkpoint.open(none)) {
            assertThat(back.metadata()).isEmpty();
        }
    }

    @Test
    void bigEndianFloatInputIsHonoured() {
        ByteBuffer be = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-2f).flip();
        for (DType d : List.of(DType.F32, DType.BF16, DType.F16)) {
            Path out = tmp.resolve("be-" + d);
            SafetensorsWriter.write(out, "model",
                    List.of(TensorEntry.float32("x", new long[]{2}, TensorData.of(be))),
                    WriteOptions.defaults().withFloatDtype(d));
            try (Checkpoint back = Checkpoint.open(out)) {
                assertThat(back.readFloats("x")).containsExactly(1.5f, -2f);
            }
        }
        assertThat(be.position()).isZero(); // TensorData.of leaves the caller's buffer alone
    }

    @Test
    void chunkedSupplyIsStitchedInOrder() {
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f;
        }
        TensorData chunks = sink -> {
            ByteBuffer reused = ByteBuffer.allocateDirect(7 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; ) {
                reused.clear();
                int k = Math.min(7, values.length - i);
                reused.asFloatBuffer().put(values, i, k);
                reused.limit(4 * k);
                sink.accept(reused);
                i += k;
            }
        };
        Path out = tmp.resolve("chunks");
        SafetensorsWriter.write(out, "model", List.of(TensorEntry.float32("v", new long[]{10, 100}, chunks)),
                WriteOptions.defaults().withFloatDtype(DType.F16));
        try (Checkpoint back = Checkpoint.open(out)) {
            assertThat(back.readFloats("v", 10, 100)).containsExactly(values); // quarters below 256 are exact in f16
        }
    }

    @Test
    void chunksLargerThanTheStagingBufferConvert() {
        float[] values = new float[700_001]; // several staging rounds, with a remainder
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 1000) - 500.25f;
        }
        for (DType d : List.of(DType.F32, DType.F16, DType.BF16)) {
            Path out = tmp.resolve("large-" + d);
            SafetensorsWriter.write(out, "model", List.of(TensorEntry.float32("v", new long[]{values.length},
                    TensorData.ofFloats(values))), WriteOptions.defaults().withFloatDtype(d));
            try (Checkpoint back = Checkpoint.open(out)) {
                float[] got = back.readFloats("v");
                for (int i = 0; i < values.length; i++) {
                    int want = d == DType.F32 ? Float.floatToIntBits(values[i])
                            : d == DType.F16 ? Float.floatToIntBits(Floats.f16ToFloat((short) FloatsTest.RneReference.f16(values[i])))
                            : FloatsTest.RneReference.bf16(values[i]) << 16;
                    assertThat(Float.floatToIntBits(got[i])).isEqualTo(want);
                }
            }
        }
    }
}
