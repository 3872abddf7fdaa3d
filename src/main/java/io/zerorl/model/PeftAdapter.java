package io.zerorl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.checkpoint.Checkpoint;
import io.zerorl.checkpoint.SafetensorsWriter;
import io.zerorl.checkpoint.TensorData;
import io.zerorl.checkpoint.TensorEntry;
import io.zerorl.checkpoint.WriteOptions;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * LoRA adapters in Hugging Face PEFT's folder layout, so that PEFT and the tools around it read ours and we read
 * theirs: {@code adapter_config.json} ({@code peft_type: LORA}, {@code r}, {@code lora_alpha}, {@code target_modules},
 * {@code base_model_name_or_path}, ...) and {@code adapter_model.safetensors} with PEFT's tensor names
 * ({@code base_model.model.<module>.lora_A.weight}, {@code .lora_B.weight}; float32 here).
 *
 * <p>{@code target_modules} is written as a list of module names when that list selects exactly the adapted
 * projections; when routed experts were left out (they match the same names), as a regular expression, which PEFT
 * matches against whole module names.
 */
public final class PeftAdapter {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";

    private PeftAdapter() {}

    /** Whether {@code dir} holds a PEFT adapter. */
    public static boolean isAdapter(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG));
    }

    /** Writes {@code lora} into {@code dir} (created if needed). */
    public static void write(Path dir, LoraAdapters lora, ModelConfig model, String baseModel) {
        LoraConfig c = lora.config();
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.put("peft_type", "LORA");
        j.put("task_type", "CAUSAL_LM");
        j.put("base_model_name_or_path", baseModel);
        j.put("r", c.r());
        j.put("lora_alpha", c.alpha());
        j.put("lora_dropout", c.dropout());
        j.put("use_rslora", c.useRslora());
        j.put("bias", "none");
        j.put("fan_in_fan_out", false);
        j.put("init_lora_weights", true);
        j.put("inference_mode", true);
        j.putNull("modules_to_save");
        j.putNull("layers_to_transform");
        if (routedExpertsLeftOut(model, c)) {
            j.put("target_modules", "(?!.*\\.experts\\.).*\\.(" + String.join("|", c.targetModules()) + ")");
        } else {
            j.putPOJO("target_modules", c.targetModules());
        }
        List<TensorEntry> entries = new ArrayList<>();
        lora.parameters().forEach((name, t) -> entries.add(float32(name, t)));
        SafetensorsWriter.write(dir, "adapter_model", entries, WriteOptions.defaults());
        Json.write(dir.resolve(CONFIG), j, true);
    }

    private static boolean routedExpertsLeftOut(ModelConfig model, LoraConfig c) {
        if (c.includeRoutedExperts() || model.numExperts == 0) {
            return false;
        }
        LoraConfig all = new LoraConfig(c.r(), c.alpha(), c.dropout(), c.targetModules(), c.useRslora(), true, null);
        return LoraAdapters.targets(model, all).size() != LoraAdapters.targets(model, c).size();
    }

    private static TensorEntry float32(String name, NDArray t) {
        return TensorEntry.float32(name, t.getShape().getShape(), sink -> {
            float[] v;
            try (NDArray f = t.toType(DataType.FLOAT32, true)) {
                v = f.toFloatArray();
            }
            TensorData.ofFloats(v).emit(sink);
        });
    }

    /**
     * Reads the adapter in {@code dir} for {@code policy} (not attached). Refuses, with the reason, what this LoRA does
     * not implement (DoRA, bias training, per-layer ranks, ...) and any tensor that does not fit the model.
     */
    public static LoraAdapters read(Path dir, Policy policy) {
        if (!isAdapter(dir)) {
            throw new ZerorlException(dir + " is not a PEFT adapter folder (no " + CONFIG + ")");
        }
        JsonNode j = Json.readTree(dir.resolve(CONFIG));
        String where = dir.resolve(CONFIG).toString();
        require(j.path("peft_type").asText("").equalsIgnoreCase("LORA"), where + ": peft_type must be LORA, got "
                + j.path("peft_type"));
        refuse(j, where, "use_dora", "DoRA is not supported");
        refuse(j, where, "fan_in_fan_out", "fan_in_fan_out (Conv1D weights) is not supported");
        require(j.path("bias").asText("none").equals("none"), where + ": bias '" + j.path("bias").asText()
                + "' is not supported (only 'none': biases stay frozen)");
        for (String k : List.of("modules_to_save", "layers_to_transform")) {
            require(j.path(k).isNull() || j.path(k).isMissingNode() || j.path(k).isEmpty(), where + ": " + k
                    + " is not supported; this adapter changes more than LoRA pairs");
        }
        for (String k : List.of("rank_pattern", "alpha_pattern")) {
            require(j.path(k).isMissingNode() || j.path(k).isNull() || j.path(k).isEmpty(), where + ": " + k
                    + " (ranks or alphas per layer) is not supported");
        }
        int r = j.path("r").asInt(0);
        require(r > 0, where + ": r must be a positive integer, got " + j.path("r"));
        try (Checkpoint ck = Checkpoint.open(dir.resolve(WEIGHTS))) {
            Map<String, float[][]> values = new LinkedHashMap<>();
            Set<String> lastNames = new LinkedHashSet<>();
            boolean routed = false;
            for (String name : ck.names()) {
                String module = moduleOf(name, where);
                float[][] pair = values.computeIfAbsent(module, m -> new float[2][]);
                pair[name.contains(".lora_A.") ? 0 : 1] = ck.readFloats(name);
                lastNames.add(module.substring(module.lastIndexOf('.') + 1));
                routed |= LoraConfig.isRoutedExpert(module);
            }
            LoraConfig cfg = new LoraConfig(r, j.path("lora_alpha").asDouble(8), j.path("lora_dropout").asDouble(0),
                    new ArrayList<>(lastNames), j.path("use_rslora").asBoolean(false), routed, null);
            Set<String> expected = LoraAdapters.targets(policy.config(), cfg).keySet();
            for (String m : values.keySet()) {
                require(expected.contains(m), dir.resolve(WEIGHTS) + " holds an adapter for '" + m
                        + "', which is not a projection of this " + policy.config().modelType + " model (adapter of"
                        + " another base model? base_model_name_or_path: " + j.path("base_model_name_or_path") + ")");
            }
            return LoraAdapters.of(policy, cfg, values);
        }
    }

    private static final Pattern NAME = Pattern.compile("base_model\\.model\\.(.+)\\.lora_([AB])(\\.[^.]+)?\\.weight");

    private static String moduleOf(String tensor, String where) {
        var m = NAME.matcher(tensor);
        if (!m.matches()) {
            throw new ZerorlException(where.replace(CONFIG, WEIGHTS) + ": tensor '" + tensor + "' is not a LoRA pair"
                    + " weight (base_model.model.<module>.lora_A.weight / lora_B.weight)");
        }
        return m.group(1);
    }

    private static void refuse(JsonNode j, String where, String key, String why) {
        require(!j.path(key).asBoolean(false), where + ": " + why + " (" + key + ": true)");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ZerorlException(message);
        }
    }
}
