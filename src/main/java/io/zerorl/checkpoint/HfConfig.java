package io.zerorl.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Hugging Face {@code config.json}, read with both key styles: the hub/transformers-4 style
 * ({@code rope_theta}, {@code rope_scaling}, {@code torch_dtype}, {@code num_local_experts}) and the
 * transformers-5 style ({@code rope_parameters}, {@code dtype}, {@code num_experts}). Getters name the
 * file and key when a required value is missing or of the wrong type.
 */
public final class HfConfig {
    private final ObjectNode root;
    private final String source;

    public HfConfig(ObjectNode root, String source) {
        this.root = root;
        this.source = source;
    }

    /** Reads {@code config.json} from a model directory (or the file itself). */
    public static HfConfig read(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
        if (!Files.exists(file)) {
            throw new ZerorlException("No config.json in " + dirOrFile
                    + ": a model directory needs the Hugging Face config.json beside its safetensors files");
        }
        JsonNode node = Json.readTree(file);
        if (!(node instanceof ObjectNode)) {
            throw new ZerorlException(file + " must hold a JSON object");
        }
        return new HfConfig((ObjectNode) node, file.toString());
    }

    public ObjectNode json() {
        return root;
    }

    public String source() {
        return source;
    }

    public boolean has(String key) {
        JsonNode n = root.get(key);
        return n != null && !n.isNull();
    }

    public String modelType() {
        return requireString("model_type");
    }

    public String requireString(String key) {
        JsonNode n = root.get(key);
        if (n == null || !n.isTextual()) {
            throw missing(key, "a string");
        }
        return n.asText();
    }

    public int requireInt(String key) {
        JsonNode n = root.get(key);
        if (n == null || !n.canConvertToInt()) {
            throw missing(key, "an integer");
        }
        return n.asInt();
    }

    public double requireDouble(String key) {
        JsonNode n = root.get(key);
        if (n == null || !n.isNumber()) {
            throw missing(key, "a number");
        }
        return n.asDouble();
    }

    public int getInt(String key, int dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.canConvertToInt()) {
            throw missing(key, "an integer");
        }
        return n.asInt();
    }

    public double getDouble(String key, double dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw missing(key, "a number");
        }
        return n.asDouble();
    }

    public boolean getBool(String key, boolean dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw missing(key, "true or false");
        }
        return n.asBoolean();
    }

    public Optional<String> getString(String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    /** The first present key of several aliases, as an int. */
    public int requireIntOf(String... keys) {
        for (String k : keys) {
            if (has(k)) {
                return requireInt(k);
            }
        }
        throw missing(String.join(" or ", keys), "an integer");
    }

    public int getIntOf(int dflt, String... keys) {
        for (String k : keys) {
            if (has(k)) {
                return requireInt(k);
            }
        }
        return dflt;
    }

    public List<Integer> getIntList(String key) {
        JsonNode n = root.get(key);
        List<Integer> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.canConvertToInt()) {
            out.add(n.asInt());
            return out;
        }
        if (!n.isArray()) {
            throw missing(key, "an integer or a list of integers");
        }
        for (JsonNode e : n) {
            if (!e.canConvertToInt()) {
                throw missing(key, "a list of integers");
            }
            out.add(e.asInt());
        }
        return out;
    }

    /** {@code torch_dtype} (transformers 4) or {@code dtype} (transformers 5); "float32" when absent. */
    public String dtype() {
        return getString("torch_dtype").or(() -> getString("dtype")).orElse("float32");
    }

    /** {@code rope_theta} at the top level, or inside {@code rope_parameters} (transformers 5). */
    public double ropeTheta(double dflt) {
        if (has("rope_theta")) {
            return requireDouble("rope_theta");
        }
        JsonNode p = root.get("rope_parameters");
        if (p != null && p.isObject() && p.has("rope_theta")) {
            return p.get("rope_theta").asDouble();
        }
        return dflt;
    }

    /**
     * The rope scaling object: {@code rope_scaling} (transformers 4) or {@code rope_parameters}
     * (transformers 5, which also carries {@code rope_theta}); empty for the default rotary embedding.
     */
    public Optional<JsonNode> ropeScaling() {
        for (String key : new String[] {"rope_scaling", "rope_parameters"}) {
            JsonNode n = root.get(key);
            if (n != null && n.isObject()) {
                String type = n.has("rope_type") ? n.get("rope_type").asText()
                        : n.has("type") ? n.get("type").asText() : "default";
                if (!type.equals("default")) {
                    return Optional.of(n);
                }
            }
        }
        return Optional.empty();
    }

    public ZerorlException missing(String key, String what) {
        JsonNode n = root.get(key);
        String found = n == null ? "it is missing" : "found " + n;
        return new ZerorlException(source + ": key '" + key + "' must be " + what + ", but " + found);
    }
}
