package io.zerorl.train.pretrain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architectures;
import io.zerorl.model.ModelConfig;
import io.zerorl.tokenizer.BuiltinTokenizer;
import io.zerorl.util.Json;

/**
 * The built-in base model's architecture: a small DeepSeek-V3-style MoE (MLA, one shared + 8 routed experts, top-2,
 * first layer dense) over the built-in tokenizer's vocabulary, small enough to pretrain and RL-train on a laptop CPU,
 * initialised from scratch. Defined as the {@code config.json} a Hugging Face checkpoint of it carries, read by the
 * {@code deepseek_v3} architecture like any other.
 */
public final class BaseModel {
    public static final String NAME = "tiny-moe";

    /**
     * The built-in base models: the MoE above (the quickstart's), and a smaller dense one (a Qwen2-style decoder,
     * hidden 96, 3 layers) pretrained on the same corpus, the student of the distillation demonstration.
     */
    public enum Variant {
        MOE(NAME), DENSE("tiny-dense");

        public final String label;

        Variant(String label) {
            this.label = label;
        }

        public ModelConfig config() {
            return this == MOE ? BaseModel.config() : denseConfig(BuiltinTokenizer.vocabSize(), BuiltinTokenizer.EOS_ID);
        }
    }

    private BaseModel() {}

    /** The dense built-in model over a vocabulary. */
    public static ModelConfig denseConfig(int vocabSize, int eosTokenId) {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.putArray("architectures").add("Qwen2ForCausalLM");
        j.put("model_type", "qwen2");
        j.put("vocab_size", vocabSize);
        j.put("hidden_size", 96);
        j.put("intermediate_size", 256);
        j.put("num_hidden_layers", 3);
        j.put("num_attention_heads", 4);
        j.put("num_key_value_heads", 2);
        j.put("max_position_embeddings", 1024);
        j.put("rope_theta", 10000.0);
        j.put("rms_norm_eps", 1e-6);
        j.put("hidden_act", "silu");
        j.put("tie_word_embeddings", true);
        j.put("eos_token_id", eosTokenId);
        j.put("pad_token_id", eosTokenId);
        j.putNull("bos_token_id");
        j.put("torch_dtype", "float32");
        j.put("use_cache", true);
        return Architectures.parse(new HfConfig(j, "built-in tiny-dense"));
    }

    public static ModelConfig config() {
        return config(BuiltinTokenizer.vocabSize(), BuiltinTokenizer.EOS_ID);
    }

    /** The same shape over another vocabulary (tests use small ones). */
    public static ModelConfig config(int vocabSize, int eosTokenId) {
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
        return Architectures.parse(new HfConfig(j, "built-in tiny-moe"));
    }
}
