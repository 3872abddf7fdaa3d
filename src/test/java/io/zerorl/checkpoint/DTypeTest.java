package io.zerorl.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DTypeTest {
    @TempDir
    Path tmp;

    @Test
    void namesAndSizesFollowTheSpec() {
        assertThat(DType.values()).hasSize(22);
        for (DType d : DType.values()) {
            assertThat(DType.parse(d.safetensorsName())).isEqualTo(d);
        }
        assertThat(DType.BF16.bitsPerElement()).isEqualTo(16);
        assertThat(DType.F4.bitsPerElement()).isEqualTo(4);
        assertThat(DType.F6_E3M2.bitsPerElement()).isEqualTo(6);
        assertThat(DType.C64.bitsPerElement()).isEqualTo(64);
        assertThat(DType.F6_E2M3.byteLength(8)).isEqualTo(6);
        assertThatThrownBy(() -> DType.F4.byteLength(3)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("whole bytes");
        assertThatThrownBy(() -> DType.parse("FP32")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("FP32").hasMessageContaining("BF16");
    }

    /** Every dtype: random bytes written raw come back identical, and decode element by element. */
    @Test
    void everyDtypeRoundTripsRawBytes() throws Exception {
        Random rnd = new Random(1);
        List<TensorEntry> entries = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        for (DType d : DType.values()) {
            long[] shape = {3, 8}; // 24 elements fill whole bytes for 4- and 6-bit types
            byte[] bytes = new byte[(int) d.byteLength(24)];
            rnd.nextBytes(bytes);
            if (d == DType.BOOL) {
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) (bytes[i] & 1);
                }
            }
            data.add(bytes);
            entries.add(TensorEntry.raw("t." + d.name().toLowerCase(), d, shape, TensorData.of(ByteBuffer.wrap(bytes))));
        }
        entries.add(TensorEntry.raw("scalar", DType.I64, new long[0],
                TensorData.of(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -5))));
        entries.add(TensorEntry.raw("empty", DType.F16, new long[]{0, 4}, TensorData.of(ByteBuffer.allocate(0))));
        SafetensorsWriter.Result r = SafetensorsWriter.write(tmp, "all", entries, WriteOptions.defaults());
        Path file = r.files().get(0);
        assertThat(file.getFileName().toString()).isEqualTo("all.safetensors");

        // the reference serializer's order: descending dtype, then name
        JsonNode h = StFiles.header(file);
        List<String> byOffset = new ArrayList<>();
        h.fields().forEachRemaining(e -> {
            JsonNode off = e.getValue().get("data_offsets");
            if (off != null && off.get(0).asLong() != off.get(1).asLong()) { // skip metadata and the empty tensor
                byOffset.add(e.getKey());
            }
        });
        byOffset.sort(java.util.Comparator.comparingLong(n -> h.get(n).get("data_offsets").get(0).asLong()));
        List<String> expectedOrder = new ArrayList<>(byOffset);
        expectedOrder.sort((a, b) -> {
            int c = DType.parse(h.get(b).get("dtype").asText()).compareTo(DType.parse(h.get(a).get("dtype").asText()));
            return c != 0 ? c : a.compareTo(b);
        });
        assertThat(byOffset).containsExactlyElementsOf(expectedOrder);
        assertThat(byOffset.get(0)).isEqualTo("t.u64");

        try (Checkpoint ckpt = Checkpoint.open(tmp)) {
            DType[] all = DType.values();
            for (int k = 0; k < all.length; k++) {
                DType d = all[k];
                String name = "t." + d.name().toLowerCase();
                byte[] bytes = data.get(k);
                assertThat(ckpt.info(name).dtype()).isEqualTo(d);
                assertThat(StFiles.remaining(ckpt.mapRaw(name))).as(name).isEqualTo(bytes);
                if (d.isReal()) {
                    float[] got = ckpt.readFloats(name);
                    for (int i = 0; i < 24; i++) {
                        float want = decode(d, bytes, i);
                        assertThat(Float.floatToIntBits(got[i])).as("%s[%d]", name, i)
                                .isEqualTo(Float.floatToIntBits(want));
                    }
                    // a read starting at an arbitrary element (mid-byte for F4/F6) matches the full read
                    ByteBuffer part = ByteBuffer.allocateDirect(4 * 13).order(ByteOrder.LITTLE_ENDIAN);
                    ckpt.readFloat32(name, 5, part);
                    assertThat(part.hasRemaining()).isFalse();
                    float[] tail = new float[13];
                    part.flip().asFloatBuffer().get(tail);
                    assertThat(tail).containsExactly(Arrays.copyOfRange(got, 5, 18));
                } else {
                    assertThatThrownBy(() -> ckpt.readFloat32(name)).isInstanceOf(CheckpointException.class)
                            .hasMessageContaining(name).hasMessageContaining("C64");
                }
                if (d.isIntegral()) {
                    long[] longs = ckpt.readLongs(name);
                    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < 24; i++) {
                        long want = switch (d) {
                            case BOOL, U8 -> bytes[i] & 0xFF;
                            case I8 -> bytes[i];
                            case I16 -> b.getShort(2 * i);
                            case U16 -> b.getShort(2 * i) & 0xFFFF;
                            case I32 -> b.getInt(4 * i);
                            case U32 -> b.getInt(4 * i) & 0xFFFFFFFFL;
                            default -> b.getLong(8 * i);
                        };
                        assertThat(longs[i]).isEqualTo(want);
                    }
                } else {
                    assertThatThrownBy(() -> ckpt.readLongs(name)).isInstanceOf(CheckpointException.class);
                }
            }
            assertThat(ckpt.readLongs("scalar")).containsExactly(-5);
            assertThat(ckpt.info("scalar").numel()).isEqualTo(1);
            assertThat(ckpt.readFloat32("empty").capacity()).isZero();
        }
    }

    /** Element i of a raw tensor, decoded with the public converters and plain arithmetic. */
    private static float decode(DType d, byte[] bytes, int i) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return switch (d) {
            case BOOL -> bytes[i] != 0 ? 1 : 0;
            case U8 -> bytes[i] & 0xFF;
            case I8 -> bytes[i];
            case F8_E4M3 -> Floats.f8E4M3ToFloat(bytes[i]);
            case F8_E5M2 -> Floats.f8E5M2ToFloat(bytes[i]);
            case F8_E8M0 -> Floats.f8E8M0ToFloat(bytes[i]);
            case F8_E4M3FNUZ -> Floats.f8E4M3FnuzToFloat(bytes[i]);
            case F8_E5M2FNUZ -> Floats.f8E5M2FnuzToFloat(bytes[i]);
            case I16 -> b.getShort(2 * i);
            case U16 -> b.getShort(2 * i) & 0xFFFF;
            case F16 -> Floats.f16ToFloat(b.getShort(2 * i));
            case BF16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16);
            case I32 -> b.getInt(4 * i);
            case U32 -> (float) (b.getInt(4 * i) & 0xFFFFFFFFL);
            case F32 -> b.getFloat(4 * i);
            case F64 -> (float) b.getDouble(8 * i);
            case I64 -> (float) b.getLong(8 * i);
            case U64 -> new java.math.BigDecimal(Long.toUnsignedString(b.getLong(8 * i))).floatValue();
            case F4 -> Floats.f4ToFloat(i % 2 == 0 ? bytes[i / 2] : (bytes[i / 2] >> 4)); // low nibble first
            case F6_E2M3, F6_E3M2 -> {
                // little-endian bit stream: element i = bits [6i, 6i + 6)
                int bit = 6 * i;
                int word = (bytes[bit / 8] & 0xFF) | (bit / 8 + 1 < bytes.length ? (bytes[bit / 8 + 1] & 0xFF) << 8 : 0);
                int v = (word >> (bit % 8)) & 0x3F;
                yield d == DType.F6_E2M3 ? Floats.f6E2M3ToFloat(v) : Floats.f6E3M2ToFloat(v);
            }
            case C64 -> throw new AssertionError();
        };
    }

    /** The example file from the safetensors documentation reads as documented. */
    @Test
    void readsTheReferenceDocExample() throws Exception {
        Path f = StFiles.write(tmp.resolve("doc.safetensors"),
                "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", new byte[16]);
        try (Checkpoint c = Checkpoint.open(f)) {
            assertThat(c.names()).containsExactly("test");
            assertThat(c.readLongs("test")).containsExactly(0, 0, 0, 0);
            assertThat(c.metadata()).isEmpty();
        }
    }

    @Test
    void f4PacksElementZeroInTheLowNibble() throws Exception {
        // 0x21: element 0 = 0b0001 (0.5), element 1 = 0b0010 (1.0)
        Path f = StFiles.write(tmp.resolve("f4.safetensors"),
                "{\"x\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", new byte[]{0x21});
        try (Checkpoint c = Checkpoint.open(f)) {
            assertThat(c.readFloats("x")).containsExactly(0.5f, 1f);
        }
    }
}
