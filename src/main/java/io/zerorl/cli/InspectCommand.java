package io.zerorl.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.model.ModelConfig;
import io.zerorl.model.ParamSpec;
import io.zerorl.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code zerorl inspect MODEL}: architecture and size figures from config.json and the checkpoint header. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's architecture, parameter counts (total and active per token) and memory needs.",
        footer = {"", "Examples:", "  ./zerorl inspect ../shared/fixtures/hf-tiny/qwen3moe-tiny",
            "  ./zerorl inspect ../shared/fixtures/hf-tiny/deepseekv3-tiny --json", "  ./zerorl inspect builtin:tiny-moe"})
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model directory (config.json + safetensors) or builtin:tiny-moe.")
    String model;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        ModelConfig c = ModelRef.config(model);
        long[] counts = ParamSpec.counts(c);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("model", model);
        out.put("model_type", c.modelType);
        out.put("attention", c.isMla() ? "multi-head latent (MLA)" : c.numKvHeads < c.numHeads ? "grouped-query" : "multi-head");
        out.put("layers", c.numLayers);
        out.put("hidden_size", c.hiddenSize);
        out.put("heads", c.numHeads);
        out.put("kv_heads", c.numKvHeads);
        out.put("vocab_size", c.vocabSize);
        out.put("rope", c.rope.type() + (c.rope.interleave() ? " (interleaved)" : ""));
        int sparse = 0;
        for (int l = 0; l < c.numLayers; l++) {
            sparse += c.isSparse(l) ? 1 : 0;
        }
        out.put("moe_layers", sparse);
        out.put("experts", c.numExperts);
        out.put("experts_per_token", c.topK);
        out.put("shared_experts", c.numSharedExperts);
        out.put("router", sparse == 0 ? "none" : router(c));
        out.put("params_total", counts[0]);
        out.put("params_active_per_token", counts[1]);
        out.put("dtype", c.dtype);
        out.put("memory_weights_fp32_bytes", counts[0] * 4);
        out.put("memory_weights_fp16_bytes", counts[0] * 2);
        // AdamW training in fp32: weights + gradients + two moments = 16 bytes per parameter, before activations.
        out.put("memory_train_fp32_bytes", counts[0] * (4 + 4 + 8));
        // fp16 with fp32 master weights: fp16 weights + fp16 grads + fp32 master + two fp32 moments.
        out.put("memory_train_fp16_bytes", counts[0] * (2 + 2 + 4 + 8));
        if (!ModelRef.isBuiltin(model)) {
            try (Checkpoint ck = Checkpoint.open(ModelRef.dir(model))) {
                Set<String> expected = new HashSet<>();
                for (ParamSpec p : ParamSpec.of(c)) {
                    expected.add(p.name());
                }
                long missing = expected.stream().filter(n -> !ck.contains(n)).count();
                long unused = ck.names().stream().filter(n -> !expected.contains(n)).count();
                out.put("checkpoint_tensors", ck.names().size());
                out.put("checkpoint_files", ck.files().size());
                out.put("checkpoint_missing_tensors", missing);
                out.put("checkpoint_unused_tensors", unused);
            }
        }
        PrintStream ps = System.out;
        if (json) {
            ps.println(out.toPrettyString());
            return 0;
        }
        List<String> memKeys = List.of("memory_weights_fp32_bytes", "memory_weights_fp16_bytes",
                "memory_train_fp32_bytes", "memory_train_fp16_bytes");
        out.fields().forEachRemaining(e -> {
            String v = e.getValue().asText();
            if (memKeys.contains(e.getKey())) {
                v = human(e.getValue().asLong());
            } else if (e.getKey().startsWith("params_")) {
                v = String.format(Locale.ROOT, "%,d (%s)", e.getValue().asLong(), humanCount(e.getValue().asLong()));
            }
            ps.printf(Locale.ROOT, "%-28s %s%n", e.getKey(), v);
        });
        return 0;
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String humanCount(long n) {
        if (n >= 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2fB", n / 1e9);
        }
        if (n >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.1fK", n / 1e3);
    }

    /** e.g. "sigmoid + correction bias, group-limited (4 of 8 groups by top-2 sum), renormalised, x2.5". */
    private static String router(ModelConfig c) {
        StringBuilder sb = new StringBuilder(c.scoring.name().toLowerCase(Locale.ROOT));
        if (c.correctionBias) {
            sb.append(" + correction bias");
        }
        if (c.nGroup > 1) {
            sb.append(", group-limited (").append(c.topkGroup).append(" of ").append(c.nGroup).append(" groups by ")
                    .append(c.groupScore == ModelConfig.GroupScore.MAX ? "best expert" : "top-2 sum").append(')');
        }
        if (c.normTopkProb && c.topK > 1) {
            sb.append(", renormalised");
        }
        if (c.routedScalingFactor != 1.0) {
            sb.append(String.format(Locale.ROOT, ", x%s", c.routedScalingFactor));
        }
        return sb.toString();
    }
}
