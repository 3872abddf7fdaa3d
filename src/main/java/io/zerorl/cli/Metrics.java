package io.zerorl.cli;

import java.util.Map;

/** Reads one figure from a training step's metrics map for the CLI's progress lines. */
final class Metrics {
    private Metrics() {
    }

    /** The metric as a double, or NaN when the step did not log it (printed as "NaN", never a crash). */
    static double num(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
