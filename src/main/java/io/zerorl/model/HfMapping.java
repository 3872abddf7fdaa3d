package io.zerorl.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.util.ZerorlException;

import java.util.List;

/** Config fields every supported family spells the same way; the family mappers add the rest. */
public final class HfMapping {
    private HfMapping() {}

    public static ModelConfig.Builder common(HfConfig hf) {
        ModelConfig.Builder b = new ModelConfig.Builder(hf.modelType());
        String act = hf.getString("hidden_act").orElse("silu");
        if (!act.equals("silu") && !act.equals("swish")) {
            throw new ZerorlException(hf.source() + ": hidden_act '" + act + "' is not supported (only silu/SwiGLU)");
        }
        b.vocabSize = hf.requireInt("vocab_size");
        b.hiddenSize = hf.requireInt("hidden_size");
        b.numLayers = hf.requireInt("num_hidden_layers");
        b.numHeads = hf.requireInt("num_attention_heads");
        b.numKvHeads = hf.getInt("num_key_value_heads", b.numHeads);
        b.headDim = hf.getInt("head_dim", b.hiddenSize / b.numHeads);
        b.intermediateSize = hf.getInt("intermediate_size", 0);
        b.rmsNormEps = hf.getDouble("rms_norm_eps", 1e-6);
        b.maxPositions = hf.getInt("max_position_embeddings", 4096);
        b.tieEmbeddings = hf.getBool("tie_word_embeddings", false);
        b.rope = rope(hf);
        List<Integer> eos = hf.getIntList("eos_token_id");
        b.eosTokenId = eos.isEmpty() ? -1 : eos.get(0);
        b.padTokenId = hf.getInt("pad_token_id", -1);
        b.dtype = hf.dtype();
        b.hfJson = hf.json().deepCopy();
        b.sparseLayers = new boolean[b.numLayers];
        return b;
    }

    /** Qwen3's attention: {@link #common} plus q/k RMSNorm; q/k/v/o biases with {@code attention_bias} (Qwen3 and Qwen3-MoE). */
    public static ModelConfig.Builder qwen3Attention(HfConfig hf) {
        ModelConfig.Builder b = common(hf);
        b.qkNorm = true;
        b.qkvBias = hf.getBool("attention_bias", false);
        b.oBias = b.qkvBias;
        return b;
    }

    /** Reads {@code rope_scaling} / {@code rope_parameters} into a {@link RopeConfig}. */
    public static RopeConfig rope(HfConfig hf) {
        double theta = hf.ropeTheta(10000.0);
        JsonNode s = hf.ropeScaling().orElse(null);
        if (s == null) {
            return RopeConfig.defaults(theta);
        }
        String type = s.has("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("default");
        int origMax = s.has("original_max_position_embeddings") && !s.get("original_max_position_embeddings").isNull()
                ? s.get("original_max_position_embeddings").asInt()
                : hf.getInt("max_position_embeddings", 4096);
        Double attentionFactor = s.hasNonNull("attention_factor") ? s.get("attention_factor").asDouble() : null;
        try {
            return new RopeConfig(type, theta,
                    s.path("factor").asDouble(1.0),
                    s.path("low_freq_factor").asDouble(1.0),
                    s.path("high_freq_factor").asDouble(4.0),
                    origMax,
                    s.path("beta_fast").asDouble(32),
                    s.path("beta_slow").asDouble(1),
                    s.path("mscale").asDouble(1),
                    s.path("mscale_all_dim").asDouble(0),
                    attentionFactor,
                    s.path("truncate").asBoolean(true),
                    false);
        } catch (ZerorlException e) {
            throw new ZerorlException(hf.source() + ": " + e.getMessage(), e);
        }
    }
}
