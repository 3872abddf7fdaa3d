package io.zerorl.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.model.Architectures;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.Policy;
import io.zerorl.tokenizer.BuiltinTokenizer;
import io.zerorl.train.pretrain.BaseModel;
import io.zerorl.train.pretrain.BaseModelCache;
import io.zerorl.train.pretrain.PretrainConfig;
import io.zerorl.util.ZerorlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model named on the command line: a Hugging Face directory, or {@code builtin:tiny-moe}. The built-in name
 * resolves to the pretrained base model in the cache ({@code zerorl pretrain}, default settings) when it is there,
 * else to the untrained architecture (enough for {@code inspect}).
 */
final class ModelRef {
    static final String BUILTIN_PREFIX = "builtin:";
    static final String TINY_MOE = "tiny-moe";
    /** Vocabulary of the built-in model: its generated character-level tokenizer. */
    static final int BUILTIN_VOCAB = BuiltinTokenizer.vocabSize();

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
            Optional<Path> cached = pretrained();
            return cached.isPresent() ? Architectures.parse(HfConfig.read(cached.get())) : BaseModel.config();
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

    /** The cached pretrained built-in base model (default settings), if {@code zerorl pretrain} made it. */
    static Optional<Path> pretrained() {
        return BaseModelCache.find(BaseModelCache.defaultRoot(), PretrainConfig.defaults());
    }

    /** The folder a reference loads from: the directory itself, or the cached built-in base model. */
    static Optional<Path> resolveDir(String ref) {
        if (isBuiltin(ref)) {
            config(ref); // validates the built-in name
            return pretrained();
        }
        return Optional.of(dir(ref));
    }

    static Policy load(String ref, Device device, DataType type, long seed) {
        if (isBuiltin(ref)) {
            Optional<Path> cached = pretrained();
            return cached.isPresent() ? Policy.load(cached.get(), device, type) : Policy.init(config(ref), seed, device, type);
        }
        return Policy.load(dir(ref), device, type);
    }
}
