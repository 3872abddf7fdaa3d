package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architectures;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.Policy;
import io.zerorl.model.deepseek.DeepseekV3;
import io.zerorl.util.ZerorlException;

import java.nio.file.Files;
import java.nio.file.Path;

/** A model named on the command line: a Hugging Face directory, or {@code builtin:tiny-moe}. */
final class ModelRef {
    static final String BUILTIN_PREFIX = "builtin:";
    static final String TINY_MOE = "tiny-moe";
    /** Vocabulary of the built-in model until it gets its own tokenizer. */
    static final int BUILTIN_VOCAB = 512;

    private ModelRef() {}

    static boolean isBuiltin(String ref) {
        return ref.startsWith(BUILTIN_PREFIX);
    }

    static ModelConfig config(String ref) {
        if (isBuiltin(ref)) {
            String name = ref.substring(BUILTIN_PREFIX.length());
            if (!name.equals(TINY_MOE)) {
                throw new ZerorlException("Unknown built-in model '" + name + "'; available: " + TINY_MOE);
            }
            return DeepseekV3.tinyDefault(BUILTIN_VOCAB, 0);
        }
        return Architectures.parse(HfConfig.read(dir(ref)));
    }

    static Path dir(String ref) {
        Path p = Path.of(ref);
        if (!Files.isDirectory(p)) {
            throw new ZerorlException("Model directory not found: " + ref
                    + " (pass a Hugging Face model folder with config.json and *.safetensors, or builtin:" + TINY_MOE + ")");
        }
        return p;
    }

    static Policy load(String ref, Device device, DataType type, long seed) {
        if (isBuiltin(ref)) {
            return Policy.init(config(ref), seed, device, type);
        }
        return Policy.load(dir(ref), device, type);
    }
}
