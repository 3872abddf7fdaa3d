package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.TestPaths;
import io.zerorl.checkpoint.HfConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parameter roles come from the model's own declaration, the same for every family, whatever the HF names. */
class ParamRolesTest {
    @Test
    void rolesOfTheDeepseekV3Fixture() {
        Map<String, ParamSpec.Role> roles = ParamSpec.roles(Architectures.parse(HfConfig.read(
                TestPaths.fixture("deepseekv3-tiny"))));
        assertThat(roles).containsEntry("model.embed_tokens.weight", ParamSpec.Role.WEIGHT)
                .containsEntry("model.norm.weight", ParamSpec.Role.NO_DECAY)
                .containsEntry("model.layers.0.self_attn.kv_a_layernorm.weight", ParamSpec.Role.NO_DECAY)
                .containsEntry("model.layers.1.mlp.gate.weight", ParamSpec.Role.ROUTER)
                .containsEntry("model.layers.1.mlp.gate.e_score_correction_bias", ParamSpec.Role.BUFFER)
                .containsEntry("model.layers.1.mlp.experts.0.gate_proj.weight", ParamSpec.Role.WEIGHT);
        assertThat(ParamSpec.Role.BUFFER.trainable()).isFalse();
        assertThat(ParamSpec.Role.NO_DECAY.trainable()).isTrue();
        assertThat(ParamSpec.Role.NO_DECAY.decayed()).isFalse();
        assertThat(ParamSpec.Role.ROUTER.decayed()).isTrue();
    }

    @Test
    void biasesAreNotDecayedAndEveryParameterHasARole() {
        ModelConfig qwen2 = Architectures.parse(HfConfig.read(TestPaths.fixture("qwen2-tiny")));
        Map<String, ParamSpec.Role> roles = ParamSpec.roles(qwen2);
        assertThat(roles).containsEntry("model.layers.0.self_attn.q_proj.bias", ParamSpec.Role.NO_DECAY)
                .containsEntry("model.layers.0.self_attn.q_proj.weight", ParamSpec.Role.WEIGHT);
        assertThat(roles.keySet()).containsExactlyElementsOf(ParamSpec.of(qwen2).stream().map(ParamSpec::name).toList());
    }

    /** Mixtral's router is {@code block_sparse_moe.gate}: freezing routers must find it by role, not by name. */
    @Test
    void frozenRoutersAreLeftOutOfTheTrainableParametersInEveryFamily() {
        for (String fixture : new String[] {"mixtral-tiny", "qwen3moe-tiny", "deepseekv3-tiny"}) {
            try (Policy p = Policy.load(TestPaths.fixture(fixture), Device.cpu(), DataType.FLOAT32)) {
                Map<String, ?> all = p.trainableParameters(false);
                Map<String, ?> frozen = p.trainableParameters(true);
                long routers = p.parameters().keySet().stream().filter(n -> p.role(n) == ParamSpec.Role.ROUTER).count();
                assertThat(routers).as(fixture).isPositive();
                assertThat(all.size() - frozen.size()).as(fixture).isEqualTo(routers);
                assertThat(frozen.keySet()).as(fixture).allSatisfy(n -> assertThat(p.role(n)).isNotEqualTo(ParamSpec.Role.ROUTER));
                assertThat(all.keySet()).as(fixture).allSatisfy(n -> assertThat(p.role(n).trainable()).isTrue());
            }
        }
        assertThatThrownBy(() -> {
            try (Policy p = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32)) {
                p.role("model.nope.weight");
            }
        }).hasMessageContaining("no parameter 'model.nope.weight'");
    }
}
