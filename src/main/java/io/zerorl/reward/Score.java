package io.zerorl.reward;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reward value, or "not applicable" ({@code value == null}: the row lacks what the reward needs; such
 * scores are left out of that function's mean), plus optional details for logs (never used for training).
 */
public record Score(Double value, Map<String, Object> details) {
    private static final Score NA = new Score(null, Map.of());

    public Score {
        details = details == null ? Map.of() : details;
        if (value != null && !Double.isFinite(value)) {
            throw new IllegalArgumentException("reward value must be finite, got " + value);
        }
    }

    public static Score of(double value) {
        return new Score(value, Map.of());
    }

    public static Score of(double value, Map<String, Object> details) {
        return new Score(value, details);
    }

    /** Shorthand for details given as alternating key, value pairs. */
    public static Score of(double value, Object... keyValues) {
        return new Score(value, pairs(keyValues));
    }

    public static Score notApplicable() {
        return NA;
    }

    public static Score notApplicable(String reason) {
        return new Score(null, Map.of("reason", reason));
    }

    public boolean applicable() {
        return value != null;
    }

    /** The value, with "not applicable" read as {@code ifNa}. */
    public double valueOr(double ifNa) {
        return value == null ? ifNa : value;
    }

    static Map<String, Object> pairs(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("details need key, value pairs");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
        }
        return m;
    }
}
