package io.zerorl.model.qwen2;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architecture;
import io.zerorl.model.HfMapping;
import io.zerorl.model.ModelConfig;

import java.util.List;

/** Qwen2 / Qwen2.5: q, k, v always carry a bias, o does not (transformers {@code Qwen2Attention}). */
public final class Qwen2 implements Architecture {
    @Override
    public List<String> modelTypes() {
        return List.of("qwen2");
    }

    @Override
    public ModelConfig fromHf(HfConfig hf) {
        ModelConfig.Builder b = HfMapping.common(hf);
        b.qkvBias = true;
        return b.build();
    }
}
