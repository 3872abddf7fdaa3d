package io.zerorl.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerorl.run.MetricNames;
import io.zerorl.run.RunLayout;
import io.zerorl.util.Json;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a training run directory holds, read once and validated. Only {@code metrics.jsonl} is required;
 * every other file may be absent (the report then says so). A key missing from some steps is simply a gap.
 *
 * @param steps      one entry per metrics line, in file order
 * @param samples    completions logged by the trainer (empty when there is no {@code samples.jsonl})
 * @param recipe     the text of {@code recipe.yaml}, or {@code null}
 * @param evalBefore {@code eval_before.json}: benchmark -> metric -> value (empty when absent)
 * @param evalAfter  {@code eval_after.json}, same shape
 * @param warnings   things the reader skipped, for the report and the console
 */
public record RunData(Path runDir, List<Step> steps, List<Sample> samples, String recipe,
                      Map<String, Map<String, Double>> evalBefore, Map<String, Map<String, Double>> evalAfter,
                      List<String> warnings) {

    /** One metrics line: the step number and every numeric value on it. */
    public record Step(double step, Map<String, Double> values) {
        public Double get(String key) {
            return values.get(key);
        }
    }

    /** One logged completion. */
    public record Sample(double step, String prompt, String completion, Map<String, Double> rewards, Double total) {}

    /** A metric over steps, with steps where it is missing or not finite left out. */
    public record Series(String label, double[] x, double[] y) {
        public boolean isEmpty() {
            return x.length == 0;
        }

        /**
         * The exponential moving average training dashboards draw over noisy per-step values (TensorBoard's
         * smoothing: {@code s_t = w s_(t-1) + (1 - w) y_t}, divided by {@code 1 - w^t} so the first points are not
         * pulled towards 0).
         */
        public Series smoothed(double weight) {
            double[] out = new double[y.length];
            double last = 0;
            double debias = 1;
            for (int i = 0; i < y.length; i++) {
                last = weight * last + (1 - weight) * y[i];
                debias *= weight;
                out[i] = last / (1 - debias);
            }
            return new Series(label, x, out);
        }
    }

    public static RunData read(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            throw new ZerorlException("Run directory not found: " + runDir
                    + " (pass the folder the trainer wrote metrics.jsonl to)");
        }
        RunLayout layout = RunLayout.of(runDir);
        Path metricsFile = layout.metrics();
        if (!Files.isRegularFile(metricsFile)) {
            throw new ZerorlException("No " + RunLayout.METRICS + " in " + runDir + " (is this a zerorl run directory?)");
        }
        List<String> warnings = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        for (Line line : jsonLines(metricsFile, warnings)) {
            Map<String, Double> values = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = line.node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                Double v = number(e.getValue());
                if (v != null) {
                    values.put(e.getKey(), v);
                }
            }
            Double step = values.get(MetricNames.STEP);
            if (step == null) {
                step = (double) (steps.size() + 1);
                if (steps.isEmpty()) {
                    warnings.add(RunLayout.METRICS + " has no \"step\" key; using the line order instead");
                }
            }
            steps.add(new Step(step, Collections.unmodifiableMap(values)));
        }
        if (steps.isEmpty()) {
            throw new ZerorlException(metricsFile + " is empty: the trainer has not logged a step yet");
        }

        List<Sample> samples = new ArrayList<>();
        Path samplesFile = layout.samples();
        if (Files.isRegularFile(samplesFile)) {
            for (Line line : jsonLines(samplesFile, warnings)) {
                JsonNode n = line.node;
                Map<String, Double> rewards = new LinkedHashMap<>();
                JsonNode r = n.path(MetricNames.Sample.REWARDS);
                if (r.isObject()) {
                    r.fields().forEachRemaining(e -> rewards.put(e.getKey(), number(e.getValue())));
                }
                Double step = number(n.get(MetricNames.STEP));
                samples.add(new Sample(step == null ? Double.NaN : step, text(n.get(MetricNames.Sample.PROMPT)),
                        text(n.get(MetricNames.Sample.COMPLETION)), rewards, number(n.get(MetricNames.Sample.TOTAL))));
            }
        }

        String recipe = null;
        Path recipeFile = layout.recipe();
        if (Files.isRegularFile(recipeFile)) {
            recipe = readString(recipeFile);
        }
        return new RunData(runDir, List.copyOf(steps), List.copyOf(samples), recipe,
                evalSummary(layout.evalBefore()), evalSummary(layout.evalAfter()),
                List.copyOf(warnings));
    }

    /** Every metric key, in order of first appearance. */
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        steps.forEach(s -> keys.addAll(s.values().keySet()));
        keys.remove(MetricNames.STEP);
        return keys;
    }

    public boolean has(String key) {
        return steps.stream().anyMatch(s -> s.get(key) != null && Double.isFinite(s.get(key)));
    }

    public Series series(String key, String label) {
        double[] x = new double[steps.size()];
        double[] y = new double[steps.size()];
        int n = 0;
        for (Step s : steps) {
            Double v = s.get(key);
            if (v != null && Double.isFinite(v)) {
                x[n] = s.step();
                y[n] = v;
                n++;
            }
        }
        return new Series(label, java.util.Arrays.copyOf(x, n), java.util.Arrays.copyOf(y, n));
    }

    /** Keys matching {@code prefix + NAME + suffix}, mapped NAME -> key, in order of first appearance. */
    public Map<String, String> keysLike(String prefix, String suffix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : keys()) {
            if (k.startsWith(prefix) && k.endsWith(suffix) && k.length() > prefix.length() + suffix.length()) {
                out.put(k.substring(prefix.length(), k.length() - suffix.length()), k);
            }
        }
        return out;
    }

    private record Line(int number, JsonNode node) {}

    /**
     * Reads a JSONL file: blank lines are skipped; a malformed line fails naming file and line, except an
     * unterminated last line (a trainer still writing it), which is skipped with a warning.
     */
    private static List<Line> jsonLines(Path file, List<String> warnings) {
        String text = readString(file);
        String[] lines = text.split("\n", -1);
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            boolean unterminatedLast = i == lines.length - 1 && !text.endsWith("\n");
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                if (unterminatedLast && i > 0) {
                    warnings.add(file.getFileName() + " line " + (i + 1) + " is incomplete (still being written?); skipped");
                    continue;
                }
                throw new ZerorlException("Malformed JSON in " + file + " line " + (i + 1) + ": " + e.getOriginalMessage());
            }
            if (!(node instanceof ObjectNode)) {
                throw new ZerorlException("Malformed " + file + " line " + (i + 1) + ": expected a JSON object, got "
                        + node.getNodeType().toString().toLowerCase() + " (one object per line)");
            }
            out.add(new Line(i + 1, node));
        }
        return out;
    }

    private static Map<String, Map<String, Double>> evalSummary(Path file) {
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        JsonNode root = Json.readTree(file);
        if (!root.isObject()) {
            throw new ZerorlException("Malformed " + file + ": expected {benchmark: {pass@1: x, ...}}");
        }
        Map<String, Map<String, Double>> out = new TreeMap<>();
        root.fields().forEachRemaining(b -> {
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (b.getValue().isObject()) {
                b.getValue().fields().forEachRemaining(m -> {
                    Double v = number(m.getValue());
                    if (v != null) {
                        metrics.put(m.getKey(), v);
                    }
                });
            } else if (number(b.getValue()) != null) {
                metrics.put("pass@1", number(b.getValue()));
            }
            if (!metrics.isEmpty()) {
                out.put(b.getKey(), metrics);
            }
        });
        return out;
    }

    /** A number, or Jackson's "NaN"/"Infinity" strings, or null for anything else. */
    private static Double number(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue() ? 1.0 : 0.0;
        }
        if (n.isTextual()) {
            switch (n.textValue()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: return null;
            }
        }
        return null;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.isTextual() ? n.textValue() : n.toString();
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ZerorlException(file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new ZerorlException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
