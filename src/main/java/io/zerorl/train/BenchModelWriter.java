package io.zerorl.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.checkpoint.SafetensorsWriter;
import io.zerorl.checkpoint.WriteOptions;
import io.zerorl.model.Architectures;
import io.zerorl.model.Policy;
import io.zerorl.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For benchmarks, not a test: writes a Hugging Face folder of a randomly initialised Qwen2 model shaped by the
 * arguments (hidden size, layers, feed-forward width), with the qwen2-tiny fixture's tokenizer (509 tokens), so that
 * commands which load a model by path (train, eval, generate, executors) can run a model of a chosen size.
 *
 * <p>Arguments: FIXTURE_DIR OUT_DIR [hidden 512] [layers 8] [intermediate 1536]; or CONFIG.json OUT_DIR: random weights
 * for that config.json as it is (no tokenizer).
 */
public final class BenchModelWriter {
    private BenchModelWriter() {}

    public static void main(String[] args) throws IOException {
        if (args[0].endsWith(".json")) {
            Path out = Path.of(args[1]);
            Files.createDirectories(out);
            Files.copy(Path.of(args[0]), out.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            write(out);
            return;
        }
        Path fixture = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int hidden = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int layers = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int ffn = args.length > 4 ? Integer.parseInt(args[4]) : 1536;
        Files.createDirectories(out);
        ObjectNode c = (ObjectNode) Json.readTree(fixture.resolve("config.json"));
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("intermediate_size", ffn);
        c.put("num_attention_heads", hidden / 64);
        c.put("num_key_value_heads", Math.max(1, hidden / 256));
        c.put("max_position_embeddings", 1024);
        c.remove("layer_types");
        Json.write(out.resolve("config.json"), c, true);
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(fixture.resolve(f), out.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        write(out);
    }

    private static void write(Path out) {
        var config = Architectures.parse(HfConfig.read(out));
        try (Policy p = Policy.init(config, 1, Device.cpu(), DataType.FLOAT32)) {
            SafetensorsWriter.write(out, "model", RunCheckpoints.entries(p), WriteOptions.defaults());
            long n = p.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            System.out.printf("wrote %s: %s, hidden %d, %d layers, %,d parameters%n", out, config.modelType,
                    config.hiddenSize, config.numLayers, n);
        }
    }
}
