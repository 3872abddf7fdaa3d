package io.zerorl.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every tiny HF fixture opens, and each tensor reads back as the bytes the header points to. */
class FixtureReadTest {

    @ParameterizedTest
    @ValueSource(strings = {"deepseekv3-tiny", "mixtral-tiny", "qwen2-tiny", "qwen3-tiny", "qwen3moe-tiny"})
    void readsEveryTensorOfEveryFixture(String fixture) throws Exception {
        Path dir = TestPaths.fixture(fixture);
        Path file = dir.resolve("model.safetensors");
        JsonNode header = StFiles.header(file);
        List<String> expectedNames = new ArrayList<>();
        header.fieldNames().forEachRemaining(n -> {
            if (!n.equals("__metadata__")) {
                expectedNames.add(n);
            }
        });
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assertThat(ckpt.location()).isEqualTo(dir.toAbsolutePath().normalize());
            assertThat(ckpt.files()).containsExactly(file.toAbsolutePath().normalize());
            assertThat(ckpt.names()).containsExactlyInAnyOrderElementsOf(expectedNames).isNotEmpty();
            assertThat(ckpt.metadata()).containsEntry("format", "pt");
            for (String name : ckpt.names()) {
                TensorInfo t = ckpt.info(name);
                JsonNode h = header.get(name);
                assertThat(t.dtype()).isEqualTo(DType.F32);
                assertThat(t.dtype().safetensorsName()).isEqualTo(h.get("dtype").asText());
                long[] shape = new long[h.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = h.get("shape").get(i).asLong();
                }
                assertThat(t.shape()).containsExactly(shape);
                assertThat(t.byteLength()).isEqualTo(t.numel() * 4);

                byte[] expected = StFiles.tensorBytes(file, name);
                ByteBuffer b = ckpt.readFloat32(name, shape);
                assertThat(b.isDirect()).isTrue();
                assertThat(b.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
                assertThat(b.position()).isZero();
                assertThat(b.remaining()).isEqualTo(expected.length);
                assertThat(StFiles.remaining(b)).isEqualTo(expected);
                assertThat(StFiles.remaining(ckpt.mapRaw(name))).isEqualTo(expected);
                assertThat(ckpt.readFloats(name)).containsExactly(StFiles.littleEndianFloats(expected));
            }
        }
        // opening the file itself gives the same tensors
        try (Checkpoint ckpt = Checkpoint.open(file)) {
            assertThat(ckpt.names()).containsExactlyInAnyOrderElementsOf(expectedNames);
        }
    }
}
