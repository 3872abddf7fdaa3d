package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.Fixtures;
import io.zerorl.TestPaths;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.checkpoint.SafetensorsWriter;
import io.zerorl.checkpoint.TensorData;
import io.zerorl.checkpoint.TensorEntry;
import io.zerorl.checkpoint.WriteOptions;
import io.zerorl.recipe.Recipe;
import io.zerorl.recipe.RecipeLoader;
import io.zerorl.train.GrpoTrainer;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * deepseek_v2 parity. The shared fixtures have no deepseek_v2 checkpoint, so this one is built from the
 * deepseek_v3 fixture's weights (without {@code e_score_correction_bias}) and a V2 config; the oracle is
 * {@code src/test/resources/deepseek-v2-reference.json}, written by {@code scripts/deepseek-v2-reference.py},
 * a NumPy transcription of transformers' DeepSeek code that reproduces the v3 fixture's transformers
 * logits to 2e-7 ({@code --check-v3}).
 */
class DeepseekV2ParityTest {
    private static final String FIXTURE = "deepseekv3-tiny";

    static JsonNode reference() {
        try (InputStream in = DeepseekV2ParityTest.class.getResourceAsStream("/deepseek-v2-reference.json")) {
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The v3 fixture's config turned into a deepseek_v2 one with the variant's routing keys. */
    static ObjectNode v2Config(JsonNode variantKeys) {
        ObjectNode j = (ObjectNode) Json.readTree(TestPaths.fixture(FIXTURE).resolve("config.json"));
        j.put("model_type", "deepseek_v2");
        j.putArray("architectures").add("DeepseekV2ForCausalLM");
        j.remove(List.of("scoring_func", "rope_interleave", "num_nextn_predict_layers"));
        j.put("norm_topk_prob", false);
        for (Iterator<Map.Entry<String, JsonNode>> it = variantKeys.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            j.set(e.getKey(), e.getValue());
        }
        return j;
    }

    /** A deepseek_v2 checkpoint directory: the V2 config and every fixture tensor but the V3-only correction bias. */
    static Path v2Checkpoint(Path dir, JsonNode variantKeys) throws IOException {
        Files.writeString(dir.resolve("config.json"), v2Config(variantKeys).toPrettyString());
        List<TensorEntry> entries = new ArrayList<>();
        try (Checkpoint src = Checkpoint.open(TestPaths.fixture(FIXTURE))) {
            for (String name : src.names()) {
                if (!name.endsWith("e_score_correction_bias")) {
                    entries.add(TensorEntry.float32(name, src.info(name).shape(), TensorData.of(src.readFloat32(name))));
                }
            }
            SafetensorsWriter.write(dir, "model", entries, WriteOptions.defaults());
        }
        try (Checkpoint written = Checkpoint.open(dir)) {
            assertThat(written.names()).noneMatch(n -> n.contains("e_score_correction_bias")).hasSize(entries.size());
        }
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"group_limited_greedy", "greedy"})
    void logitsAndCachedGreedyDecodingMatchTheReference(String variant, @TempDir Path tmp) throws IOException {
        JsonNode ref = reference();
        JsonNode want = ref.get("variants").get(variant);
        Path dir = v2Checkpoint(tmp, want.get("config"));
        try (Policy policy = Policy.load(dir, Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager()) {
            assertThat(policy.config().modelType).isEqualTo("deepseek_v2");
            long[][] ids = Fixtures.longs(ref.get("input_ids"));
            long[][] mask = Fixtures.longs(ref.get("attention_mask"));
            long[][] pos = Fixtures.longs(ref.get("position_ids"));
            int v = policy.config().vocabSize;
            int batch = ids.length;
            int prompt = ids[0].length;

            // full forward: every real position
            float[] got = policy.forward(m.create(ids), m.create(mask), m.create(pos)).toFloatArray();
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < prompt; t++) {
                    assertThat(want.get("logits").get(b).get(t).isNull()).isEqualTo(mask[b][t] == 0);
                }
            }
            LogitDiff diff = LogitDiff.atRealPositions(got, want.get("logits"), mask, v);
            assertThat(diff.compared()).isEqualTo(28);
            assertThat(diff.max()).as("max |logit diff| for deepseek_v2 %s", variant).isLessThan(1e-4);

            // KV-cached greedy decoding
            long[][] greedy = Fixtures.longs(want.get("greedy_ids"));
            CachedGreedy decoded = CachedGreedy.run(policy, m, ids, mask, pos, greedy[0].length - prompt);
            long[][] out = decoded.ids();
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < decoded.newTokenLogprobs()[b].length; s++) {
                    assertThat(decoded.newTokenLogprobs()[b][s]).as("%s row %d step %d log-prob", variant, b, s)
                            .isCloseTo(want.get("greedy_new_token_logprobs").get(b).get(s).asDouble(), Offset.offset(1e-4));
                }
            }
            for (int b = 0; b < batch; b++) {
                assertThat(out[b]).as("deepseek_v2 %s greedy row %d", variant, b).containsExactly(greedy[b]);
            }
        }
    }

    @Test
    void oneGrpoStepTrainsTheRouterAttentionAndExperts(@TempDir Path tmp) throws IOException {
        Path dir = v2Checkpoint(Files.createDirectories(tmp.resolve("model")),
                reference().get("variants").get("group_limited_greedy").get("config"));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(TestPaths.fixture(FIXTURE).resolve(f), dir.resolve(f));
        }
        Recipe r = RecipeLoader.load(Path.of("recipes/qwen2-tiny/grpo/toy.yaml"), List.of("model.path=" + dir,
                "output_dir=" + tmp.resolve("run"), "train.steps=1", "optim.warmup_steps=0", "rollout.max_new_tokens=12",
                "train.prompts_per_step=4", "train.group_size=4"));
        try (GrpoTrainer t = new GrpoTrainer(r, false)) {
            assertThat(t.policy().config().modelType).isEqualTo("deepseek_v2");
            Map<String, float[]> before = new java.util.HashMap<>();
            t.policy().parameters().forEach((n, p) -> before.put(n, p.toFloatArray()));
            Map<String, Object> m = t.runStep();
            assertThat((Double) m.get("loss")).isFinite();
            assertThat((Double) m.get("grad_norm")).isFinite().isPositive();
            List<String> changed = new ArrayList<>();
            t.policy().parameters().forEach((n, p) -> {
                if (!Arrays.equals(before.get(n), p.toFloatArray())) {
                    changed.add(n);
                }
            });
            assertThat(changed).contains("model.layers.1.mlp.gate.weight", "model.layers.1.self_attn.kv_b_proj.weight",
                    "model.layers.1.mlp.shared_experts.down_proj.weight", "lm_head.weight");
            assertThat(changed).filteredOn(n -> n.contains(".mlp.experts.")).isNotEmpty();
        }
    }

    @Test
    void theVariantsRouteDifferently() {
        // guards the reference itself: group-limited routing must change the outcome on these weights
        JsonNode variants = reference().get("variants");
        assertThat(variants.get("group_limited_greedy").get("greedy_ids"))
                .isNotEqualTo(variants.get("greedy").get("greedy_ids"));
    }

    @Test
    void deepseekV2LiteConfigIsReadWithItsPublishedSize() {
        ModelConfig c = Architectures.parse(new HfConfig(v2LiteConfig(), "DeepSeek-V2-Lite config.json"));
        assertThat(c.isMla()).isTrue();
        assertThat(c.qLoraRank).isZero();
        assertThat(c.scoring).isEqualTo(ModelConfig.Scoring.SOFTMAX);
        assertThat(c.correctionBias).isFalse();
        assertThat(c.normTopkProb).isFalse();
        assertThat(c.nGroup).isEqualTo(1);
        assertThat(c.numSharedExperts).isEqualTo(2);
        assertThat(c.isSparse(0)).isFalse();
        assertThat(c.isSparse(26)).isTrue();
        assertThat(c.rope.type()).isEqualTo("yarn");
        assertThat(c.rope.interleave()).isTrue();
        // YaRN softmax scale: 192^-0.5 x (0.1 x 0.707 x ln 40 + 1)^2
        double m = 0.1 * 0.707 * Math.log(40) + 1;
        assertThat(c.attentionScale()).isCloseTo(Math.pow(192, -0.5) * m * m, Offset.offset(1e-12));
        // DeepSeek's model card: 15.7B parameters in total
        long[] counts = ParamSpec.counts(c);
        assertThat(counts[0] / 1e9).isCloseTo(15.7, Offset.offset(0.05));
        assertThat(counts[1]).isLessThan(counts[0] / 5);
    }

    @Test
    void unsupportedV2ConfigsAreClearErrors() {
        ObjectNode sigmoid = v2LiteConfig().put("scoring_func", "sigmoid");
        assertThatThrownBy(() -> Architectures.parse(new HfConfig(sigmoid, "c.json"))).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("scoring_func 'sigmoid'").hasMessageContaining("deepseek_v3");
        ObjectNode norm = v2LiteConfig().put("norm_topk_prob", true);
        assertThatThrownBy(() -> Architectures.parse(new HfConfig(norm, "c.json"))).hasMessageContaining("norm_topk_prob");
        ObjectNode method = v2LiteConfig().put("topk_method", "noaux_tc");
        assertThatThrownBy(() -> Architectures.parse(new HfConfig(method, "c.json")))
                .hasMessageContaining("topk_method 'noaux_tc'").hasMessageContaining("group_limited_greedy");
        ObjectNode groups = v2LiteConfig().put("topk_method", "group_limited_greedy").put("n_group", 5);
        assertThatThrownBy(() -> Architectures.parse(new HfConfig(groups, "c.json"))).hasMessageContaining("n_group");
    }

    /** deepseek-ai/DeepSeek-V2-Lite's config.json (the keys that matter, as published). */
    static ObjectNode v2LiteConfig() {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.putArray("architectures").add("DeepseekV2ForCausalLM");
        j.put("model_type", "deepseek_v2");
        j.put("attention_bias", false);
        j.put("aux_loss_alpha", 0.001);
        j.put("bos_token_id", 100000);
        j.put("eos_token_id", 100001);
        j.put("first_k_dense_replace", 1);
        j.put("hidden_act", "silu");
        j.put("hidden_size", 2048);
        j.put("intermediate_size", 10944);
        j.put("kv_lora_rank", 512);
        j.put("max_position_embeddings", 163840);
        j.put("moe_intermediate_size", 1408);
        j.put("moe_layer_freq", 1);
        j.put("n_group", 1);
        j.put("n_routed_experts", 64);
        j.put("n_shared_experts", 2);
        j.put("norm_topk_prob", false);
        j.put("num_attention_heads", 16);
        j.put("num_experts_per_tok", 6);
        j.put("num_hidden_layers", 27);
        j.put("num_key_value_heads", 16);
        j.putNull("q_lora_rank");
        j.put("qk_nope_head_dim", 128);
        j.put("qk_rope_head_dim", 64);
        j.put("rms_norm_eps", 1e-6);
        ObjectNode yarn = j.putObject("rope_scaling");
        yarn.put("beta_fast", 32).put("beta_slow", 1).put("factor", 40).put("mscale", 0.707).put("mscale_all_dim", 0.707)
                .put("original_max_position_embeddings", 4096).put("type", "yarn");
        j.put("rope_theta", 10000);
        j.put("routed_scaling_factor", 1.0);
        j.put("scoring_func", "softmax");
        j.put("seq_aux", true);
        j.put("tie_word_embeddings", false);
        j.put("topk_group", 1);
        j.put("topk_method", "greedy");
        j.put("torch_dtype", "bfloat16");
        j.put("v_head_dim", 128);
        j.put("vocab_size", 102400);
        return j;
    }
}
