package io.zerorl.model;

import io.zerorl.checkpoint.HfConfig;

import java.util.List;

/**
 * One model family: maps its Hugging Face {@code config.json} to a {@link ModelConfig} (which carries
 * the family's {@link WeightNames}). Implementations live in {@code io.zerorl.model.<family>} and are
 * found through {@link java.util.ServiceLoader}; see {@link Architectures}.
 */
public interface Architecture {
    /** The {@code model_type} values this family reads. */
    List<String> modelTypes();

    ModelConfig fromHf(HfConfig config);
}
