package io.zerorl.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.model.Policy;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code zerorl forward}: logits for given token ids, with the field names of the fixtures'
 * {@code reference.json} ({@code input_ids}, {@code attention_mask}, {@code position_ids},
 * {@code logits}), so our numbers can be compared with any other framework.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Compute logits for token ids (JSON in, JSON out).",
        footer = {"", "Input JSON: {\"input_ids\": [[...], ...], \"attention_mask\": [[...]] (optional, default all 1),",
            "             \"position_ids\": [[...]] (optional, default cumsum(mask)-1 clamped at 0)}",
            "Logits at padded positions are written as 0 (they carry no meaning).",
            "", "Examples:",
            "  # the fixture's reference.json holds input ids and the logits of transformers",
            "  ./zerorl forward --model ../shared/fixtures/hf-tiny/qwen2-tiny \\",
            "      --input ../shared/fixtures/hf-tiny/qwen2-tiny/reference.json --output /tmp/logits.json",
            "  ./zerorl forward --model builtin:tiny-moe --input ids.json --output logits.json"})
public final class ForwardCommand implements Callable<Integer> {
    @Mixin
    ModelOptions options = new ModelOptions();

    @Option(names = "--input", required = true, description = "JSON file with input_ids (and optionally attention_mask, position_ids).")
    Path input;

    @Option(names = "--output", required = true, description = "Where to write the JSON with logits.")
    Path output;

    @Override
    public Integer call() {
        JsonNode in = Json.readTree(input);
        long[][] ids = matrix(in, "input_ids", null);
        long[][] mask = in.has("attention_mask") ? matrix(in, "attention_mask", ids) : ones(ids);
        long[][] pos = in.has("position_ids") ? matrix(in, "position_ids", ids) : Policy.positionIds(mask);
        try (Policy policy = options.load();
             NDManager m = NDManager.newBaseManager()) {
            int vocab = policy.config().vocabSize;
            for (int b = 0; b < ids.length; b++) {
                for (int t = 0; t < ids[b].length; t++) {
                    if (ids[b][t] < 0 || ids[b][t] >= vocab) {
                        throw new ZerorlException(input + ": input_ids[" + b + "][" + t + "] = " + ids[b][t]
                                + " is outside the vocabulary (0.." + (vocab - 1) + ")");
                    }
                }
            }
            NDArray logits = policy.forward(m.create(ids), m.create(mask), m.create(pos));
            float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.set("input_ids", Json.MAPPER.valueToTree(ids));
            out.set("attention_mask", Json.MAPPER.valueToTree(mask));
            out.set("position_ids", Json.MAPPER.valueToTree(pos));
            ArrayNode all = out.putArray("logits");
            int t = ids[0].length;
            for (int b = 0; b < ids.length; b++) {
                ArrayNode rowsNode = all.addArray();
                for (int i = 0; i < t; i++) {
                    ArrayNode row = rowsNode.addArray();
                    for (int j = 0; j < vocab; j++) {
                        row.add(mask[b][i] == 0 ? 0f : flat[(b * t + i) * vocab + j]);
                    }
                }
            }
            out.put("model", options.model());
            Json.write(output, out, false);
        }
        System.err.println("wrote logits " + ids.length + " x " + ids[0].length + " x vocab to " + output);
        return 0;
    }

    private long[][] matrix(JsonNode in, String key, long[][] like) {
        JsonNode n = in.get(key);
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw new ZerorlException(input + ": '" + key + "' must be a non-empty list of rows of integers");
        }
        long[][] out = new long[n.size()][];
        for (int b = 0; b < n.size(); b++) {
            JsonNode row = n.get(b);
            if (!row.isArray() || row.isEmpty()) {
                throw new ZerorlException(input + ": " + key + "[" + b + "] must be a non-empty list of integers");
            }
            out[b] = new long[row.size()];
            for (int t = 0; t < row.size(); t++) {
                if (!row.get(t).canConvertToLong()) {
                    throw new ZerorlException(input + ": " + key + "[" + b + "][" + t + "] is not an integer: " + row.get(t));
                }
                out[b][t] = row.get(t).asLong();
            }
            int want = like != null ? like[b].length : out[0].length;
            if (out[b].length != want) {
                throw new ZerorlException(input + ": " + key + "[" + b + "] has " + out[b].length + " entries, expected " + want
                        + " (pad rows on the left and mark padding with attention_mask 0)");
            }
        }
        if (like != null && out.length != like.length) {
            throw new ZerorlException(input + ": " + key + " has " + out.length + " rows but input_ids has " + like.length);
        }
        return out;
    }

    private static long[][] ones(long[][] ids) {
        long[][] m = new long[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            m[b] = new long[ids[b].length];
            java.util.Arrays.fill(m[b], 1);
        }
        return m;
    }
}
