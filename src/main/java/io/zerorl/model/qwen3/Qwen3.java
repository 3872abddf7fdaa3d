package io.zerorl.model.qwen3;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architecture;
import io.zerorl.model.HfMapping;
import io.zerorl.model.ModelConfig;

import java.util.List;

/** Qwen3 dense: RMSNorm on each query/key head before rotary, explicit {@code head_dim}. */
public final class Qwen3 implements Architecture {
    @Override
    public List<String> modelTypes() {
        return List.of("qwen3");
    }

    @Override
    public ModelConfig fromHf(HfConfig hf) {
        return HfMapping.qwen3Attention(hf).build();
    }
}
