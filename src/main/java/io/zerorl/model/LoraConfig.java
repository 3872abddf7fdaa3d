package io.zerorl.model;

import io.zerorl.util.InvalidSetting;

import java.util.List;

/**
 * LoRA (Hu et al. 2021) as PEFT configures it: rank {@code r} adapters on the projections named in
 * {@code targetModules} (the last part of a Hugging Face module name: {@code q_proj}, {@code k_proj}, {@code v_proj},
 * {@code o_proj}, {@code gate_proj}, {@code up_proj}, {@code down_proj}, MLA's {@code q_a_proj}, {@code q_b_proj},
 * {@code kv_a_proj_with_mqa}, {@code kv_b_proj}, Mixtral's {@code w1}/{@code w2}/{@code w3}); shared experts are
 * matched like dense MLPs, routed experts only with {@code includeRoutedExperts}, since they multiply the adapter's
 * size by the number of experts. The update {@code (x A^T) B^T * scaling} is added beside the frozen weight, with
 * {@code scaling = alpha / r}, or {@code alpha / sqrt(r)} with {@code useRslora}. It is the recipe's {@code lora:}
 * section; {@code r = 0} turns LoRA off.
 *
 * @param dropout  dropout on the adapter's input while training (PEFT's {@code lora_dropout})
 * @param initFrom a PEFT adapter folder to start from instead of fresh adapters, or null
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules, boolean useRslora,
                         boolean includeRoutedExperts, String initFrom) {
    /** PEFT's usual targets for decoder LLMs: every attention and MLP projection. */
    public static final List<String> DEFAULT_TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    public LoraConfig {
        InvalidSetting.require(r >= 0, "r", "must be >= 0 (0 = no LoRA), got " + r);
        InvalidSetting.require(alpha > 0 && Double.isFinite(alpha), "alpha", "must be a finite number > 0, got " + alpha);
        InvalidSetting.require(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1), got " + dropout);
        InvalidSetting.require(targetModules != null && !targetModules.isEmpty(), "target_modules",
                "must name at least one projection, e.g. " + DEFAULT_TARGETS);
        for (String t : targetModules) {
            InvalidSetting.require(t != null && t.matches("[A-Za-z_][A-Za-z0-9_]*"), "target_modules",
                    "must hold module names such as q_proj, got '" + t + "'");
        }
        targetModules = List.copyOf(targetModules);
    }

    /** LoRA off (the recipe default): when turned on, alpha 32 on every attention and MLP projection. */
    public static LoraConfig defaults() {
        return new LoraConfig(0, 32, 0.0, DEFAULT_TARGETS, false, false, null);
    }

    public static LoraConfig of(int r, double alpha) {
        return new LoraConfig(r, alpha, 0.0, DEFAULT_TARGETS, false, false, null);
    }

    public boolean enabled() {
        return r > 0;
    }

    /** The multiplier of the low-rank update. */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    /**
     * Whether the projection {@code module} (a full module name) gets an adapter: its last part is a target, and it is
     * not a routed expert unless they are included.
     */
    public boolean targets(String module) {
        String last = module.substring(module.lastIndexOf('.') + 1);
        return targetModules.contains(last) && (includeRoutedExperts || !isRoutedExpert(module));
    }

    /** {@code ...mlp.experts.3.gate_proj}, {@code ...block_sparse_moe.experts.0.w1}; not shared experts. */
    static boolean isRoutedExpert(String module) {
        return module.contains(".experts.");
    }
}
