package io.zerorl.model.llama;

import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architecture;
import io.zerorl.model.HfMapping;
import io.zerorl.model.ModelConfig;

import java.util.List;

/** Llama 2/3: {@code attention_bias} puts a bias on q, k, v and o. */
public final class Llama implements Architecture {
    @Override
    public List<String> modelTypes() {
        return List.of("llama");
    }

    @Override
    public ModelConfig fromHf(HfConfig hf) {
        ModelConfig.Builder b = HfMapping.common(hf);
        b.qkvBias = hf.getBool("attention_bias", false);
        b.oBias = b.qkvBias;
        return b.build();
    }
}
