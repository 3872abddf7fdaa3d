package io.zerorl.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.TestPaths;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.train.pretrain.BaseModel;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigParsingTest {
    static ObjectNode fixtureJson(String name) {
        return (ObjectNode) Json.readTree(TestPaths.fixture(name).resolve("config.json"));
    }

    static ModelConfig parse(ObjectNode j) {
        return Architectures.parse(new HfConfig(j, "test config.json"));
    }

    @Test
    void everyRequiredModelTypeIsRegistered() {
        assertThat(Architectures.modelTypes())
                .contains("llama", "qwen2", "qwen3", "qwen3_moe", "mixtral", "deepseek_v2", "deepseek_v3");
    }

    @Test
    void transformers4AndTransformers5KeyStylesGiveTheSameConfig() {
        // qwen3moe fixture is in the hub style; rewrite it in the transformers 5 style.
        ObjectNode hub = fixtureJson("qwen3moe-tiny");
        ObjectNode v5 = hub.deepCopy();
        double theta = v5.remove("rope_theta").asDouble();
        v5.remove("rope_scaling");
        v5.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", theta);
        v5.put("dtype", v5.remove("torch_dtype").asText());
        ModelConfig a = parse(hub);
        ModelConfig b = parse(v5);
        assertThat(b.rope).isEqualTo(a.rope);
        assertThat(b.rope.theta()).isEqualTo(1_000_000.0);
        assertThat(b.dtype).isEqualTo("float32");
        assertThat(b.numExperts).isEqualTo(8);

        // mixtral: num_local_experts (hub) or num_experts (v5)
        ObjectNode mix = fixtureJson("mixtral-tiny");
        ObjectNode mix5 = mix.deepCopy();
        mix5.put("num_experts", mix5.remove("num_local_experts").asInt());
        assertThat(parse(mix5).numExperts).isEqualTo(parse(mix).numExperts).isEqualTo(4);

        // the qwen3 fixture is already in the v5 style
        ModelConfig q3 = parse(fixtureJson("qwen3-tiny"));
        assertThat(q3.rope.theta()).isEqualTo(1_000_000.0);
        assertThat(q3.headDim).isEqualTo(16);
        assertThat(q3.qkNorm).isTrue();
    }

    @Test
    void familySpecificFieldsAreRead() {
        ModelConfig q2 = parse(fixtureJson("qwen2-tiny"));
        assertThat(q2.qkvBias).isTrue();
        assertThat(q2.oBias).isFalse();
        assertThat(q2.tieEmbeddings).isTrue();

        ModelConfig ds = parse(fixtureJson("deepseekv3-tiny"));
        assertThat(ds.isMla()).isTrue();
        assertThat(ds.qLoraRank).isEqualTo(32);
        assertThat(ds.isSparse(0)).isFalse();
        assertThat(ds.isSparse(1)).isTrue();
        assertThat(ds.scoring).isEqualTo(ModelConfig.Scoring.SIGMOID);
        assertThat(ds.nGroup).isEqualTo(2);
        assertThat(ds.routedScalingFactor).isEqualTo(2.5);
        assertThat(ds.rope.interleave()).isTrue();

        ObjectNode qm = fixtureJson("qwen3moe-tiny");
        qm.put("num_hidden_layers", 4);
        qm.putArray("mlp_only_layers").add(0);
        qm.put("decoder_sparse_step", 2);
        ModelConfig c = parse(qm);
        assertThat(new boolean[] {c.isSparse(0), c.isSparse(1), c.isSparse(2), c.isSparse(3)})
                .containsExactly(false, true, false, true);
    }

    @Test
    void badConfigsAreClearErrors() {
        ObjectNode j = fixtureJson("qwen2-tiny");
        j.put("model_type", "gpt2");
        assertThatThrownBy(() -> parse(j)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("Unknown model_type 'gpt2'").hasMessageContaining("qwen3_moe");
        ObjectNode k = fixtureJson("qwen2-tiny");
        k.remove("hidden_size");
        assertThatThrownBy(() -> parse(k)).hasMessageContaining("hidden_size").hasMessageContaining("missing");
        ObjectNode h = fixtureJson("qwen2-tiny");
        h.put("num_key_value_heads", 3);
        assertThatThrownBy(() -> parse(h)).hasMessageContaining("num_key_value_heads");
        ObjectNode r = fixtureJson("qwen2-tiny");
        r.putObject("rope_scaling").put("rope_type", "dynamic-nope").put("factor", 2.0);
        assertThatThrownBy(() -> parse(r)).hasMessageContaining("Unsupported rope type");
    }

    @Test
    void builtinTinyMoeIsDeepseekStyle() {
        ModelConfig c = BaseModel.config(512, 0);
        assertThat(c.isMla()).isTrue();
        assertThat(c.numSharedExperts).isEqualTo(1);
        assertThat(c.numExperts).isEqualTo(8);
        assertThat(c.isSparse(0)).isFalse();
        long[] counts = ParamSpec.counts(c);
        assertThat(counts[1]).isLessThan(counts[0]);
    }
}
