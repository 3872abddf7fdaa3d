package io.zerorl.reward;

import io.zerorl.util.ZerorlException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of a recipe's reward list: which reward, its weight in the sum, and its options.
 * YAML form: {@code - {name: math_accuracy, weight: 1.0, timeout_ms: 1000}} (every key other than
 * {@code name} and {@code weight} is an option of that reward), or the explicit
 * {@code - {name: format, weight: 0.5, options: {mode: strict}}}.
 */
public record RewardSpec(String name, double weight, Map<String, Object> options) {
    public RewardSpec {
        if (name == null || name.isBlank()) {
            throw new ZerorlException("A reward entry needs a 'name'");
        }
        if (!Double.isFinite(weight)) {
            throw new ZerorlException("Reward '" + name + "': weight must be a finite number, got " + weight);
        }
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public static RewardSpec of(String name, double weight) {
        return new RewardSpec(name, weight, Map.of());
    }

    /** Parses the YAML/JSON map form described above. */
    @SuppressWarnings("unchecked")
    public static RewardSpec fromMap(Map<String, Object> m) {
        Object name = m.get("name");
        if (!(name instanceof String n)) {
            throw new ZerorlException("A reward entry needs a string 'name', got " + m);
        }
        double weight = 1.0;
        Object w = m.get("weight");
        if (w instanceof Number num) {
            weight = num.doubleValue();
        } else if (w != null) {
            throw new ZerorlException("Reward '" + n + "': weight must be a number, got '" + w + "'");
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        for (var e : m.entrySet()) {
            String k = e.getKey();
            if (k.equals("name") || k.equals("weight")) {
                continue;
            }
            if (k.equals("options") && e.getValue() instanceof Map<?, ?> om) {
                opts.putAll((Map<String, Object>) om);
            } else {
                opts.put(k, e.getValue());
            }
        }
        return new RewardSpec(n, weight, opts);
    }
}
