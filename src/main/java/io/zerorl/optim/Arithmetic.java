package io.zerorl.optim;

/**
 * How the optimizer and gradient clipping compute. Both give AdamW and torch's clip_grad_norm_ within float32
 * rounding; they differ in the last bits, which is enough to change where a chaotic training run goes.
 */
public enum Arithmetic {
    /**
     * torch's fused AdamW kernel and foreach norms, one call for the whole model (the default: one memory pass per
     * parameter instead of about 14, and no per-parameter op overhead).
     */
    FUSED,
    /**
     * One DJL op at a time, as zerorl computed before the fused kernel: kept for the built-in base model's
     * pretraining, whose recipe (the stop rule, the step counts, the measured spread in the README) and whose cached
     * weights were made with it. Slower by an order of magnitude on large models.
     */
    PER_OP
}
