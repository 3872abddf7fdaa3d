package io.zerorl.model;

/**
 * Hugging Face tensor names of a model family. The attention and dense names are shared by every
 * supported family; the MoE block differs (Mixtral's {@code block_sparse_moe.experts.N.w1/w2/w3}).
 * Names are mapped here once so the model code never spells a checkpoint key.
 */
public class WeightNames {
    /** Llama, Qwen2/3, Qwen3-MoE and DeepSeek-V3 layout. */
    public static final WeightNames STANDARD = new WeightNames();

    /** One expert projection: gate (SwiGLU gate), up, down. */
    public enum Proj { GATE, UP, DOWN }

    /** The module a weight belongs to: {@code model.layers.0.self_attn.q_proj.weight} -> {@code ...q_proj}. */
    public static String module(String weightName) {
        if (!weightName.endsWith(".weight")) {
            throw new IllegalArgumentException("not a module weight: " + weightName);
        }
        return weightName.substring(0, weightName.length() - ".weight".length());
    }

    public String embed() {
        return "model.embed_tokens.weight";
    }

    public String lmHead() {
        return "lm_head.weight";
    }

    public String finalNorm() {
        return "model.norm.weight";
    }

    public String layer(int i) {
        return "model.layers." + i + ".";
    }

    public String attn(int i, String tensor) {
        return layer(i) + "self_attn." + tensor;
    }

    public String inputNorm(int i) {
        return layer(i) + "input_layernorm.weight";
    }

    public String postAttentionNorm(int i) {
        return layer(i) + "post_attention_layernorm.weight";
    }

    public String denseMlp(int i, Proj p) {
        return layer(i) + "mlp." + projName(p) + ".weight";
    }

    public String router(int i) {
        return layer(i) + "mlp.gate.weight";
    }

    public String correctionBias(int i) {
        return layer(i) + "mlp.gate.e_score_correction_bias";
    }

    public String expert(int i, int e, Proj p) {
        return layer(i) + "mlp.experts." + e + "." + projName(p) + ".weight";
    }

    public String sharedExpert(int i, Proj p) {
        return layer(i) + "mlp.shared_experts." + projName(p) + ".weight";
    }

    protected String projName(Proj p) {
        return switch (p) {
            case GATE -> "gate_proj";
            case UP -> "up_proj";
            case DOWN -> "down_proj";
        };
    }
}
