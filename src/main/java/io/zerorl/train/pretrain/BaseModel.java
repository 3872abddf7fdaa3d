package io.zerorl.train.pretrain;

import io.zerorl.model.ModelConfig;
import io.zerorl.model.deepseek.DeepseekV3;
import io.zerorl.tokenizer.BuiltinTokenizer;

/** The built-in base model's architecture: the small DeepSeek-style MoE over the built-in tokenizer's vocabulary. */
public final class BaseModel {
    public static final String NAME = "tiny-moe";

    private BaseModel() {}

    public static ModelConfig config() {
        return DeepseekV3.tinyDefault(BuiltinTokenizer.vocabSize(), BuiltinTokenizer.EOS_ID);
    }
}
