package io.zerorl.checkpoint;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each malformed input gives a CheckpointException naming the file and the tensor or key at fault. */
class CorruptInputTest {
    @TempDir
    Path tmp;
    Path good;

    @BeforeEach
    void writeGood() {
        SafetensorsWriter.write(tmp.resolve("good"), "model", List.of(
                TensorEntry.float32("w", new long[]{2, 3}, TensorData.ofFloats(new float[]{1, 2, 3, 4, 5, 6})),
                TensorEntry.float32("b", new long[]{2}, TensorData.ofFloats(new float[]{7, 8}))),
                WriteOptions.defaults());
        good = tmp.resolve("good/model.safetensors");
    }

    private Path file(String name, String header, int dataBytes) throws Exception {
        return StFiles.write(tmp.resolve(name), header, new byte[dataBytes]);
    }

    private static void fails(Path p, String... fragments) {
        var a = assertThatThrownBy(() -> Checkpoint.open(p).close()).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(p.getFileName().toString());
        for (String f : fragments) {
            a.hasMessageContaining(f);
        }
    }

    @Test
    void truncatedFile() throws Exception {
        byte[] all = Files.readAllBytes(good);
        Path cut = Files.write(tmp.resolve("cut.safetensors"), Arrays.copyOf(all, all.length - 5));
        fails(cut, "truncated", "'w'"); // w is stored last (same dtype, sorted by name)
        Path tiny = Files.write(tmp.resolve("tiny.safetensors"), new byte[]{1, 2, 3});
        fails(tiny, "truncated", "8-byte");
        Path headerCut = Files.write(tmp.resolve("headcut.safetensors"), Arrays.copyOf(all, 20));
        fails(headerCut, "header length", "larger than the file");
    }

    @Test
    void headerLengthLargerThanFileOrAbsurd() throws Exception {
        byte[] all = Files.readAllBytes(good);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(0, all.length);
        fails(Files.write(tmp.resolve("long.safetensors"), all), "header length", "larger than the file");
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        fails(Files.write(tmp.resolve("huge.safetensors"), all), "18446744073709551615", "limit");
    }

    @Test
    void nonJsonOrNonUtf8Header() throws Exception {
        fails(file("text.safetensors", "this is not json", 0), "not valid JSON");
        fails(file("array.safetensors", "[1,2]", 0), "not a JSON object");
        Path bad = tmp.resolve("utf.safetensors");
        byte[] b = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(2).put((byte) 0xC3).put((byte) 0x28).array();
        Files.write(bad, b);
        fails(bad, "UTF-8");
    }

    @Test
    void lyingOffsets() throws Exception {
        fails(file("range.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
                "'x'", "truncated");
        fails(file("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "'b'", "overlap");
        fails(file("gap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20), "'b'", "gap");
        fails(file("late.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "'a'", "gap");
        fails(file("len.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "'a'", "needs 12");
        fails(file("back.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
                "'a'", "end before");
        fails(file("extra.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12),
                "4 bytes after");
        fails(file("overflow.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}", 8), "'a'", "overflow");
    }

    @Test
    void badEntries() throws Exception {
        fails(file("dtype.safetensors", "{\"a\":{\"dtype\":\"F128\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "'a'", "unknown dtype 'F128'");
        fails(file("dup.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "Duplicate field 'a'");
        fails(file("neg.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                "'a'", "shape");
        fails(file("noshape.safetensors", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "'a'", "shape");
        fails(file("off3.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
                "'a'", "data_offsets");
        fails(file("meta.safetensors", "{\"__metadata__\":{\"format\":1}}", 0), "__metadata__", "format");
        fails(file("f4odd.safetensors", "{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2),
                "'a'", "whole bytes");
    }

    @Test
    void missingShardOrTensorInShard() throws Exception {
        Path dir = tmp.resolve("sharded");
        SafetensorsWriter.write(dir, "model", List.of(
                TensorEntry.float32("a", new long[]{4}, TensorData.ofFloats(new float[4])),
                TensorEntry.float32("b", new long[]{4}, TensorData.ofFloats(new float[4]))),
                WriteOptions.defaults().withMaxShardBytes(16));
        Path index = dir.resolve("model.safetensors.index.json");
        String text = Files.readString(index);

        Files.writeString(index, text.replace("\"b\" : \"model-00002-of-00002.safetensors\"",
                "\"b\" : \"model-00001-of-00002.safetensors\""));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("'b'")
                .hasMessageContaining("model-00001-of-00002.safetensors");

        Files.writeString(index, text);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors.index.json")
                .hasMessageContaining("model-00002-of-00002.safetensors").hasMessageContaining("'b'")
                .hasMessageContaining("missing");

        Files.writeString(index, "{\"metadata\":{}}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("weight_map");
        Files.writeString(index, "{\"weight_map\":{\"a\":\"../escape.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'a'").hasMessageContaining("outside");
        Files.writeString(index, "{not json");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("JSON");
    }

    @Test
    void absentTensorWrongShapeAndMissingPaths() {
        try (Checkpoint c = Checkpoint.open(good)) {
            assertThatThrownBy(() -> c.readFloat32("model.embed_tokens.weight"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'model.embed_tokens.weight' not found in " + good)
                    .hasMessageContaining("b, w");
            assertThatThrownBy(() -> c.info("ww")).hasMessageContaining("closest: [w");
            assertThatThrownBy(() -> c.readFloat32("w", 3, 2)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'w'").hasMessageContaining(good.toString())
                    .hasMessageContaining("[2, 3]").hasMessageContaining("expected [3, 2]");
            assertThatThrownBy(() -> c.readFloats("b", 3)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'b'");
            assertThatThrownBy(() -> c.readFloat32("w", 4, ByteBuffer.allocateDirect(12)))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("outside tensor 'w'");
            assertThatThrownBy(() -> c.mapRaw("w", 20, 8)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("outside tensor 'w'");
            assertThat(c.readFloat32("w", 2, 3).remaining()).isEqualTo(24);
        }
        Checkpoint closed = Checkpoint.open(good);
        closed.close();
        assertThatThrownBy(() -> closed.readFloat32("w")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("closed").hasMessageContaining("'w'");
        assertThatThrownBy(() -> Checkpoint.open(tmp.resolve("nowhere"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("nowhere");
        assertThatThrownBy(() -> Checkpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("no model.safetensors.index.json or model.safetensors in " + tmp);
    }
}
