package io.zerorl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.DType;
import io.zerorl.checkpoint.HfConfig;
import io.zerorl.checkpoint.HfExport;
import io.zerorl.run.RunLayout;
import io.zerorl.train.ModelCard;
import io.zerorl.train.RunCheckpoints;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code zerorl export --checkpoint DIR --output DIR [--dtype bf16|fp32]}: no model is loaded, tensors stream. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a training checkpoint (or any HF model dir) as a Hugging Face model.",
        footer = {"", "Examples:",
            "  ./zerorl export --checkpoint runs/qwen3moe-tiny-r1-zero/checkpoints \\",
            "      --output /tmp/r1-zero-tiny-hf",
            "  ./zerorl export --checkpoint runs/qwen3moe-tiny-r1-zero/checkpoints/step-000010 \\",
            "      --output /tmp/r1-zero-tiny-fp32 --dtype fp32"})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A checkpoints/step-NNNNNN directory (or a run's checkpoints/ dir: newest).")
    Path checkpoint;

    @Option(names = "--output", required = true, description = "Output directory.")
    Path output;

    @Option(names = "--dtype", defaultValue = "bf16", description = "Weights written as bf16 (default) or fp32 (not a compute dtype: nothing is computed).")
    String dtype;

    @Option(names = "--max-shard-bytes", defaultValue = "5368709120", description = "Shard size (default 5 GiB).")
    long maxShard;

    @Override
    public Integer call() throws Exception {
        DType type = HfExport.dtype(dtype);
        Path dir = checkpoint;
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            Path newest = new RunCheckpoints(dir, 1).latest();
            if (newest == null) {
                throw new ZerorlException(checkpoint + " is neither a model/checkpoint directory (config.json) nor a checkpoints/ directory");
            }
            dir = newest;
        }
        ObjectNode cfg = HfConfig.read(dir).json();
        Map<String, Object> metrics = new LinkedHashMap<>();
        String base = dir.toString();
        int steps = 0;
        String recipeName = "unknown";
        if (Files.isRegularFile(dir.resolve(RunCheckpoints.STATE_FILE))) {
            JsonNode st = Json.readTree(dir.resolve(RunCheckpoints.STATE_FILE));
            steps = st.path("step").asInt();
            base = st.path("base_model").asText(base);
            recipeName = st.path("recipe").asText(recipeName);
            st.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue()));
        }
        ObjectNode gen = Json.MAPPER.createObjectNode();
        for (String k : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
            if (cfg.has(k) && !cfg.get(k).isNull()) {
                gen.set(k, cfg.get(k));
            }
        }
        String recipeYaml = "";
        RunLayout run = RunLayout.ofCheckpoint(dir);
        Path runRecipe = run == null ? null : run.recipe();
        if (runRecipe != null && Files.isRegularFile(runRecipe)) {
            recipeYaml = Files.readString(runRecipe);
        }
        try (Checkpoint ck = Checkpoint.open(dir.resolve("model.safetensors").toFile().exists() ? dir.resolve("model.safetensors") : dir)) {
            Path out = HfExport.write(output, HfExport.entriesOf(ck), cfg, gen, dir, type, maxShard,
                    ModelCard.render(base, recipeName, recipeYaml, List.of(), steps, metrics, type));
            System.out.println("exported " + ck.names().size() + " tensors to " + out);
        }
        return 0;
    }
}
