package io.zerorl.model;

import ai.djl.ndarray.NDArray;

/**
 * One projection of the model, {@code y = x W^T + b}, named by its Hugging Face module ({@code
 * model.layers.0.self_attn.q_proj}): when the forward pass carries LoRA adapters and one is attached to this module,
 * its low-rank update is added beside the frozen weight ({@link LoraAdapters#delta}); no merged copy is made.
 */
final class Linear {
    final String module;
    final NDArray weight;
    final NDArray bias;

    Linear(String module, NDArray weight, NDArray bias) {
        this.module = module;
        this.weight = weight;
        this.bias = bias;
    }

    /** The projection of the weight named {@code weightName} ({@code <module>.weight}) in {@code params}. */
    static Linear of(java.util.Map<String, NDArray> params, String weightName, String biasName) {
        return new Linear(WeightNames.module(weightName), params.get(weightName),
                biasName == null ? null : params.get(biasName));
    }

    NDArray apply(NDArray x, ForwardContext ctx) {
        NDArray y = Ops.linear(x, weight, bias);
        LoraAdapters lora = ctx.lora();
        return lora == null ? y : lora.addTo(y, x, module);
    }
}
