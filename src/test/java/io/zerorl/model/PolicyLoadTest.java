package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.TestPaths;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyLoadTest {
    @Test
    void chunkedLoadingThroughASmallStagingBufferGivesTheSameWeights() {
        Path dir = TestPaths.fixture("deepseekv3-tiny");
        ModelConfig c = Architectures.parse(HfConfig.read(dir));
        try (Checkpoint ck = Checkpoint.open(dir);
             Policy whole = Policy.load(c, ck, Device.cpu(), DataType.FLOAT32);
             Policy chunked = Policy.load(c, ck, Device.cpu(), DataType.FLOAT32, 1000)) {
            for (Map.Entry<String, NDArray> e : whole.parameters().entrySet()) {
                NDArray other = chunked.parameters().get(e.getKey());
                assertThat(other.toFloatArray()).as(e.getKey()).containsExactly(e.getValue().toFloatArray());
                assertThat(other.toFloatArray()).containsExactly(ck.readFloats(e.getKey()));
            }
        }
    }

    @Test
    void float16LoadsThroughTheStagingBufferWholeOrInChunksGiveTheConvertedWeights() {
        Path dir = TestPaths.fixture("qwen2-tiny");
        ModelConfig c = Architectures.parse(HfConfig.read(dir));
        try (Checkpoint ck = Checkpoint.open(dir);
             Policy whole = Policy.load(c, ck, Device.cpu(), DataType.FLOAT16);
             Policy chunked = Policy.load(c, ck, Device.cpu(), DataType.FLOAT16, 1000)) {
            for (Map.Entry<String, NDArray> e : whole.parameters().entrySet()) {
                assertThat(e.getValue().getDataType()).isEqualTo(DataType.FLOAT16);
                float[] expected;
                try (NDArray fp32 = whole.manager().create(ck.readFloats(e.getKey()))) {
                    expected = fp32.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray();
                }
                assertThat(e.getValue().toType(DataType.FLOAT32, false).toFloatArray()).as(e.getKey())
                        .containsExactly(expected);
                assertThat(chunked.parameters().get(e.getKey()).toType(DataType.FLOAT32, false).toFloatArray())
                        .as(e.getKey()).containsExactly(expected);
            }
        }
    }

    static Path copyFixture(String name, Path tmp) throws Exception {
        Path src = TestPaths.fixture(name);
        Path dst = tmp.resolve(name);
        Files.createDirectories(dst);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(src.resolve(f), dst.resolve(f));
        }
        return dst;
    }

    @Test
    void aConfigThatDisagreesWithTheWeightsNamesTheTensorAndFile(@TempDir Path tmp) throws Exception {
        Path dir = copyFixture("qwen2-tiny", tmp);
        ObjectNode cfg = (ObjectNode) Json.readTree(dir.resolve("config.json"));
        cfg.put("intermediate_size", 96);
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        assertThatThrownBy(() -> Policy.load(dir, Device.cpu(), DataType.FLOAT32))
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("model.layers.0.mlp.gate_proj.weight")
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void aMissingTensorIsNamed(@TempDir Path tmp) throws Exception {
        Path dir = copyFixture("qwen2-tiny", tmp);
        ObjectNode cfg = (ObjectNode) Json.readTree(dir.resolve("config.json"));
        cfg.put("tie_word_embeddings", false); // the checkpoint has no lm_head.weight
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        assertThatThrownBy(() -> Policy.load(dir, Device.cpu(), DataType.FLOAT32))
                .isInstanceOf(ZerorlException.class)
                .hasMessageContaining("lacks tensor 'lm_head.weight'");
    }

    @Test
    void missingConfigAndUnknownModelType(@TempDir Path tmp) throws Exception {
        Path dir = copyFixture("qwen2-tiny", tmp);
        ObjectNode cfg = (ObjectNode) Json.readTree(dir.resolve("config.json"));
        cfg.put("model_type", "rwkv");
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        assertThatThrownBy(() -> Policy.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("Unknown model_type 'rwkv'").hasMessageContaining(dir.resolve("config.json").toString());
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> Policy.load(dir, Device.cpu(), DataType.FLOAT32)).hasMessageContaining("No config.json");
    }

    @Test
    void initFromScratchIsSeededAndRunsForward() {
        ModelConfig c = io.zerorl.train.pretrain.BaseModel.config(64, 0);
        try (Policy a = Policy.init(c, 7, Device.cpu(), DataType.FLOAT32);
             Policy b = Policy.init(c, 7, Device.cpu(), DataType.FLOAT32);
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            assertThat(a.parameters().keySet()).containsExactlyElementsOf(b.parameters().keySet());
            String w = "model.layers.1.mlp.experts.3.up_proj.weight";
            assertThat(a.parameters().get(w).toFloatArray()).containsExactly(b.parameters().get(w).toFloatArray());
            NDArray logits = a.forward(m.create(new long[][] {{1, 2, 3, 4}}), m.create(new long[][] {{1, 1, 1, 1}}),
                    m.create(new long[][] {{0, 1, 2, 3}}));
            assertThat(logits.getShape().getShape()).containsExactly(1, 4, 64);
        }
    }
}
