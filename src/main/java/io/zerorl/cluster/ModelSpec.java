package io.zerorl.cluster;

/**
 * The model an executor loads: a Hugging Face folder every node can read (absolute), the device kind ({@code cpu},
 * {@code gpu}: an executor uses the GPU Spark assigned to its task), the compute dtype ({@code fp32}, {@code fp16}),
 * and for evaluation and generation a LoRA adapter folder (PEFT layout) or null.
 */
public record ModelSpec(String path, String device, String dtype, String adapter) {}
