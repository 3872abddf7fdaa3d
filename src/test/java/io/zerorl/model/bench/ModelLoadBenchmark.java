package io.zerorl.model.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.DType;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.checkpoint.SafetensorsWriter;
import io.zerorl.checkpoint.TensorData;
import io.zerorl.checkpoint.TensorEntry;
import io.zerorl.checkpoint.WriteOptions;
import io.zerorl.model.Architectures;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.ParamSpec;
import io.zerorl.model.Policy;
import io.zerorl.util.Json;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Loads a generated Qwen2.5-0.5B-shaped checkpoint (494M parameters, ~1 GB of BF16 in shards) into a
 * float32 {@link Policy} and prints the time, peak Java heap and peak RSS. Run: scripts/bench-model-load.sh
 */
public final class ModelLoadBenchmark {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("generate")) {
            generate(dir);
        } else {
            load(dir);
        }
    }

    static ObjectNode qwen05bConfig() {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.put("model_type", "qwen2");
        j.put("vocab_size", 151936);
        j.put("hidden_size", 896);
        j.put("intermediate_size", 4864);
        j.put("num_hidden_layers", 24);
        j.put("num_attention_heads", 14);
        j.put("num_key_value_heads", 2);
        j.put("max_position_embeddings", 32768);
        j.put("rope_theta", 1000000.0);
        j.put("rms_norm_eps", 1e-6);
        j.put("tie_word_embeddings", true);
        j.put("torch_dtype", "bfloat16");
        j.put("eos_token_id", 151643);
        return j;
    }

    static void generate(Path dir) throws Exception {
        Files.createDirectories(dir);
        ObjectNode cfgJson = qwen05bConfig();
        Files.writeString(dir.resolve("config.json"), cfgJson.toPrettyString());
        ModelConfig c = Architectures.parse(new HfConfig(cfgJson, "generated"));
        List<TensorEntry> entries = new ArrayList<>();
        for (ParamSpec p : ParamSpec.of(c)) {
            entries.add(TensorEntry.float32(p.name(), p.shape(), TensorData.lazy(() -> random(p))));
        }
        long t0 = System.nanoTime();
        SafetensorsWriter.Result r = SafetensorsWriter.write(dir, "model", entries,
                WriteOptions.defaults().withFloatDtype(DType.BF16).withMaxShardBytes(300L << 20));
        System.out.printf(Locale.ROOT, "generated %d tensors, %.3f GB BF16 in %d files (%.1f s)%n",
                entries.size(), r.totalSize() / 1e9, r.files().size(), (System.nanoTime() - t0) / 1e9);
    }

    private static ByteBuffer random(ParamSpec p) {
        int n = Math.toIntExact(p.numel());
        ByteBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom rng = new SplittableRandom(p.name().hashCode());
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (rng.nextDouble() - 0.5) * 0.04f);
        }
        return b.flip();
    }

    static void load(Path dir) {
        long rssBefore = rssKb("VmRSS");
        long t0 = System.nanoTime();
        try (Policy policy = Policy.load(dir, Device.cpu(), DataType.FLOAT32)) {
            double secs = (System.nanoTime() - t0) / 1e9;
            long params = ParamSpec.counts(policy.config())[0];
            long heapPeak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    heapPeak += pool.getPeakUsage().getUsed();
                }
            }
            long hwm = rssKb("VmHWM");
            double weightsMb = params * 4 / 1e6;
            System.out.printf(Locale.ROOT, "loaded %,d parameters (%.0f MB as float32) in %.1f s%n", params, weightsMb, secs);
            System.out.printf(Locale.ROOT, "peak Java heap (sum of pool peaks): %.1f MB%n", heapPeak / 1e6);
            System.out.printf(Locale.ROOT, "RSS before load: %.0f MB, peak RSS: %.0f MB, peak minus weights minus start: %.0f MB%n",
                    rssBefore / 1e3, hwm / 1e3, hwm / 1e3 - weightsMb - rssBefore / 1e3);
        }
    }

    static long rssKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
