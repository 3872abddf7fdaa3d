package io.zerorl.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.zerorl.util.InvalidSetting;
import io.zerorl.util.Names;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link Recipe}: defaults &lt; YAML file &lt; {@code --set key=value} overrides (dotted keys, values parsed
 * as YAML scalars or flow lists/maps). Unknown keys are rejected with the nearest valid key (TRL
 * {@code HfArgumentParser} rejects unknown arguments the same way); wrong value types name the key, and so do bad
 * values, which each section's config record rejects as it is built.
 */
public final class RecipeLoader {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    /** A section whose keys are not zerorl's: Spark settings. */
    private static final String FREE_FORM = "cluster.conf";

    private RecipeLoader() {}

    /**
     * Reads a recipe file and applies overrides ("train.group_size=8"); values are checked, files are not (see
     * {@link RecipeValidator}).
     */
    public static Recipe load(Path file, List<String> overrides) {
        if (!Files.isRegularFile(file)) {
            throw new ZerorlException("recipe file " + file + " does not exist (relative paths start at the working directory "
                    + Path.of("").toAbsolutePath() + ")");
        }
        JsonNode user;
        try {
            user = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new ZerorlException("cannot parse recipe " + file + ": " + e.getMessage());
        }
        if (user == null || user.isMissingNode() || user.isNull()) {
            user = JsonNodeFactory.instance.objectNode();
        }
        if (!user.isObject()) {
            throw new ZerorlException("recipe " + file + " must be a YAML mapping of sections (model, data, train, ...)");
        }
        return build((ObjectNode) user, overrides);
    }

    /** Defaults with only overrides applied (tests, notebooks). */
    public static Recipe fromOverrides(List<String> overrides) {
        return build(JsonNodeFactory.instance.objectNode(), overrides);
    }

    /** Merges a user tree (YAML structure) and overrides into the defaults. */
    public static Recipe build(ObjectNode user, List<String> overrides) {
        ObjectNode tree = YAML.valueToTree(Recipe.defaults());
        merge(tree, user, "");
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new ZerorlException("--set expects key=value (e.g. train.group_size=8), got '" + o + "'");
            }
            String key = o.substring(0, eq).trim();
            JsonNode value = parseValue(o.substring(eq + 1));
            ObjectNode patch = JsonNodeFactory.instance.objectNode();
            ObjectNode at = patch;
            // cluster.conf holds Spark's own dotted keys: cluster.conf.spark.executor.memory=4g
            String[] parts = key.startsWith(FREE_FORM + ".")
                    ? new String[] {"cluster", "conf", key.substring(FREE_FORM.length() + 1)} : key.split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                at = at.putObject(parts[i]);
            }
            at.set(parts[parts.length - 1], value);
            merge(tree, patch, "");
        }
        try {
            return YAML.treeToValue(tree, Recipe.class);
        } catch (JsonProcessingException e) {
            throw settingError(e).orElseThrow(() -> new ZerorlException("recipe value of the wrong type: "
                    + e.getOriginalMessage() + " at " + pathOf(e)));
        } catch (IllegalArgumentException e) {
            throw new ZerorlException("recipe value of the wrong type: " + e.getMessage());
        }
    }

    /**
     * A section's config record rejected a value while it was built: its error, with the key put inside the section
     * it sits in ({@code beta2} in {@code optim} = {@code optim.beta2}).
     */
    private static Optional<ZerorlException> settingError(JsonProcessingException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof ZerorlException z) {
                String section = e instanceof JsonMappingException m
                        ? String.join(".", m.getPath().stream().map(r -> r.getFieldName()).filter(n -> n != null).toList())
                        : "";
                if (section.isEmpty()) {
                    return Optional.of(z);
                }
                return Optional.of(z instanceof InvalidSetting bad ? bad.within(section)
                        : new ZerorlException(section + ": " + z.getMessage(), z));
            }
        }
        return Optional.empty();
    }

    /** {@code r} with {@code overrides} applied ("train.micro_batch_size=4"), checked like a loaded recipe. */
    public static Recipe withOverrides(Recipe r, List<String> overrides) {
        return build(YAML.valueToTree(r), overrides);
    }

    /** The resolved recipe as YAML (written to the run directory as recipe.yaml). */
    public static String toYaml(Recipe r) {
        try {
            return YAML.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every valid dotted key (for help and suggestions). */
    public static List<String> keys() {
        List<String> out = new ArrayList<>();
        collect(YAML.valueToTree(Recipe.defaults()), "", out);
        return out;
    }

    private static void collect(JsonNode n, String prefix, List<String> out) {
        collect(n, prefix, out, false);
    }

    private static void collect(JsonNode n, String prefix, List<String> out, boolean sections) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            String k = prefix + e.getKey();
            if (e.getValue().isObject()) {
                if (sections) {
                    out.add(k);
                }
                collect(e.getValue(), k + ".", out, sections);
            } else {
                out.add(k);
            }
        }
    }

    private static void merge(ObjectNode base, JsonNode user, String prefix) {
        if (!user.isObject()) {
            throw new ZerorlException("recipe key '" + prefix.replaceAll("\\.$", "") + "' is a section; give it a mapping of keys");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            String full = prefix + key;
            if (!base.has(key) && (prefix + key).startsWith(FREE_FORM + ".")) {
                base.set(key, e.getValue()); // any Spark setting; the section's record checks the names
                continue;
            }
            if (!base.has(key)) {
                List<String> valid = new ArrayList<>(); // keys and sections: a misspelt section suggests the section
                collect(YAML.valueToTree(Recipe.defaults()), "", valid, true);
                String near = Names.nearest(full, valid);
                throw new ZerorlException("unknown recipe key '" + full + "'; did you mean '" + near + "'?"
                        + (prefix.isEmpty() ? " Sections: " + iterable(base) : " Keys of " + prefix.replaceAll("\\.$", "")
                        + ": " + iterable(base)));
            }
            JsonNode current = base.get(key);
            if (current.isObject()) {
                merge((ObjectNode) current, e.getValue(), full + ".");
            } else {
                if (e.getValue().isObject() && !current.isNull()) {
                    throw new ZerorlException("recipe key '" + full + "' takes a value, not a mapping");
                }
                base.set(key, e.getValue());
            }
        }
    }

    private static String iterable(ObjectNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static JsonNode parseValue(String text) {
        try {
            JsonNode v = YAML.readTree(text.isBlank() ? "null" : text);
            return v == null ? JsonNodeFactory.instance.nullNode() : v;
        } catch (IOException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }

    private static String pathOf(JsonProcessingException e) {
        if (e instanceof JsonMappingException m) {
            StringBuilder sb = new StringBuilder();
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return "'" + sb + "'";
        }
        return "?";
    }
}
