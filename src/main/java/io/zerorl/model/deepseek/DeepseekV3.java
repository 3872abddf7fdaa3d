package io.zerorl.model.deepseek;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architecture;
import io.zerorl.model.HfMapping;
import io.zerorl.model.ModelConfig;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.util.List;

/**
 * DeepSeek-V3: multi-head latent attention (optional {@code q_lora_rank}, {@code kv_lora_rank},
 * nope/rope split, interleaved rotary), a sigmoid router with {@code e_score_correction_bias} and
 * group-limited top-k ({@code n_group}, {@code topk_group}), {@code routed_scaling_factor}, shared
 * experts, and dense layers before {@code first_k_dense_replace}.
 */
public final class DeepseekV3 implements Architecture {
    @Override
    public List<String> modelTypes() {
        return List.of("deepseek_v3");
    }

    @Override
    public ModelConfig fromHf(HfConfig hf) {
        ModelConfig.Builder b = HfMapping.common(hf);
        Mla.readAttention(hf, b, "deepseek_v3");
        b.rope = b.rope.withInterleave(hf.getBool("rope_interleave", true));
        Mla.readExperts(hf, b);
        b.nGroup = hf.getInt("n_group", 1);
        b.topkGroup = hf.getInt("topk_group", 1);
        b.normTopkProb = hf.getBool("norm_topk_prob", true);
        String scoring = hf.getString("scoring_func").orElse("sigmoid");
        if (!scoring.equals("sigmoid")) {
            throw new ZerorlException(hf.source() + ": scoring_func '" + scoring + "' is not supported for deepseek_v3 (sigmoid)");
        }
        b.scoring = ModelConfig.Scoring.SIGMOID;
        b.correctionBias = true;
        return b.build();
    }

    /**
     * The built-in small DeepSeek-style MoE (MLA, one shared + 8 routed experts, top-2, first layer
     * dense): small enough to pretrain and RL-train on a laptop CPU, initialised from scratch.
     */
    public static ModelConfig tinyDefault(int vocabSize, int eosTokenId) {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.putArray("architectures").add("DeepseekV3ForCausalLM");
        j.put("model_type", "deepseek_v3");
        j.put("vocab_size", vocabSize);
        j.put("hidden_size", 128);
        j.put("intermediate_size", 256);
        j.put("moe_intermediate_size", 64);
        j.put("num_hidden_layers", 4);
        j.put("num_attention_heads", 4);
        j.put("num_key_value_heads", 4);
        j.put("n_shared_experts", 1);
        j.put("n_routed_experts", 8);
        j.put("num_experts_per_tok", 2);
        j.put("n_group", 1);
        j.put("topk_group", 1);
        j.put("routed_scaling_factor", 1.0);
        j.put("scoring_func", "sigmoid");
        j.put("topk_method", "noaux_tc");
        j.put("norm_topk_prob", true);
        j.put("first_k_dense_replace", 1);
        j.put("moe_layer_freq", 1);
        j.putNull("q_lora_rank");
        j.put("kv_lora_rank", 32);
        j.put("qk_nope_head_dim", 32);
        j.put("qk_rope_head_dim", 16);
        j.put("qk_head_dim", 48);
        j.put("head_dim", 16);
        j.put("v_head_dim", 32);
        j.put("rope_interleave", true);
        j.put("rope_theta", 10000.0);
        j.putNull("rope_scaling");
        j.put("max_position_embeddings", 1024);
        j.put("rms_norm_eps", 1e-6);
        j.put("hidden_act", "silu");
        j.put("tie_word_embeddings", false);
        j.put("attention_bias", false);
        j.put("attention_dropout", 0.0);
        j.put("initializer_range", 0.02);
        j.put("eos_token_id", eosTokenId);
        j.put("pad_token_id", eosTokenId);
        j.putNull("bos_token_id");
        j.put("torch_dtype", "float32");
        j.put("use_cache", true);
        return new DeepseekV3().fromHf(new HfConfig(j, "built-in tiny-moe"));
    }
}
